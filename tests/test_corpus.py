import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from toolkit.corpus import corpus_report, iter_corpus, load_corpus

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
SHARED_FIXTURE = REPO.parent / "shared" / "fixtures" / "seed_article.txt"

PORT = (
    "Harbor expansion vote delayed again\n\n"
    "The city council postponed Tuesday's vote on the Eastgate harbor expansion after dockworkers "
    "packed the chamber.\n\n"
    "\u201cWe are not against growth, we are against being ignored,\u201d said Maria Duval, who leads the "
    "Harbor Workers Union.\n\n"
    "Council President Tom Reyes said the vote would return in two weeks.\n"
)
STRIKE = (
    "Nurses extend strike into second week\n\n"
    "Nurses at St. Agnes Hospital voted on Sunday to continue their walkout.\n\n"
    "\"Patients deserve safe staffing,\" said Dr. Lena O\u2019Brien, a union spokeswoman. "
    "Hospital management said talks would resume on Monday.\n"
)
BUDGET = (
    "Budget talks stall over school funding\n\n"
    "Gov. Alan Pierce said on Friday that he would veto any budget that cut school aid.\n\n"
    "\u201cThat line is not moving,\u201d Pierce told reporters.\n"
)
FLOOD = (
    "River crests below flood stage\n\n"
    "The Millbrook River crested two feet below flood stage early Thursday, officials said.\n"
)

ARTICLES = {"harbor-vote": PORT, "nurses-strike": STRIKE, "budget-talks": BUDGET, "river-crest": FLOOD}
METADATA = pd.DataFrame(
    {
        "doc_id": ["budget-talks", "harbor-vote", "nurses-strike"],
        "headline": ["Pierce vows veto over school aid", "Harbor vote delayed", ""],
        "outlet": ["Valley Times", "The Coastal Ledger", "Metro Wire"],
        "published": ["2026-02-13", "2026-03-03", "March 9, 2026"],
        "byline": ["Ruth Kim", "Sam Ortiz", None],
        "link": ["https://example.org/budget", "https://example.org/harbor", "https://example.org/strike"],
        "story": ["budget", "port", "strike"],
    }
)


def table_of_articles():
    """The same four articles as a table with a researcher's own column names."""
    return pd.DataFrame(
        {
            "article_id": list(ARTICLES),
            "body": list(ARTICLES.values()),
            "headline": [text.splitlines()[0] for text in ARTICLES.values()],
            "outlet": ["The Coastal Ledger", "Metro Wire", "Valley Times", "Northern Herald"],
            "published": ["2026-03-03", "2026-03-09", "2026-02-13", "2026-04-01"],
            "words": [len(text.split()) for text in ARTICLES.values()],
        }
    )


def write_folder(folder, articles=ARTICLES, metadata=METADATA):
    folder.mkdir()
    for doc_id, text in articles.items():
        (folder / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))
    if metadata is not None:
        metadata.to_csv(folder / "metadata.csv", index=False)
    return folder


def write_source(tmp_path, kind):
    """Write the four articles in format `kind`; return (path, load options)."""
    if kind == "folder":
        return write_folder(tmp_path / "articles"), {}
    table = table_of_articles()
    options = {"text_col": "body", "id_col": "article_id"}
    if kind == "csv":
        path = tmp_path / "articles.csv"
        table.to_csv(path, index=False)
    elif kind == "tsv":
        path = tmp_path / "articles.tsv"
        table.to_csv(path, sep="\t", index=False)
    elif kind == "jsonl":
        path = tmp_path / "articles.jsonl"
        path.write_text("\n".join(json.dumps(row) for row in table.to_dict("records")) + "\n", encoding="utf-8")
    elif kind == "parquet":
        path = tmp_path / "articles.parquet"
        table.to_parquet(path, row_group_size=3)
    elif kind == "dataframe":
        path = table
    return path, options


CORPUS_COLUMNS = ["doc_id", "text", "title", "source", "date", "url", "author"]


# ----------------------------------------------------------------------------------- every format


@pytest.mark.parametrize("kind", ["folder", "csv", "tsv", "jsonl", "parquet", "dataframe"])
def test_every_format_gives_the_same_articles_and_columns(tmp_path, kind):
    source, options = write_source(tmp_path, kind)
    corpus = load_corpus(source, **options)

    assert list(corpus.columns[:7]) == CORPUS_COLUMNS
    assert corpus.columns[-1] == "problems"
    assert sorted(corpus["doc_id"]) == sorted(ARTICLES)
    for doc_id, text in zip(corpus["doc_id"], corpus["text"]):
        assert text == ARTICLES[doc_id]
    assert pd.api.types.is_datetime64_dtype(corpus["date"])
    assert str(corpus["date"].dtype) == "datetime64[ns]"
    assert (corpus["problems"] == "").all()
    assert list(corpus.index) == list(range(len(corpus)))


