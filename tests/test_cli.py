"""toolkit.cli: the quotes / evaluate / demo commands, run in-process through main()."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from toolkit.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
QUOTE_COLUMNS = ["doc_id", "quote_id", "start", "end", "type", "text", "fragments", "cue", "speaker",
                 "speaker_start", "speaker_end", "speaker_name", "speaker_id", "speaker_kind", "rule", "confidence"]

ARTICLES = {
    "bridge-closure": (
        "Bridge to close for repairs\n\n"
        "The Elm Street bridge will close for six weeks from Monday, city officials said.\n\n"
        "“We know this is a headache for commuters,” said Transport Director Maria Chen. "
        "“But the steel is forty years old and it cannot wait.”\n\n"
        "Chen said buses would run every ten minutes during the closure.\n\n"
        "Shop owners were less patient. “Six weeks is a whole season for us,” said Paul Okoye, who runs a bakery "
        "near the bridge. He said the city had given traders no warning.\n"),
    "school-budget": (
        "School board approves budget\n\n"
        "The school board voted 5-2 on Thursday to approve a budget that adds twelve teachers.\n\n"
        "\"This is the budget our children deserve,\" board chair Ana Torres told reporters after the vote.\n\n"
        "Board member James Hill, who voted against it, warned that the district would face a deficit next year. "
        "\"We are spending money we do not have,\" he said.\n"),
    "empty-page": "   \n",
}


@pytest.fixture(scope="module")
def engine():
    return pytest.importorskip("toolkit.quotes", reason="the quote engine (toolkit/quotes.py) is not there yet")


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for doc_id, text in ARTICLES.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return folder


def read_quotes(path):
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else QUOTE_COLUMNS)
    if path.suffix == ".csv":
        table = pd.read_csv(path, dtype={"doc_id": str})
        return table.assign(fragments=table["fragments"].map(json.loads))
    return pd.read_parquet(path)


def assert_offsets_slice_text(quotes, texts):
    assert len(quotes), "expected quotes"
    for row in quotes.itertuples():
        text = texts[row.doc_id]
        assert text[int(row.start):int(row.end)] == row.text
        for start, end in row.fragments:
            assert row.start <= start < end <= row.end
        if not pd.isna(row.speaker_start):
            assert text[int(row.speaker_start):int(row.speaker_end)] == row.speaker


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_quotes_writes_a_readable_table_with_offsets_into_the_text(engine, articles, tmp_path, suffix, capsys):
    output = tmp_path / "out" / f"quotes{suffix}"
    assert main(["quotes", str(articles), "-o", str(output)]) == 0
    quotes = read_quotes(output)
    assert set(QUOTE_COLUMNS) <= set(quotes.columns)
    assert_offsets_slice_text(quotes, {k: v for k, v in ARTICLES.items()})
    assert {"bridge-closure", "school-budget"} <= set(quotes["doc_id"])
    said = quotes.set_index("text")["speaker_name"].to_dict()
    assert "Okoye" in said["Six weeks is a whole season for us,"]

    documents = pd.read_csv(tmp_path / "out" / "quotes.documents.csv", dtype={"doc_id": str}, keep_default_na=False)
    assert sorted(documents["doc_id"]) == sorted(ARTICLES)
    assert documents.set_index("doc_id")["quotes"].to_dict() == quotes["doc_id"].value_counts().reindex(
        sorted(ARTICLES), fill_value=0).to_dict()
    assert "empty" in documents.set_index("doc_id").loc["empty-page", "problems"]
    message = capsys.readouterr().err
    assert "3 documents read" in message and "1 flagged" in message and f"{len(quotes)} quotes written" in message


def test_jsonl_uses_null_for_missing_values_and_ints_for_offsets(engine, articles, tmp_path):
    output = tmp_path / "quotes.jsonl"
    assert main(["quotes", str(articles), "-o", str(output), "--quiet"]) == 0
    raw = output.read_text(encoding="utf-8")
    assert "NaN" not in raw
    for record in map(json.loads, raw.splitlines()):
        assert isinstance(record["start"], int) and isinstance(record["end"], int)
        assert all(isinstance(v, int) for piece in record["fragments"] for v in piece)
        assert record["speaker_start"] is None or isinstance(record["speaker_start"], int)


def test_quiet_prints_nothing(engine, articles, tmp_path, capsys):
    assert main(["quotes", str(articles), "-o", str(tmp_path / "q.csv"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def quotes_without_and_with(option, text, folder, *, suffix=".jsonl", extra=()):
    """Run `quotes` on a one-article CSV without and with ``option``; both quote tables."""
    corpus = folder / "article.csv"
    pd.DataFrame({"doc_id": ["article"], "text": [text]}).to_csv(corpus, index=False)
    plain, optioned = folder / f"plain{suffix}", folder / f"optioned{suffix}"
    assert main(["quotes", str(corpus), "-o", str(plain), "--quiet", *extra]) == 0
    assert main(["quotes", str(corpus), "-o", str(optioned), "--quiet", option, *extra]) == 0
    return read_quotes(plain), read_quotes(optioned)


def test_include_terms_adds_quoted_terms(engine, tmp_path, capsys):
    plain_quotes, term_quotes = quotes_without_and_with("--include-terms", (
        "The mayor's so-called “green deal” was mocked by rivals on Monday. "
        "“It is neither green nor a deal,” said council member Ruth Adler."), tmp_path)
    assert "green deal" not in set(plain_quotes["text"])
    assert term_quotes.set_index("text").loc["green deal", "type"] == "term"


@pytest.mark.parametrize("streamed", [False, True])
def test_include_stances_adds_noun_phrase_and_infinitive_stances(engine, tmp_path, streamed):
    plain, stances = quotes_without_and_with("--include-stances", (
        "The dockers’ union endorsed Amara Okafor for the port board on Monday. "
        "The port authority declined to comment on the endorsement."), tmp_path, suffix=".parquet",
        extra=["--stream"] if streamed else [])
    assert len(plain) == 0
    found = stances.set_index("rule")
    assert found.loc["indirect_object", "text"].startswith("Amara Okafor")
    assert found.loc["indirect_infinitive", "speaker"] == "The port authority"


def test_unreadable_input_exits_2_naming_the_path(tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    assert main(["quotes", str(missing), "-o", str(tmp_path / "q.jsonl")]) == 2
    error = capsys.readouterr().err
    assert str(missing) in error and "Traceback" not in error
    odd = tmp_path / "articles.docx"
    odd.write_bytes(b"PK\x03\x04")
    assert main(["quotes", str(odd), "-o", str(tmp_path / "q.jsonl")]) == 2
    assert "articles.docx" in capsys.readouterr().err
    assert not (tmp_path / "q.jsonl").exists()


def test_unknown_output_type_exits_2_before_any_work(articles, tmp_path, capsys):
    output = tmp_path / "quotes.xlsx"
    assert main(["quotes", str(articles), "-o", str(output)]) == 2
    error = capsys.readouterr().err
    assert "quotes.xlsx" in error and ".jsonl" in error and ".parquet" in error
    assert not output.exists()


def test_missing_alias_table_exits_2(articles, tmp_path, capsys):
    assert main(["quotes", str(articles), "-o", str(tmp_path / "q.jsonl"), "--aliases",
                 str(tmp_path / "aliases.csv")]) == 2
    assert "aliases.csv" in capsys.readouterr().err


def _gold_for_articles(path):
    """Hand-made gold for the tmp articles, offsets computed from the snippets."""
    def quote(doc_id, snippet, speaker, canonical, kind="direct"):
        text = ARTICLES[doc_id]
        start, speaker_start = text.index(snippet), text.index(speaker)
        return {"start": start, "end": start + len(snippet), "text": snippet, "type": kind,
                "speaker": speaker, "speaker_start": speaker_start, "speaker_end": speaker_start + len(speaker),
                "speaker_canonical": canonical}
    documents = [
        {"doc_id": "bridge-closure", "text": ARTICLES["bridge-closure"], "quotes": [
            quote("bridge-closure", "We know this is a headache for commuters,", "Maria Chen", "Maria Chen"),
            quote("bridge-closure", "Six weeks is a whole season for us,", "Paul Okoye", "Paul Okoye"),
            quote("bridge-closure", "buses would run every ten minutes during the closure", "Chen", "Maria Chen",
                  "indirect")]},
        {"doc_id": "school-budget", "text": ARTICLES["school-budget"], "quotes": [
            quote("school-budget", "This is the budget our children deserve,", "Ana Torres", "Ana Torres"),
            quote("school-budget", "We are spending money we do not have,", "he", "James Hill")]},
    ]
    path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    return path


def test_evaluate_prints_the_score_table(articles, tmp_path, capsys):
    gold = _gold_for_articles(tmp_path / "gold.jsonl")
    perfect = tmp_path / "perfect.jsonl"
    perfect.write_text("".join(json.dumps({"doc_id": d["doc_id"], "quotes": d["quotes"]}) + "\n"
                               for d in map(json.loads, gold.read_text().splitlines())), encoding="utf-8")
    assert main(["evaluate", str(gold), str(perfect), "--json"]) == 0
    table = {row["type"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(table) == {"all", "direct", "indirect"}
    assert table["all"]["gold"] == 5 and table["all"]["e2e_f1"] == 1.0

    assert main(["evaluate", str(gold), str(perfect), "--types", "indirect"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:3] == ["type", "gold", "pred"] and len(printed) == 3


def test_evaluate_scores_what_quotes_wrote(engine, articles, tmp_path, capsys):
    from toolkit.evaluate import score
    gold = _gold_for_articles(tmp_path / "gold.jsonl")
    for suffix in (".jsonl", ".csv", ".parquet"):
        predictions = tmp_path / f"pred{suffix}"
        assert main(["quotes", str(articles), "-o", str(predictions), "--quiet"]) == 0
        capsys.readouterr()
        assert main(["evaluate", str(gold), str(predictions), "--json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        expected = score(gold, read_quotes(predictions))
        assert printed == json.loads(expected.to_json(orient="records")), suffix
        assert printed[0]["quote_r"] > 0.5


def test_evaluate_missing_files_exit_2(tmp_path, capsys):
    gold = _gold_for_articles(tmp_path / "gold.jsonl")
    assert main(["evaluate", str(tmp_path / "gold-missing.jsonl"), str(gold)]) == 2
    assert "gold-missing.jsonl" in capsys.readouterr().err
    assert main(["evaluate", str(gold), str(tmp_path / "pred-missing.jsonl")]) == 2
    assert "pred-missing.jsonl" in capsys.readouterr().err


def test_python_dash_m_toolkit_runs_the_cli(tmp_path):
    gold = _gold_for_articles(tmp_path / "gold.jsonl")
    result = subprocess.run([sys.executable, "-m", "toolkit", "evaluate", str(gold), str(tmp_path / "none.jsonl")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and "none.jsonl" in result.stderr


# --------------------------------------------------------------------------- the bundled corpus

@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE.is_dir() and any(SAMPLE.glob("*.txt"))):
        pytest.skip("data/sample is not there yet")
    return SAMPLE


def test_quotes_on_the_bundled_corpus(engine, sample, tmp_path):
    from toolkit.corpus import load_corpus
    output = tmp_path / "sample.jsonl"
    assert main(["quotes", str(sample), "-o", str(output), "--quiet"]) == 0
    corpus = load_corpus(sample)
    quotes = read_quotes(output)
    assert_offsets_slice_text(quotes, dict(zip(corpus["doc_id"], corpus["text"])))
    assert set(quotes["doc_id"]) <= set(corpus["doc_id"]) and quotes["quote_id"].is_unique


def test_demo_without_notebooks_writes_the_tables(engine, sample, tmp_path, capsys):
    out = tmp_path / "outputs"
    assert main(["demo", "--out", str(out), "--no-notebooks"]) == 0
    for name in ("corpus.csv", "quotes.csv", "speakers.csv", "documents.csv"):
        assert (out / name).is_file(), name
    corpus = pd.read_csv(out / "corpus.csv", dtype={"doc_id": str})
    assert "text" not in corpus.columns and {"doc_id", "source", "problems"} <= set(corpus.columns)
    assert len(corpus) == len(list(sample.glob("*.txt")))
    quotes = pd.read_csv(out / "quotes.csv", dtype={"doc_id": str})
    assert set(quotes["doc_id"]) <= set(corpus["doc_id"]) and len(quotes) > len(corpus)
    if (sample / "gold.jsonl").is_file():
        accuracy = pd.read_csv(out / "accuracy.csv")
        assert accuracy["type"].iloc[0] == "all" and 0 < accuracy["e2e_f1"].iloc[0] <= 1
    assert not (out / "notebooks").exists()
    who = pd.read_csv(out / "who_says_what.csv")
    assert who["quotes"].sum() == len(quotes)
    assert abs(who["share_of_voice"].sum() - 1) < 1e-6
    by_outlet = pd.read_csv(out / "who_says_what_by_outlet.csv")
    assert set(by_outlet["source"]) == set(corpus["source"])
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == sorted(["top_speakers.png", "share_of_voice_by_outlet.png", "speaker_outlet_heatmap.png",
                              "speaker_timeline.png", "distinctive_terms.png", "cue_profile.png",
                              "quote_network.png", "quote_lengths.png"])
    assert all((out / "figures" / name).stat().st_size > 10_000 for name in figures)
    printed = capsys.readouterr().out
    assert f"{len(corpus)} documents, {len(quotes)} quotes" in printed and "Top 10 speakers" in printed


def test_demo_names_the_missing_bundled_corpus(tmp_path, capsys, monkeypatch):
    import toolkit.cli as cli
    monkeypatch.setattr(cli, "REPO", tmp_path)
    assert main(["demo", "--out", str(tmp_path / "outputs"), "--no-notebooks"]) == 2
    assert str(tmp_path / "data" / "sample") in capsys.readouterr().err


@pytest.mark.parametrize("mode", [["--jobs", "2"], ["--stream"], ["--stream", "--jobs", "2"]],
                         ids=["jobs", "stream", "stream-jobs"])
def test_parallel_and_streaming_runs_write_the_same_quotes_as_a_serial_run(tmp_path, mode):
    sample = SAMPLE
    if not sample.is_dir():
        pytest.skip("bundled corpus absent")
    serial, other = tmp_path / "serial.jsonl", tmp_path / "other.jsonl"
    assert main(["quotes", str(sample), "-o", str(serial), "--quiet"]) == 0
    assert main(["quotes", str(sample), "-o", str(other), "--quiet", *mode]) == 0
    columns = ["doc_id", "quote_id", "start", "end", "type", "speaker", "speaker_name", "speaker_id", "rule"]
    expected = pd.read_json(serial, lines=True)[columns]
    got = pd.read_json(other, lines=True)[columns]
    pd.testing.assert_frame_equal(got.sort_values("quote_id").reset_index(drop=True),
                                  expected.sort_values("quote_id").reset_index(drop=True))
    documents = pd.read_csv(tmp_path / "other.documents.csv")
    assert len(documents) == len(list(sample.glob("*.txt")))


def test_extract_quotes_with_two_jobs_equals_the_serial_run():
    import toolkit as tk
    if not SAMPLE.is_dir():
        pytest.skip("bundled corpus absent")
    corpus = tk.load_corpus(SAMPLE)
    pd.testing.assert_frame_equal(tk.extract_quotes(corpus, n_jobs=2, progress=False), tk.extract_quotes(corpus))


def test_version_names_the_quote_engine(capsys, monkeypatch):
    import toolkit._speedups as speedups

    speedups._load.cache_clear()
    monkeypatch.setenv(speedups.PURE_PYTHON_VARIABLE, "1")
    try:
        assert main(["--version"]) == 0
    finally:
        speedups._load.cache_clear()
    out = " ".join(capsys.readouterr().out.split())      # (argparse wraps long lines)
    assert out.startswith("who-says-what ")
    assert "(quote engine: pure Python (WHO_SAYS_WHAT_PURE_PYTHON is set))" in out
