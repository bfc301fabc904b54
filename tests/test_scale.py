"""Parallel and streaming extraction give the same quotes as the serial engine; bad input is counted."""
import json

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE

quotes_module = pytest.importorskip("toolkit.quotes")
from toolkit.corpus import load_corpus  # noqa: E402
from toolkit.scale import (  # noqa: E402
    extract_quotes_parallel,
    extract_quotes_stream,
    progress_bar,
    read_quotes,
)

ARTICLES = {
    "ledger-port-plan": (
        "Port expansion plan unveiled\n\n"
        "Health Minister Dana Okafor defended the harbor plan on Tuesday. \u201cWe will not sign a deal "
        "that puts families at risk,\u201d Okafor said at a press conference in Bayview.\n\n"
        "The Harbor Workers Union said in a statement that the expansion would cost 400 jobs.\n\n"
        "\u201cThis is a fight about who gets to work here,\u201d said Marco Reyes, the union\u2019s "
        "president. \u201cWe have been clear since January.\u201d\n"
    ),
    "herald-port-vote": (
        "Council delays vote on harbor\n\n"
        "The council postponed its vote after a long night of testimony. \u201cWe need more time to read "
        "the report,\u201d Mayor Lena Fischer told reporters.\n\n"
        "Okafor, who has championed the plan, said she was disappointed. \u201cEvery week we wait costs "
        "the region money,\u201d she said.\n"
    ),
    "wire-port-union": (
        "Union vows to keep fighting\n\n"
        "Reyes said the union would return to the picket line on Monday.\n\n"
        "\"We are not going anywhere,\" Reyes said. \"Not until the minister listens.\"\n\n"
        "A senior official, who spoke on condition of anonymity, said talks had stalled.\n"
    ),
    "valley-hospital-strike": (
        "Nurses walk out at St. Mary\u2019s\n\n"
        "Nurses at St. Mary\u2019s Hospital walked out at 7 a.m. on Friday. \u201cWe are exhausted,\u201d "
        "said Priya D\u2019Souza, a nurse on the night shift. \u201cAnd we are not alone.\u201d\n\n"
        "Dr. Samuel O\u2019Brien, the hospital\u2019s chief executive, said the strike was regrettable. "
        "\u201cOur doors stay open,\u201d he said.\n"
    ),
    "metro-budget": (
        "Budget fight heads to the floor\n\n"
        "\u201cThe numbers simply do not add up,\u201d Sen. Ruth Abara said on Wednesday.\n\n"
        "Abara insisted that the state could not afford the new spending. Fischer disagreed: \u201cThe "
        "city has waited long enough.\u201d\n"
    ),
    "ledger-port-approval": (
        "Harbor plan approved\n\n"
        "Dana Okafor welcomed the vote. \u201cToday the harbor belongs to everyone,\u201d the minister "
        "said.\n\n"
        "Marco Reyes was less pleased. \u201cWe will read the fine print,\u201d he said.\n"
    ),
}


def _corpus(articles=ARTICLES) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": list(articles), "text": list(articles.values())})


def _values(frame: pd.DataFrame, column: str) -> list:
    """Column values as plain Python objects (None for missing, ints for offsets, lists for fragments)."""
    out = []
    for value in frame[column].tolist():
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            out.append(None)
        elif column == "fragments":
            out.append([[int(a), int(b)] for a, b in value])
        elif isinstance(value, (np.integer,)):
            out.append(int(value))
        elif isinstance(value, (np.floating,)):
            out.append(float(value))
        else:
            out.append(value)
    return out


def _assert_same_quotes(got: pd.DataFrame, expected: pd.DataFrame):
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for column in expected.columns:
        assert _values(got, column) == _values(expected, column), column


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


@pytest.fixture(scope="module")
def serial(corpus):
    quotes = quotes_module.extract_quotes(corpus)
    assert len(quotes) >= 10, "the test corpus should give a realistic number of quotes"
    return quotes


# ------------------------------------------------------------------------------------- parallel