@pytest.mark.parametrize("kind", ["csv", "tsv", "jsonl", "parquet", "dataframe"])
def test_tables_map_column_names_and_aliases(tmp_path, kind):
    source, options = write_source(tmp_path, kind)
    corpus = load_corpus(source, **options).set_index("doc_id")

    assert corpus.loc["nurses-strike", "title"] == "Nurses extend strike into second week"
    assert corpus.loc["budget-talks", "source"] == "Valley Times"
    assert corpus.loc["harbor-vote", "date"] == pd.Timestamp("2026-03-03")
    # a column without an alias is kept under its own name, after the standard ones
    assert corpus.loc["river-crest", "words"] == len(FLOOD.split())
    assert "body" not in corpus.columns and "article_id" not in corpus.columns


def test_folder_ids_are_sorted_file_names_and_metadata_is_joined(tmp_path):
    corpus = load_corpus(write_folder(tmp_path / "articles"))

    assert list(corpus["doc_id"]) == sorted(ARTICLES)
    by_id = corpus.set_index("doc_id")
    assert by_id.loc["harbor-vote", "source"] == "The Coastal Ledger"
    assert by_id.loc["harbor-vote", "author"] == "Sam Ortiz"
    assert by_id.loc["harbor-vote", "url"] == "https://example.org/harbor"
    assert by_id.loc["nurses-strike", "date"] == pd.Timestamp("2026-03-09")
    assert by_id.loc["budget-talks", "story"] == "budget"
    # metadata title wins; a blank one or a file without metadata falls back to the file's first line
    assert by_id.loc["budget-talks", "title"] == "Pierce vows veto over school aid"
    assert by_id.loc["nurses-strike", "title"] == "Nurses extend strike into second week"
    assert by_id.loc["river-crest", "title"] == "River crests below flood stage"
    assert pd.isna(by_id.loc["river-crest", "source"]) and pd.isna(by_id.loc["river-crest", "date"])
    assert list(corpus.columns) == CORPUS_COLUMNS + ["story", "problems"]


def test_metadata_argument_and_rows_without_a_file_are_reported(tmp_path):
    folder = write_folder(tmp_path / "articles", metadata=None)
    extra = pd.concat([METADATA, METADATA.assign(doc_id="ferry-fares").iloc[:1]])
    sidecar = tmp_path / "meta.csv"
    extra.to_csv(sidecar, index=False)

    with pytest.warns(UserWarning, match="ferry-fares"):
        corpus = load_corpus(folder, metadata=sidecar)
    assert corpus.set_index("doc_id").loc["harbor-vote", "source"] == "The Coastal Ledger"
    assert "ferry-fares" not in set(corpus["doc_id"])


def test_folder_without_sidecar_takes_titles_from_files_and_md_headings(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "council.md").write_text("\n# Council passes ferry budget\n\nThe council voted 7-2.\n", encoding="utf-8")
    (folder / "strike.txt").write_text(STRIKE, encoding="utf-8")
    (folder / "notes.csv").write_text("not,an,article\n", encoding="utf-8")

    corpus = load_corpus(folder)

    assert list(corpus["doc_id"]) == ["council", "strike"]
    assert list(corpus["title"]) == ["Council passes ferry budget", "Nurses extend strike into second week"]
    assert corpus["source"].isna().all()


def test_pattern_selects_files_in_a_folder(tmp_path):
    folder = write_folder(tmp_path / "articles")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # metadata rows of files left out on purpose are not news
        corpus = load_corpus(folder, pattern="*-v*.txt")
    assert list(corpus["doc_id"]) == ["harbor-vote"]
    assert corpus.loc[0, "source"] == "The Coastal Ledger"


def test_single_text_file(tmp_path):
    path = tmp_path / "budget-talks.txt"
    path.write_text(BUDGET, encoding="utf-8")
    corpus = load_corpus(path)
    assert list(corpus["doc_id"]) == ["budget-talks"]
    assert corpus.loc[0, "text"] == BUDGET
    assert corpus.loc[0, "title"] == "Budget talks stall over school funding"


