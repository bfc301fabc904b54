"""pyproject.toml is the source of truth for dependencies; environment.yml must agree with it."""
import re
import tomllib

from conftest import REPO


def _name(requirement):
    name = re.match(r"[A-Za-z0-9_.\-]+", requirement.strip()).group(0).lower()
    return name.replace("_", "-")


def _pyproject_packages():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    required = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        required |= {_name(r) for r in extra}
    return required


def _conda_packages():
    packages, in_pip = set(), False
    text = (REPO / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        item = re.match(r"^(\s*)-\s+(.+)$", line)
        if not item:
            continue
        indent, value = len(item.group(1)), item.group(2).strip()
        if value.startswith("pip:"):
            in_pip = True
            continue
        if in_pip and indent > 2:
            continue
        in_pip = False
        packages.add(_name(value))
    return packages - {"python", "pip"}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert _conda_packages() == _pyproject_packages()


def test_environment_yml_installs_the_toolkit_for_binder():
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s+-\s+-e \.\s*$", text, re.M), "environment.yml needs '- -e .' under pip:"
    assert "python=3.11" in text