@pytest.mark.parametrize("n_jobs", [1, 2])
def test_parallel_equals_serial(corpus, serial, n_jobs):
    # one document per chunk, so each worker sees only a piece of the corpus
    parallel = extract_quotes_parallel(corpus, n_jobs=n_jobs, chunksize=1, progress=False)
    pd.testing.assert_frame_equal(parallel, serial)


def test_parallel_speaker_ids_are_corpus_wide(corpus, serial):
    parallel = extract_quotes_parallel(corpus, n_jobs=2, chunksize=1, progress=False)
    okafor = parallel[parallel["speaker_name"].fillna("").str.contains("Okafor")]
    assert okafor["doc_id"].nunique() >= 2
    # "Okafor" alone in one article and "Dana Okafor" in another are one person across chunks
    assert okafor["speaker_id"].nunique() == 1


def test_parallel_with_spawned_workers_and_documents(corpus, serial):
    quotes, documents = extract_quotes_parallel(corpus, n_jobs=2, progress=False, return_documents=True,
                                                start_method="spawn")
    pd.testing.assert_frame_equal(quotes, serial)
    assert documents["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert documents.groupby("doc_id")["quotes"].sum().to_dict() == serial.groupby("doc_id").size().reindex(
        corpus["doc_id"], fill_value=0).to_dict()