def test_ids_are_generated_when_the_table_has_none(tmp_path):
    path = tmp_path / "articles.csv"
    table_of_articles().drop(columns=["article_id"]).to_csv(path, index=False)
    corpus = load_corpus(path, text_col="body")
    assert list(corpus["doc_id"]) == [f"doc-{k:06d}" for k in range(1, 5)]
    assert (corpus["problems"] == "").all()


def test_numeric_ids_become_strings(tmp_path):
    path = tmp_path / "articles.csv"
    table_of_articles().assign(article_id=[101, 102, 103, 104]).to_csv(path, index=False)
    corpus = load_corpus(path, text_col="body", id_col="article_id")
    assert list(corpus["doc_id"]) == ["101", "102", "103", "104"]


def test_dataframe_input_is_not_mutated(tmp_path):
    table = table_of_articles()
    table.loc[1, "body"] = None
    before = table.copy(deep=True)

    corpus = load_corpus(table, text_col="body", id_col="article_id")

    pd.testing.assert_frame_equal(table, before)
    assert corpus.loc[1, "text"] == "" and corpus.loc[1, "problems"] == "missing_text"


def test_reloading_a_loaded_corpus_keeps_its_flags(tmp_path):
    table = table_of_articles()
    table.loc[2, "body"] = "   \n"
    corpus = load_corpus(table, text_col="body", id_col="article_id")
    path = tmp_path / "corpus.parquet"
    corpus.to_parquet(path)

    pd.testing.assert_frame_equal(load_corpus(path), corpus)
    pd.testing.assert_frame_equal(load_corpus(corpus), corpus)


# ----------------------------------------------------------------------------------- problems


def test_latin1_bytes_in_utf8_file_are_replaced_and_flagged(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "cafe.txt").write_bytes("Caf\u00e9 owners protest new parking fees\n\nThey met at the caf\u00e9.\n".encode("latin-1"))
    (folder / "strike.txt").write_bytes(STRIKE.encode("utf-8"))

    corpus = load_corpus(folder).set_index("doc_id")

    assert corpus.loc["cafe", "problems"] == "encoding_replaced"
    assert corpus.loc["cafe", "text"] == "Caf\ufffd owners protest new parking fees\n\nThey met at the caf\ufffd.\n"
    assert corpus.loc["strike", "problems"] == ""
    assert load_corpus(folder / "cafe.txt", encoding="latin-1").loc[0, "text"].startswith("Caf\u00e9 owners")


def test_latin1_bytes_in_csv_flag_only_the_rows_that_have_them(tmp_path):
    path = tmp_path / "articles.csv"
    rows = [b"doc_id,text", b"harbor,Dockworkers filled the chamber.", b"cafe,Caf\xe9 owners protest.", b"flood,The river crested."]
    path.write_bytes(b"\n".join(rows) + b"\n")

    corpus = load_corpus(path)

    assert list(corpus["problems"]) == ["", "encoding_replaced", ""]
    assert corpus.loc[1, "text"] == "Caf\ufffd owners protest."


def test_utf8_byte_order_mark_is_stripped(tmp_path):
    path = tmp_path / "harbor-vote.txt"
    path.write_bytes(b"\xef\xbb\xbf" + PORT.encode("utf-8"))
    table_path = tmp_path / "articles.csv"
    table_path.write_bytes(b"\xef\xbb\xbfdoc_id,text\nharbor,The vote was delayed.\n")

    corpus = load_corpus(path)
    assert corpus.loc[0, "text"] == PORT and corpus.loc[0, "problems"] == ""
    assert load_corpus(table_path).loc[0, "doc_id"] == "harbor"


def test_windows_line_endings_are_kept_so_offsets_match_the_file(tmp_path):
    crlf_text = PORT.replace("\n", "\r\n")
    path = tmp_path / "harbor-vote.txt"
    path.write_bytes(crlf_text.encode("utf-8"))
    table_path = tmp_path / "articles.csv"
    pd.DataFrame({"doc_id": ["harbor-vote"], "text": [crlf_text]}).to_csv(table_path, index=False, lineterminator="\r\n")

    raw = path.read_bytes().decode("utf-8")
    start = raw.index("We are not")
    end = raw.index(",\u201d said")
    for corpus in (load_corpus(path), load_corpus(table_path)):
        text = corpus.loc[0, "text"]
        assert "\r\n" in text
        assert text == raw
        assert text[start:end] == "We are not against growth, we are against being ignored"


