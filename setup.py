"""Optional compiled quote engine: Cython compiles toolkit/quotes.py, speakers.py and tokens.py, unchanged,
into toolkit._speedups.quotes, .speakers and .tokens (see toolkit/_speedups/__init__.py).

Everything else about the package is in pyproject.toml. Without Cython or a C compiler the build is
skipped with a warning and the toolkit runs in pure Python, with the same results.

    pip install --no-deps -e .      # rebuild after editing one of them (`make test` and `make demo` do it)
"""
import importlib.util
import json
import os
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def _speedups_module():
    """toolkit/_speedups/__init__.py (standard library only), read without importing the toolkit, whose
    dependencies need not be installed at build time: it names the sources and computes their digests."""
    spec = importlib.util.spec_from_file_location("_speedups_at_build", HERE / "toolkit" / "_speedups" / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPEEDUPS = _speedups_module()
SOURCES = SPEEDUPS.SOURCES


def compiled_extensions():
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("who-says-what: Cython is not installed; the quote engine runs in pure Python")
        return []
    extensions = [Extension(f"toolkit._speedups.{name}", [f"toolkit/{name}.py"]) for name in SOURCES]
    # binding=False: plain C functions, a little faster; the modules are not meant for introspection
    return cythonize(extensions, compiler_directives={"language_level": 3, "binding": False}, quiet=True)


class BuildCompiledEngine(build_ext):
    """Builds the extensions on every core, then records which sources they were built from, so that
    the toolkit never runs a compiled copy of an older source."""

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:      # no compiler, a compiler error: the pure-Python engine runs
            print(f"who-says-what: {ext.name} was not compiled ({exc}); the quote engine runs in pure Python")

    def run(self):
        # start clean, so that only extensions built now (from the sources as they are) are recorded
        for ext in self.extensions:
            Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
        if self.extensions:
            (Path(self.get_ext_fullpath(self.extensions[0].name)).parent / "built_from.json").unlink(missing_ok=True)
        try:
            super().run()
        except Exception as exc:      # e.g. no compiler at all on this platform
            print(f"who-says-what: the compiled engine was not built ({exc}); the quote engine runs in pure Python")
        built = [ext for ext in self.extensions if os.path.exists(self.get_ext_fullpath(ext.name))]
        if not self.extensions or len(built) < len(self.extensions):
            return       # (an extension failed: no record, so the pure-Python engine runs)
        record = Path(self.get_ext_fullpath(self.extensions[0].name)).parent / SPEEDUPS.DIGESTS_FILE.name
        record.write_text(json.dumps(SPEEDUPS.source_digests(), indent=1) + "\n", encoding="utf-8")


setup(ext_modules=compiled_extensions(), cmdclass={"build_ext": BuildCompiledEngine})