def test_parallel_on_bundled_corpus():
    if not SAMPLE.exists():
        pytest.skip("data/sample is not there yet")
    corpus = load_corpus(SAMPLE)
    expected = quotes_module.extract_quotes(corpus)
    got = extract_quotes_parallel(corpus, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(got, expected)


def test_parallel_does_not_mutate_input(corpus):
    before = corpus.copy()
    extract_quotes_parallel(corpus, n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(corpus, before)


# ------------------------------------------------------------------------------------- streaming

@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_stream_equals_in_memory(tmp_path, corpus, serial, suffix):
    source = tmp_path / "corpus.jsonl"
    corpus.to_json(source, orient="records", lines=True, force_ascii=False)
    out = tmp_path / f"quotes{suffix}"
    summary = extract_quotes_stream(source, out=out, chunksize=2, progress=False)

    _assert_same_quotes(read_quotes(out), serial)
    assert summary["read"] == summary["processed"] == len(corpus)
    assert summary["quotes"] == len(serial)
    documents = pd.read_csv(tmp_path / "quotes.documents.csv", keep_default_na=False)
    assert documents["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert documents["quotes"].sum() == len(serial)


def test_stream_second_pass_joins_speakers_across_chunks(tmp_path, corpus):
    out = tmp_path / "quotes.parquet"
    extract_quotes_stream(corpus, out=out, chunksize=1, progress=False)
    quotes = read_quotes(out)
    okafor = quotes[quotes["speaker_name"].fillna("").str.contains("Okafor")]
    assert okafor["doc_id"].nunique() >= 2
    assert okafor["speaker_id"].nunique() == 1


def test_stream_with_two_processes(tmp_path, corpus, serial):
    out = tmp_path / "quotes.parquet"
    summary = extract_quotes_stream(corpus, out=out, chunksize=2, n_jobs=2, progress=False)
    _assert_same_quotes(read_quotes(out), serial)
    assert summary["read"] == len(corpus)


def test_stream_rejects_unknown_output_type(tmp_path, corpus):
    with pytest.raises(ValueError, match=r"quotes\.xlsx"):
        extract_quotes_stream(corpus, out=tmp_path / "quotes.xlsx", progress=False)


def test_bad_input_mid_stream_is_counted_and_the_run_goes_on(tmp_path, monkeypatch):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a-okafor.txt").write_text(ARTICLES["ledger-port-plan"], encoding="utf-8")
    (folder / "b-empty.txt").write_text("   \n", encoding="utf-8")
    latin1 = ARTICLES["valley-hospital-strike"].replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    (folder / "c-latin1.txt").write_bytes(latin1.replace("Nurses at", "Infirmi\u00e8res at").encode("latin-1"))
    (folder / "d-reyes.txt").write_text(ARTICLES["wire-port-union"], encoding="utf-8")

    jsonl = tmp_path / "more.jsonl"
    with open(jsonl, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"doc_id": "j1", "text": ARTICLES["metro-budget"]}) + "\n")
        handle.write('{"doc_id": "j2", "text": "cut off in the mid\n')  # not JSON
        handle.write(json.dumps({"doc_id": "j3", "text": ARTICLES["herald-port-vote"]}) + "\n")
        handle.write(json.dumps({"doc_id": "j4", "text": "Crash test. \u201cBoom,\u201d she said."}) + "\n")

    corrupt = tmp_path / "broken.parquet"
    corrupt.write_bytes(b"PAR1 this is not a parquet file at all")
    last = tmp_path / "last.jsonl"
    last.write_text(json.dumps({"doc_id": "z1", "text": ARTICLES["metro-budget"]}) + "\n", encoding="utf-8")

    real_extract = quotes_module.extract_quotes

    def extract_failing_on_crash(corpus, **options):
        if corpus["text"].str.startswith("Crash test").any():
            raise RuntimeError("engine blew up")
        return real_extract(corpus, **options)

    monkeypatch.setattr(quotes_module, "extract_quotes", extract_failing_on_crash)
    out = tmp_path / "quotes.parquet"
    summary = extract_quotes_stream([folder, jsonl, corrupt, last], out=out, chunksize=3, progress=False)

    documents = pd.read_csv(tmp_path / "quotes.documents.csv", keep_default_na=False)
    assert summary["read"] == 4 + 4 + 1 == len(documents)
    assert summary["read"] == summary["processed"] + summary["errors"]
    assert summary["errors"] == 1
    assert documents.loc[documents["doc_id"] == "j4", "status"].item() == "error"
    assert "engine blew up" in documents.loc[documents["doc_id"] == "j4", "problems"].item()
    problems = dict(zip(documents["doc_id"], documents["problems"]))
    assert "empty" in problems["b-empty"]
    assert "encoding_replaced" in problems["c-latin1"]
    assert any(p.startswith("bad_json_line:2") for p in problems.values())
    # the empty doc, the undecodable doc, the bad JSON line and the engine failure
    assert summary["flagged"] == 4
    assert [e["source"] for e in summary["source_errors"]] == [str(corrupt)]
    # quotes from before and after the broken documents and the broken file are all there
    quotes = read_quotes(out)
    assert {"a-okafor", "d-reyes", "j1", "j3", "z1"} <= set(quotes["doc_id"])
    assert summary["quotes"] == len(quotes)


# ------------------------------------------------------------------------------------- progress

def test_progress_false_prints_nothing(tmp_path, corpus, capfd):
    extract_quotes_parallel(corpus, n_jobs=1, progress=False)
    extract_quotes_stream(corpus, out=tmp_path / "q.jsonl", chunksize=2, progress=False)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_progress_bar_shows_documents_and_megabytes(tmp_path, corpus, capfd):
    extract_quotes_stream(corpus, out=tmp_path / "q.jsonl", chunksize=2, progress=True)
    err = capfd.readouterr().err
    assert f"{len(corpus)}/{len(corpus)}" in err or f"{len(corpus)}doc" in err
    assert "MB/s" in err and "doc/s" in err


def test_serial_progress_bar_counts_every_document_and_changes_nothing(corpus, capfd):
    quiet = quotes_module.extract_quotes(corpus, progress=False)
    capfd.readouterr()
    shown = quotes_module.extract_quotes(corpus, progress=True)
    err = capfd.readouterr().err
    assert f"{len(corpus)}/{len(corpus)}" in err and "MB/s" in err and "doc/s" in err
    pd.testing.assert_frame_equal(shown, quiet)


def test_serial_table_put_together_from_parts_equals_one_built_at_once(corpus, monkeypatch):
    whole, whole_documents = quotes_module.extract_quotes(corpus, progress=False, return_documents=True)
    sample = load_corpus(SAMPLE)
    whole_sample = quotes_module.extract_quotes(sample, progress=False)
    monkeypatch.setattr(quotes_module, "_ROWS_PER_PART", 2)      # (parts where a column is all missing, too)
    parts, parts_documents = quotes_module.extract_quotes(corpus, progress=False, return_documents=True)
    pd.testing.assert_frame_equal(parts, whole)
    pd.testing.assert_frame_equal(parts_documents, whole_documents)
    pd.testing.assert_frame_equal(quotes_module.extract_quotes(sample, progress=False), whole_sample)


def test_text_byte_offsets_count_utf8_bytes_and_missing_texts_as_zero():
    from toolkit.scale import text_byte_offsets

    texts = pd.Series(["“Yes,” she said.", None, "ok"], dtype=object)
    expected = np.cumsum([0, len("“Yes,” she said.".encode("utf-8")), 0, 2])
    assert text_byte_offsets(texts).tolist() == expected.tolist()
    assert text_byte_offsets(pd.Series(["a\ud800b"], dtype=object)).tolist() == [0, 5]      # a lone surrogate: no error


def test_progress_bar_wraps_an_iterable(capfd):
    assert list(progress_bar(range(5), total=5, enabled=False)) == [0, 1, 2, 3, 4]
    assert capfd.readouterr().err == ""


def test_stream_missing_source_raises_before_writing(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such-corpus"):
        extract_quotes_stream(tmp_path / "no-such-corpus.jsonl", out=tmp_path / "q.parquet", progress=False)
    assert not (tmp_path / "q.parquet").exists()


def test_stream_skips_a_giant_document_and_records_it(tmp_path, corpus, serial):
    giant = "\u201cNo,\u201d he said. " * 200  # stands in for a 50 MB record: longer than max_chars
    articles = dict(ARTICLES)
    keys = list(articles)
    articles = {**{k: articles[k] for k in keys[:3]}, "giant": giant, **{k: articles[k] for k in keys[3:]}}
    summary = extract_quotes_stream(_corpus(articles), out=tmp_path / "q.csv", chunksize=4, max_chars=len(giant) - 1,
                                    progress=False)
    documents = pd.read_csv(tmp_path / "q.documents.csv", keep_default_na=False)
    assert documents["doc_id"].tolist() == list(articles)
    giant_row = documents.set_index("doc_id").loc["giant"]
    assert giant_row["status"] == "error" and "too_long" in giant_row["problems"]
    assert (summary["read"], summary["processed"], summary["errors"]) == (len(articles), len(ARTICLES), 1)
    _assert_same_quotes(read_quotes(tmp_path / "q.csv"), serial)


def test_parallel_passes_strings_and_bad_tables_to_the_engine():
    text = ARTICLES["herald-port-vote"]
    pd.testing.assert_frame_equal(extract_quotes_parallel(text, n_jobs=2, progress=False),
                                  quotes_module.extract_quotes(text))
    with pytest.raises(ValueError, match="body"):
        extract_quotes_parallel(pd.DataFrame({"doc_id": ["a"], "body": [text]}), n_jobs=2, progress=False)


def test_stream_survives_a_worker_process_dying(tmp_path, corpus, monkeypatch):
    import os

    real_extract = quotes_module.extract_quotes

    def extract_or_die(chunk, **options):
        if chunk["text"].str.contains("Die now").any():
            os._exit(1)  # what the kernel's out-of-memory killer does to a worker
        return real_extract(chunk, **options)

    monkeypatch.setattr(quotes_module, "extract_quotes", extract_or_die)  # inherited by forked workers
    # the killer comes first, so later chunks are in flight when its worker dies
    articles = {"killer": "Die now. \u201cGoodbye,\u201d she said.", **ARTICLES}
    summary = extract_quotes_stream(_corpus(articles), out=tmp_path / "q.parquet", chunksize=1, n_jobs=2,
                                    start_method="fork", progress=False)
    documents = pd.read_csv(tmp_path / "q.documents.csv", keep_default_na=False)
    assert documents["doc_id"].tolist() == list(articles)
    assert summary["read"] == len(articles) == summary["processed"] + summary["errors"]
    died = documents[documents["status"] == "error"]
    # only the chunk that kills its process is lost, not the chunks in flight beside it
    assert died["doc_id"].tolist() == ["killer"]
    assert "worker process died" in died["problems"].item()
    assert set(read_quotes(tmp_path / "q.parquet")["doc_id"]) == set(ARTICLES)