def test_empty_and_missing_texts_are_rows_with_flags(tmp_path):
    folder = write_folder(tmp_path / "articles", metadata=None)
    (folder / "blank.txt").write_text("\n  \n", encoding="utf-8")
    csv_path = tmp_path / "articles.csv"
    pd.DataFrame({"doc_id": ["a", "b", "c"], "text": [BUDGET, None, " "]}).to_csv(csv_path, index=False)

    folder_corpus = load_corpus(folder).set_index("doc_id")
    assert folder_corpus.loc["blank", "problems"] == "empty"
    assert pd.isna(folder_corpus.loc["blank", "title"])

    table_corpus = load_corpus(csv_path)
    assert len(table_corpus) == 3
    assert table_corpus["text"].notna().all()
    assert table_corpus.loc[1, "problems"] == "missing_text" and table_corpus.loc[1, "text"] == ""
    assert table_corpus.loc[2, "problems"] == "empty" and table_corpus.loc[2, "text"] == " "


def test_every_copy_of_a_duplicate_id_is_flagged_and_kept(tmp_path):
    table = table_of_articles()
    table.loc[3, "article_id"] = "harbor-vote"
    corpus = load_corpus(table, text_col="body", id_col="article_id")

    assert len(corpus) == 4
    flagged = corpus[corpus["problems"].str.contains("duplicate_id")]
    assert list(flagged.index) == [0, 3]
    assert list(flagged["text"]) == [PORT, FLOOD]
    assert corpus.loc[1, "problems"] == ""


def test_iter_corpus_flags_later_duplicates_across_chunks(tmp_path):
    table = table_of_articles()
    table.loc[3, "article_id"] = "harbor-vote"
    chunks = list(iter_corpus(table, chunksize=2, text_col="body", id_col="article_id"))
    assert [len(chunk) for chunk in chunks] == [2, 2]
    assert chunks[0].loc[0, "problems"] == ""
    assert chunks[1].loc[3, "problems"] == "duplicate_id"


def test_dates_parse_mixed_formats_and_flag_unparseable_ones():
    table = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e"],
            "text": [PORT, STRIKE, BUDGET, FLOOD, PORT],
            "date": ["2026-03-03", "March 9, 2026", "2026-02-13T18:30:00+02:00", "", "the day after the vote"],
        }
    )
    corpus = load_corpus(table)

    assert list(corpus["date"][:3]) == [
        pd.Timestamp("2026-03-03"),
        pd.Timestamp("2026-03-09"),
        pd.Timestamp("2026-02-13 16:30:00"),
    ]
    assert pd.isna(corpus.loc[3, "date"]) and corpus.loc[3, "problems"] == ""
    assert pd.isna(corpus.loc[4, "date"]) and corpus.loc[4, "problems"] == "bad_date"


