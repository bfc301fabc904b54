"""Every notebook is committed without outputs, follows the series conventions and runs top to bottom."""
import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_series_has_its_first_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[:2] == ["00-start-here.ipynb", "01-tokenizing.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_of_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name}: a code cell has saved outputs"
            assert cell.get("execution_count") is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_series_conventions(path):
    cells = _cells(path)
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    prose = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), "no cell tagged parameters"
    assert "Your turn" in prose or path.name.startswith("00-"), "no 'Your turn' exercise"
    for source in code:
        assert "!pip" not in source and "%pip" not in source
        assert ".download(" not in source
        assert not any(line.startswith("def ") for line in source.splitlines()), "notebooks define no functions"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
