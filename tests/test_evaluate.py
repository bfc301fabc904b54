"""toolkit.evaluate: the matching rule on small news texts, and agreement with the reference scorer."""
import json
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from toolkit.evaluate import ERROR_COLUMNS, SCORE_COLUMNS, errors, load_gold, score

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE_SCORER = SHARED / "scorer" / "score_quotes.py"
FIGURES = [c for c in SCORE_COLUMNS if c != "type"]

TEXT = (
    "Port plan divides council\n\n"
    "“We will not sell the harbor,” Mayor Lena Brandt said on Tuesday. “Not this year, not ever.”\n\n"
    "Her rival, councillor Tomás Ruiz, said the deal was “a gift to developers” and warned that fees would rise.\n\n"
    "The so-called “blue corridor” has divided residents for months."
)


def span(snippet, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(snippet, start + 1)
    return start, start + len(snippet)


def gold_pair():
    first, second = span("We will not sell the harbor,"), span("Not this year, not ever.")
    mixed = span("the deal was “a gift to developers”")
    indirect = span("fees would rise")
    brandt, ruiz = span("Mayor Lena Brandt"), span("Tomás Ruiz")
    rows = [
        {"doc_id": "port-1", "start": first[0], "end": second[1], "type": "direct",
         "fragments": [list(first), list(second)], "speaker": "Mayor Lena Brandt",
         "speaker_start": brandt[0], "speaker_end": brandt[1], "speaker_canonical": "Lena Brandt", "strict": True},
        {"doc_id": "port-1", "start": mixed[0], "end": mixed[1], "type": "mixed", "fragments": [list(mixed)],
         "speaker": "Tomás Ruiz", "speaker_start": ruiz[0], "speaker_end": ruiz[1],
         "speaker_canonical": "Tomás Ruiz", "strict": True},
        {"doc_id": "port-1", "start": indirect[0], "end": indirect[1], "type": "indirect",
         "fragments": [list(indirect)], "speaker": "Tomás Ruiz", "speaker_start": ruiz[0],
         "speaker_end": ruiz[1], "speaker_canonical": "Tomás Ruiz", "strict": False},
    ]
    for row in rows:
        row["text"] = TEXT[row["start"]:row["end"]]
    return pd.DataFrame({"doc_id": ["port-1"], "text": [TEXT]}), pd.DataFrame(rows)


def predicted(rows):
    columns = ["doc_id", "start", "end", "type", "fragments", "speaker", "speaker_start", "speaker_end",
               "speaker_name"]
    return pd.DataFrame([{"doc_id": "port-1", "fragments": None, **row} for row in rows], columns=columns)


def row_of(table, quote_type="all"):
    return table.set_index("type").loc[quote_type]


# --------------------------------------------------------------------------- the matching rule

def test_perfect_predictions_score_one_and_rows_follow_types():
    corpus, gold = gold_pair()
    table = score((corpus, gold), gold.drop(columns=["speaker_canonical"]).assign(speaker_name=gold["speaker_canonical"]))
    assert list(table.columns) == SCORE_COLUMNS
    assert list(table["type"]) == ["all", "direct", "indirect", "mixed"]
    assert (table[["quote_f1", "e2e_f1", "speaker_acc_on_right"]] == 1.0).all().all()
    assert row_of(table)["gold"] == 3 and row_of(table, "mixed")["gold"] == 1


def test_quote_marks_are_ignored_and_interrupted_quote_may_come_whole():
    corpus, gold = gold_pair()
    with_marks = span("“We will not sell the harbor,” Mayor Lena Brandt said on Tuesday. “Not this year, not ever.”")
    # one span over both pieces, marks included: half of it lies in the gold quote, so it is right
    preds = predicted([{"start": with_marks[0], "end": with_marks[1], "type": "direct",
                        "speaker": "Brandt", "speaker_name": "Lena Brandt"}])
    table = score((corpus, gold), preds, types="direct")
    assert list(table["type"]) == ["all", "direct"]
    assert row_of(table)[["gold", "pred", "quote_p", "quote_r", "e2e_f1"]].tolist() == [1, 1, 1.0, 1.0, 1.0]


def test_a_piece_covering_less_than_half_does_not_find_the_quote():
    corpus, gold = gold_pair()
    second = span("Not this year, not ever.")       # shorter than half of the interrupted quote
    preds = predicted([{"start": second[0], "end": second[1], "type": "direct", "speaker_name": "Lena Brandt"}])
    figures = row_of(score((corpus, gold), preds, types=["direct"]))
    assert figures["quote_p"] == 1.0 and figures["quote_r"] == 0.0
    both = predicted([{"start": s, "end": e, "type": "direct", "speaker_name": "Lena Brandt"}
                      for s, e in (span("We will not sell the harbor,"), second)])
    assert row_of(score((corpus, gold), both, types=["direct"]))["quote_r"] == 1.0


def test_speaker_by_name_words_by_span_and_never_by_pronoun():
    corpus, gold = gold_pair()
    quote = span("We will not sell the harbor,")
    brandt = span("Lena Brandt")
    cases = [({"speaker_name": "Brandt"}, True),                       # surname inside the canonical name
             ({"speaker_name": "Ms. Lena Brandt"}, True),              # honorific dropped
             ({"speaker_name": "Tomás Ruiz"}, False),
             ({"speaker": "she", "speaker_name": "she"}, False),       # pronouns never match by name
             ({"speaker": "she", "speaker_start": brandt[0], "speaker_end": brandt[1]}, True),  # overlapping span
             ({}, False)]
    for speaker_fields, expected in cases:
        preds = predicted([{"start": quote[0], "end": quote[1], "type": "direct", **speaker_fields}])
        figures = row_of(score((corpus, gold), preds, types="direct"))
        assert figures["quote_p"] == 1.0, speaker_fields
        assert figures["e2e_p"] == (1.0 if expected else 0.0), speaker_fields


def test_strict_only_ignores_borderline_gold_both_ways():
    corpus, gold = gold_pair()
    fees = span("fees would rise")
    preds = predicted([{"start": fees[0], "end": fees[1], "type": "indirect", "speaker_name": "Ruiz"}])
    assert row_of(score((corpus, gold), preds))[["gold", "pred"]].tolist() == [3, 1]
    strict = row_of(score((corpus, gold), preds, strict_only=True))
    assert strict[["gold", "pred", "quote_r"]].tolist() == [2, 0, 0.0]


def test_errors_lists_false_positives_misses_and_wrong_speakers():
    corpus, gold = gold_pair()
    harbor, scare = span("We will not sell the harbor,"), span("blue corridor")
    mixed = span("the deal was “a gift to developers”")
    preds = predicted([
        {"start": harbor[0] - 1, "end": span("not ever.")[1] + 1, "type": "direct", "speaker_name": "Brandt"},
        {"start": mixed[0], "end": mixed[1], "type": "mixed", "speaker_name": "Lena Brandt"},
        {"start": scare[0], "end": scare[1], "type": "direct", "speaker_name": None},
    ])
    found = errors((corpus, gold), preds)
    assert list(found.columns) == ERROR_COLUMNS
    by_kind = {kind: group for kind, group in found.groupby("kind")}
    assert set(by_kind) == {"false_positive", "missed", "wrong_speaker"}
    assert by_kind["false_positive"]["text"].tolist() == ["blue corridor"]
    assert by_kind["missed"]["text"].tolist() == ["fees would rise"]
    wrong = by_kind["wrong_speaker"].iloc[0]
    assert (wrong["gold_speaker"], wrong["pred_speaker"]) == ("Tomás Ruiz", "Lena Brandt")
    for row in found.itertuples():
        assert TEXT[row.start:row.end] == row.text
    table = row_of(score((corpus, gold), preds))
    assert len(by_kind["false_positive"]) == table["pred"] - round(table["quote_p"] * table["pred"])


def test_inputs_are_not_mutated_and_predictions_outside_gold_are_ignored():
    corpus, gold = gold_pair()
    before = gold.copy(deep=True)
    preds = predicted([{"start": 0, "end": 10, "type": "direct"}]).assign(doc_id="another-article")
    table = score((corpus, gold), preds)
    assert row_of(table)["pred"] == 0 and row_of(table)["quote_r"] == 0.0
    pd.testing.assert_frame_equal(gold, before)


def test_load_gold_reads_jsonl_and_single_json_document(tmp_path):
    corpus, gold = gold_pair()
    document = {"doc_id": "port-1", "text": TEXT, "source": "Harbor Post", "meta": {"title": "Port plan"},
                "quotes": json.loads(gold.to_json(orient="records"))}
    (tmp_path / "gold.jsonl").write_text(json.dumps(document) + "\n\n", encoding="utf-8")
    (tmp_path / "gold.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    for name in ("gold.jsonl", "gold.json"):
        loaded_corpus, loaded_gold = load_gold(tmp_path / name)
        assert loaded_corpus[["doc_id", "text", "source", "title"]].values.tolist() == [
            ["port-1", TEXT, "Harbor Post", "Port plan"]]
        assert loaded_gold["strict"].tolist() == [True, True, False]
        for row in loaded_gold.itertuples():
            assert TEXT[row.start:row.end] == row.text
        assert score(tmp_path / name, gold).equals(score((corpus, gold), gold))


def test_bad_gold_and_prediction_files_name_the_path(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        load_gold(missing)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"doc_id": "a", "text": "x"}\n{not json\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.jsonl, line 2"):
        load_gold(broken)
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        score(gold_pair(), missing)


# --------------------------------------------------------------------------- agreement with the reference scorer

def _perturbed_predictions(documents, seed):
    """Gold quotes with noise: some dropped, some shifted, some with wrong speakers, plus junk spans."""
    rng = random.Random(seed)
    predictions = []
    for doc in documents:
        text, quotes = doc["text"], doc.get("quotes", [])
        names = [q.get("speaker_canonical") or q.get("speaker") for q in quotes if q.get("speaker")] or ["Nobody"]
        for q in quotes:
            roll = rng.random()
            if roll < 0.15:
                continue
            pred = {"doc_id": doc["doc_id"], "start": q["start"], "end": q["end"], "type": q.get("type"),
                    "speaker": q.get("speaker"), "speaker_start": q.get("speaker_start"),
                    "speaker_end": q.get("speaker_end"), "speaker_name": q.get("speaker_canonical")}
            if roll < 0.35:      # shift, sometimes past the half-way mark
                length = q["end"] - q["start"]
                shift = int(length * rng.choice([0.2, 0.45, 0.55, 0.8]))
                pred["start"], pred["end"] = min(len(text), q["start"] + shift), min(len(text), q["end"] + shift)
            elif roll < 0.5:     # wrong speaker, mention given without a span
                pred.update(speaker=rng.choice(["he", "she", "officials"]), speaker_start=None, speaker_end=None,
                            speaker_name=rng.choice(names))
            elif roll < 0.6:     # interrupted quotes sent as pieces, others with a fragments list
                pred["fragments"] = q.get("fragments")
            elif roll < 0.65:
                pred["type"] = rng.choice(["direct", "indirect", "mixed", None])
            predictions.append(pred)
        for _ in range(max(1, len(quotes) // 5)):   # junk spans
            start = rng.randrange(0, max(1, len(text) - 40))
            predictions.append({"doc_id": doc["doc_id"], "start": start, "end": start + rng.randrange(1, 40),
                                "type": rng.choice(["direct", "indirect", "mixed"]), "speaker": None,
                                "speaker_start": None, "speaker_end": None, "speaker_name": None})
    rng.shuffle(predictions)
    return predictions


def _reference(gold_path, pred_path, *options):
    result = subprocess.run([sys.executable, str(REFERENCE_SCORER), str(gold_path), str(pred_path), *options],
                            capture_output=True, text=True, check=True, timeout=300)
    return json.loads(result.stdout.splitlines()[0])


def _dataset(name, tmp_path):
    if not REFERENCE_SCORER.exists():
        pytest.skip("../shared (reference scorer) not available")
    if name == "seed":
        path = SHARED / "fixtures" / "seed_article.gold.json"
        documents = [json.loads(path.read_text(encoding="utf-8"))] if path.exists() else []
    else:
        path = SHARED / "eval" / name / "dev.jsonl"
        documents = []
        if path.exists():
            limit = 40 if name == "polnear" else 1
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    documents.append(json.loads(line))
                    if len(documents) == limit:
                        break
    if not documents:
        pytest.skip(f"{path} not available")
    gold_path = tmp_path / f"{name}.gold.jsonl"
    gold_path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    return documents, gold_path


@pytest.mark.parametrize("name, option_sets", [
    ("polnear", [(), ("--types", "direct,mixed"), ("--types", "indirect")]),
    ("seed", [(), ("--strict-only",), ("--types", "direct", "--strict-only")]),
    ("pdnc", [(), ("--types", "direct")]),
])
def test_same_figures_as_reference_scorer(name, option_sets, tmp_path):
    documents, gold_path = _dataset(name, tmp_path)
    predictions = _perturbed_predictions(documents, seed=len(name))
    pred_path = tmp_path / f"{name}.pred.jsonl"
    pred_path.write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    as_table = pd.DataFrame(predictions)
    for options in option_sets:
        types = options[options.index("--types") + 1] if "--types" in options else None
        strict_only = "--strict-only" in options
        expected = _reference(gold_path, pred_path, *options)
        assert 0 < expected["quote_f1"] < 1, "perturbation should leave both hits and mistakes"
        for quotes in (pred_path, as_table):
            table = score(gold_path, quotes, types=types, strict_only=strict_only)
            assert row_of(table)[FIGURES].to_dict() == expected, (name, options)
            wanted = types.split(",") if types else ["direct", "indirect", "mixed"]
            for quote_type in table["type"][1:]:
                assert quote_type in wanted
                single = _reference(gold_path, pred_path, "--types", quote_type, *(["--strict-only"] if strict_only else []))
                assert row_of(table, quote_type)[FIGURES].to_dict() == single, (name, options, quote_type)
