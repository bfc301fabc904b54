"""The compiled quote engine (toolkit/_speedups) gives exactly what the pure-Python engine gives, and is
never used when it was built from other sources than the ones on disk."""
import json
import shutil

import pandas as pd
import pytest

import toolkit as tk
import toolkit._speedups as speedups
import toolkit.quotes as quotes_module
from conftest import SAMPLE

COMPILER = shutil.which("cc") or shutil.which("gcc")


@pytest.fixture
def fresh_engine_choice():
    speedups._load.cache_clear()
    yield
    speedups._load.cache_clear()


def test_the_compiled_engine_is_built_and_current_where_a_c_compiler_is():
    if not COMPILER:
        pytest.skip("no C compiler here: the toolkit runs in pure Python")
    assert speedups.engine() == "compiled", (
        f"{speedups.engine()}; `make test` rebuilds it, or run `pip install --no-deps -e .`")


def test_compiled_and_pure_python_engines_give_identical_rows():
    compiled = speedups.compiled_module("quotes")
    if compiled is None:
        pytest.skip(speedups.engine())
    corpus = tk.load_corpus(SAMPLE)
    texts = corpus["text"].tolist() + [
        "“We will not wait,” said Dr. Amara Osei, the clinic’s director. She added that the wards were full.",
        "The minister, who called the plan “reckless,” said on Tuesday that talks would resume -- but not soon.",
        "", "no quotes at all", "“unclosed quote that runs to the end",
    ]
    for text in texts:
        for options in ({}, {"include_terms": True, "include_stances": True}):
            assert compiled._extract_document(text, **options) == quotes_module._extract_document(text, **options)


def test_extract_quotes_runs_the_compiled_engine_when_it_is_current():
    if speedups.compiled_module("quotes") is None:
        pytest.skip(speedups.engine())
    assert quotes_module._document_extractor() is speedups.compiled_module("quotes")._extract_document


def test_a_build_from_other_sources_is_not_used(tmp_path, monkeypatch, fresh_engine_choice):
    stale = tmp_path / "built_from.json"
    stale.write_text(json.dumps({name: "0" * 64 for name in speedups.SOURCES}))
    monkeypatch.setattr(speedups, "DIGESTS_FILE", stale)
    assert speedups.compiled_module("quotes") is None
    assert speedups.engine().startswith("pure Python (the compiled engine is older")
    assert quotes_module._document_extractor() is quotes_module._extract_document
    quotes = tk.extract_quotes("“The port will not wait for the budget,” Okafor said.")
    assert quotes.loc[0, "speaker"] == "Okafor"


def test_no_build_and_the_pure_python_switch_both_run_pure_python(tmp_path, monkeypatch, fresh_engine_choice):
    monkeypatch.setattr(speedups, "DIGESTS_FILE", tmp_path / "missing.json")
    assert speedups.engine().startswith("pure Python (no compiled engine was built")
    speedups._load.cache_clear()
    monkeypatch.setattr(speedups, "DIGESTS_FILE", tmp_path / "empty.json")
    (tmp_path / "empty.json").write_text("")      # what make leaves where the build failed
    assert speedups.engine().startswith("pure Python (no compiled engine was built")
    speedups._load.cache_clear()
    monkeypatch.undo()
    monkeypatch.setenv(speedups.PURE_PYTHON_VARIABLE, "1")
    assert speedups.engine() == f"pure Python ({speedups.PURE_PYTHON_VARIABLE} is set)"
    assert isinstance(tk.extract_quotes("“Fine,” she said."), pd.DataFrame)
