"""An optional compiled copy of the quote engine.

At install, ``setup.py`` asks Cython to compile ``toolkit/quotes.py``, ``speakers.py`` and ``tokens.py``,
unchanged, into the extension modules ``toolkit._speedups.quotes``, ``.speakers`` and ``.tokens``, and
writes ``built_from.json`` with the SHA-256 of the three sources. The same rules then run
25-35% faster. Where no C compiler is at hand the build is skipped and the toolkit runs in pure
Python; the results are identical either way (tests/test_speedups.py checks it).

:func:`compiled_module` hands out a compiled module only when it was built from the sources on disk
now, so an edited ``quotes.py`` is never shadowed by a stale build (``make test`` and ``make demo``
rebuild it; by hand: ``pip install --no-deps -e .``). Set ``WHO_SAYS_WHAT_PURE_PYTHON=1`` to run the
pure-Python engine.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
from functools import lru_cache
from pathlib import Path

SOURCES = ("quotes", "speakers", "tokens")
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DIGESTS_FILE = Path(__file__).resolve().parent / "built_from.json"
PURE_PYTHON_VARIABLE = "WHO_SAYS_WHAT_PURE_PYTHON"


def source_digests() -> dict:
    """SHA-256 of each compiled source as it is on disk now."""
    return {name: hashlib.sha256((PACKAGE_DIR / f"{name}.py").read_bytes()).hexdigest() for name in SOURCES}


@lru_cache(maxsize=None)
def _load():
    """``(modules, reason)``: the compiled modules by name, or None and why the pure-Python engine runs."""
    if os.environ.get(PURE_PYTHON_VARIABLE, "").strip() not in ("", "0"):
        return None, f"{PURE_PYTHON_VARIABLE} is set"
    try:
        built_from = json.loads(DIGESTS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, "no compiled engine was built (it needs Cython and a C compiler at install)"
    if built_from != source_digests():
        return None, "the compiled engine is older than toolkit/quotes.py, speakers.py or tokens.py (rebuild: make)"
    try:
        modules = {name: importlib.import_module(f"{__name__}.{name}") for name in SOURCES}
    except ImportError as exc:
        return None, f"the compiled engine does not load: {exc}"
    return modules, "compiled"


def compiled_module(name: str):
    """The compiled copy of ``toolkit.<name>`` when it is built from the current source, else None."""
    modules, _reason = _load()
    return modules[name] if modules else None


def engine() -> str:
    """Which quote engine runs: "compiled", or "pure Python (<why>)"."""
    modules, reason = _load()
    return "compiled" if modules else f"pure Python ({reason})"
