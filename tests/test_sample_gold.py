"""The bundled sample corpus (data/sample) and its gold quote annotations are consistent."""

import csv
import datetime as dt
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
QUOTE_TYPES = {"direct", "indirect", "mixed"}
SPEAKER_KINDS = {"person", "organization", "unnamed source"}
OPENING_MARKS = "“‘\"'"
CLOSING_MARKS = "”’\"'"
CURLY_MARKS = set("“”‘")
STRAIGHT_MARKS = set('"')


def _metadata():
    with (SAMPLE / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _gold():
    with (SAMPLE / "gold.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def metadata():
    return _metadata()


@pytest.fixture(scope="module")
def gold():
    return _gold()


def _article_files():
    return {path.stem: path for path in SAMPLE.glob("*.txt")}


def test_corpus_is_big_and_varied_enough(metadata, gold):
    assert len(gold) >= 40
    assert len({row["source"] for row in metadata}) >= 4
    dates = [dt.date.fromisoformat(row["date"]) for row in metadata]
    assert (max(dates) - min(dates)).days >= 120, "dates should span at least four months"
    assert all(date.year == 2026 for date in dates)


def test_every_story_has_at_least_five_articles(metadata):
    per_story = Counter(row["story"] for row in metadata)
    assert len(per_story) >= 4
    thin = {story: n for story, n in per_story.items() if n < 5}
    assert not thin, f"stories with fewer than 5 articles: {thin}"


def test_metadata_and_article_files_match(metadata, gold):
    files = _article_files()
    listed = [row["doc_id"] for row in metadata]
    assert len(listed) == len(set(listed)), "duplicate doc_id in metadata.csv"
    assert sorted(set(listed) - set(files)) == [], "metadata rows without a .txt file"
    assert sorted(set(files) - set(listed)) == [], ".txt files missing from metadata.csv"
    assert sorted(doc["doc_id"] for doc in gold) == sorted(listed)


def test_metadata_rows_are_well_formed(metadata):
    for row in metadata:
        doc_id = row["doc_id"]
        text = (SAMPLE / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert row["title"] == text.split("\n", 1)[0], f"{doc_id}: title is not the headline"
        dt.date.fromisoformat(row["date"])
        assert row["url"].startswith("https://example.org/"), f"{doc_id}: url should be fictional"
        assert row["source"] and row["story"], f"{doc_id}: source and story are required"


def test_articles_have_headline_blank_line_and_news_length():
    for doc_id, path in _article_files().items():
        text = path.read_text(encoding="utf-8")
        headline, blank, *paragraphs = text.split("\n", 2)
        assert headline.strip() and blank == "", f"{doc_id}: expected headline then a blank line"
        words = len(text.split())
        assert 150 <= words <= 450, f"{doc_id}: {words} words"
        assert "\r" not in text and "\n\n\n" not in text, f"{doc_id}: paragraphs must be split by one blank line"


def test_gold_text_is_exactly_the_file_content(gold, metadata):
    meta = {row["doc_id"]: row for row in metadata}
    for doc in gold:
        with open(SAMPLE / f"{doc['doc_id']}.txt", encoding="utf-8") as handle:
            assert doc["text"] == handle.read(), doc["doc_id"]
        row = meta[doc["doc_id"]]
        assert doc["source"] == row["source"]
        assert doc["meta"] == {"title": row["title"], "date": row["date"], "story": row["story"]}


def test_every_offset_slices_to_its_recorded_string(gold):
    for doc in gold:
        text = doc["text"]
        for quote in doc["quotes"]:
            where = f"{doc['doc_id']} quote {quote['text'][:40]!r}"
            assert text[quote["start"]:quote["end"]] == quote["text"], where
            for field in ("speaker", "cue"):
                if quote[field] is None:
                    assert quote[f"{field}_start"] is None and quote[f"{field}_end"] is None, where
                else:
                    assert text[quote[f"{field}_start"]:quote[f"{field}_end"]] == quote[field], where
            assert quote["start"] <= quote["inner_start"] <= quote["inner_end"] <= quote["end"], where
        for term in doc["not_quotes"]:
            assert text[term["start"]:term["end"]] == term["text"], doc["doc_id"]


def test_fragments_are_ordered_and_inside_the_quote(gold):
    for doc in gold:
        for quote in doc["quotes"]:
            where = f"{doc['doc_id']} quote {quote['text'][:40]!r}"
            fragments = quote["fragments"]
            assert fragments, where
            assert fragments[0][0] == quote["start"] and fragments[-1][1] == quote["end"], where
            for (s1, e1), (s2, e2) in zip(fragments, fragments[1:]):
                assert e1 <= s2, f"{where}: fragments overlap"
            assert all(quote["start"] <= s < e <= quote["end"] for s, e in fragments), where


def test_types_kinds_and_flags_are_valid(gold):
    for doc in gold:
        for quote in doc["quotes"]:
            where = f"{doc['doc_id']} quote {quote['text'][:40]!r}"
            assert quote["type"] in QUOTE_TYPES, where
            assert isinstance(quote["strict"], bool), where
            if quote["speaker_canonical"] is not None:
                assert quote["speaker_kind"] in SPEAKER_KINDS, where


def test_direct_quote_fragments_sit_between_quote_marks(gold):
    for doc in gold:
        text = doc["text"]
        for quote in (q for q in doc["quotes"] if q["type"] == "direct"):
            for start, end in quote["fragments"]:
                where = f"{doc['doc_id']} fragment {text[start:end][:40]!r}"
                assert text[start - 1] in OPENING_MARKS, where
                closed = end < len(text) and text[end] in CLOSING_MARKS
                paragraph_ends = text[end:end + 2] == "\n\n"
                assert closed or paragraph_ends, where


def test_speaker_and_cue_lie_outside_the_quoted_words(gold):
    for doc in gold:
        for quote in doc["quotes"]:
            for field in ("speaker", "cue"):
                if quote[field] is None:
                    continue
                span = (quote[f"{field}_start"], quote[f"{field}_end"])
                for start, end in quote["fragments"]:
                    assert span[1] <= start or span[0] >= end, f"{doc['doc_id']}: {field} inside {quote['text'][:40]!r}"


def test_not_quotes_are_not_annotated_as_direct_quotes(gold):
    for doc in gold:
        direct_spans = {(q["start"], q["end"]) for q in doc["quotes"] if q["type"] == "direct"}
        for term in doc["not_quotes"]:
            assert (term["start"], term["end"]) not in direct_spans, doc["doc_id"]


def test_corpus_uses_both_curly_and_straight_quote_marks(gold):
    characters = set("".join(doc["text"] for doc in gold))
    assert characters & CURLY_MARKS
    assert characters & STRAIGHT_MARKS


def test_annotations_cover_every_quote_type_and_speaker_kind(gold):
    quotes = [q for doc in gold for q in doc["quotes"]]
    assert {q["type"] for q in quotes} == QUOTE_TYPES
    assert {q["speaker_kind"] for q in quotes} >= SPEAKER_KINDS
    assert any(len(q["fragments"]) > 1 for q in quotes), "no interrupted or multi-paragraph quote"
    assert any(doc["not_quotes"] for doc in gold)


def test_builder_regenerates_gold_identically():
    spec = importlib.util.spec_from_file_location("sample_build_gold", SAMPLE / "build_gold.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    rebuilt = builder.build_gold()
    assert rebuilt == (SAMPLE / "gold.jsonl").read_text(encoding="utf-8"), "run data/sample/build_gold.py"