def test_bad_json_lines_become_rows_that_name_the_line(tmp_path):
    path = tmp_path / "articles.jsonl"
    lines = [
        json.dumps({"doc_id": "harbor-vote", "text": PORT, "authors": ["Sam Ortiz", "Ruth Kim"]}),
        '{"doc_id": "nurses-strike", "text": "Nurses at St. Agnes',
        "",
        json.dumps({"doc_id": "river-crest", "text": FLOOD}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    corpus = load_corpus(path)

    assert len(corpus) == 3
    assert corpus.loc[1, "problems"] == "bad_json_line:2"
    assert corpus.loc[1, "text"] == ""
    assert corpus.loc[0, "author"] == "Sam Ortiz; Ruth Kim"
    assert list(corpus_report(corpus)["problem"]) == ["bad_json_line:2"]


def test_corpus_report_lists_one_row_per_flag(tmp_path):
    table = pd.DataFrame(
        {"doc_id": ["a", "a", "b"], "text": [PORT, "", STRIKE], "date": ["2026-01-05", "soon", None]}
    )
    report = corpus_report(load_corpus(table))

    assert list(report.columns) == ["doc_id", "problem"]
    assert sorted(zip(report["doc_id"], report["problem"])) == [
        ("a", "bad_date"),
        ("a", "duplicate_id"),
        ("a", "duplicate_id"),
        ("a", "empty"),
    ]
    assert corpus_report(load_corpus(table.iloc[[2]])).empty


# ----------------------------------------------------------------------------------- errors


def test_missing_text_column_error_names_file_column_and_suggestion(tmp_path):
    path = tmp_path / "articles.csv"
    table_of_articles().to_csv(path, index=False)

    with pytest.raises(KeyError) as error:
        load_corpus(path)
    message = str(error.value)
    assert str(path) in message
    assert "'text'" in message and "body" in message and "text_col='body'" in message
    with pytest.raises(ValueError, match="articles.csv"):
        load_corpus(path, text_col="content")


@pytest.mark.parametrize("kind", ["tsv", "jsonl", "parquet", "dataframe"])
def test_missing_text_column_is_an_error_for_every_table_type(tmp_path, kind):
    source, _ = write_source(tmp_path, kind)
    with pytest.raises(KeyError, match="text_col="):
        load_corpus(source, text_col="article_text")


def test_named_id_column_that_is_absent_is_an_error(tmp_path):
    path = tmp_path / "articles.csv"
    table_of_articles().to_csv(path, index=False)
    with pytest.raises(KeyError, match="'story_id'"):
        load_corpus(path, text_col="body", id_col="story_id")


def test_missing_path_names_the_path(tmp_path):
    missing = tmp_path / "no-such-corpus"
    with pytest.raises(FileNotFoundError, match="no-such-corpus"):
        load_corpus(missing)


def test_unknown_file_type_names_the_file_and_supported_types(tmp_path):
    path = tmp_path / "articles.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError) as error:
        load_corpus(path)
    assert "articles.docx" in str(error.value)
    for supported in (".txt", ".csv", ".tsv", ".jsonl", ".parquet"):
        assert supported in str(error.value)


def test_folder_without_text_files_names_the_folder(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "page1.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(ValueError, match="scans"):
        load_corpus(folder)


def test_errors_are_raised_when_iter_corpus_is_called(tmp_path):
    with pytest.raises(FileNotFoundError):
        iter_corpus(tmp_path / "missing.csv")


# ----------------------------------------------------------------------------------- iter_corpus


@pytest.mark.parametrize("kind", ["folder", "csv", "tsv", "jsonl", "parquet", "dataframe"])
def test_iter_corpus_chunks_concatenate_to_load_corpus(tmp_path, kind):
    source, options = write_source(tmp_path, kind)

    chunks = list(iter_corpus(source, chunksize=3, **options))

    assert [len(chunk) for chunk in chunks] == [3, 1]
    assert all(list(chunk.columns) == list(chunks[0].columns) for chunk in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks), load_corpus(source, **options))


@pytest.mark.parametrize("chunksize", [1, 2, 4, 10])
def test_iter_corpus_chunk_sizes(tmp_path, chunksize):
    source, options = write_source(tmp_path, "jsonl")
    sizes = [len(chunk) for chunk in iter_corpus(source, chunksize=chunksize, **options)]
    assert sum(sizes) == len(ARTICLES)
    assert max(sizes) <= chunksize
    assert all(size == chunksize for size in sizes[:-1])


def test_iter_corpus_rejects_a_bad_chunksize(tmp_path):
    source, options = write_source(tmp_path, "csv")
    with pytest.raises(ValueError, match="chunksize"):
        iter_corpus(source, chunksize=0, **options)


def test_chunked_problems_match_the_whole_load(tmp_path):
    path = tmp_path / "articles.jsonl"
    records = [{"doc_id": f"brief-{k}", "text": f"Officials said road {k} reopened on Monday."} for k in range(7)]
    records[4]["text"] = ""
    records[5]["date"] = "someday"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n", encoding="utf-8")

    whole = load_corpus(path)
    chunked = pd.concat(iter_corpus(path, chunksize=2))

    assert list(chunked["problems"]) == list(whole["problems"])
    assert list(whole["problems"][4:]) == ["empty", "bad_date", "", "bad_json_line:8"]


# ----------------------------------------------------------------------------------- real files


def test_bundled_sample_corpus_loads_with_metadata():
    if not any(SAMPLE.glob("*.txt")) or not (SAMPLE / "metadata.csv").is_file():
        pytest.skip("data/sample has no articles with a metadata.csv sidecar")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every metadata row must match a file
        corpus = load_corpus(SAMPLE)

    assert len(corpus) >= 40
    assert corpus["doc_id"].is_unique
    assert corpus["source"].notna().all() and corpus["date"].notna().all()
    assert "story" in corpus.columns
    assert (corpus["problems"] == "").all(), corpus_report(corpus)
    first = corpus.iloc[0]
    raw = (SAMPLE / f"{first['doc_id']}.txt").read_bytes().decode("utf-8")
    assert first["text"] == raw


def test_shared_fixture_article_loads_as_a_single_file():
    if not SHARED_FIXTURE.is_file():
        pytest.skip("shared fixture article not available")
    corpus = load_corpus(SHARED_FIXTURE)
    assert corpus.loc[0, "doc_id"] == SHARED_FIXTURE.stem
    assert corpus.loc[0, "text"] == SHARED_FIXTURE.read_bytes().decode("utf-8-sig")
