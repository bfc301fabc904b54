"""Measure quote extraction and speaker attribution against hand-annotated gold quotes.

The matching rule is the one the project is judged by:

- spans are compared as sets of characters, with surrounding white space and quotation marks
  dropped, so a system may include or leave out the quote marks, and may give an interrupted
  quote ("A," he said, "B.") whole or in pieces;
- a predicted quote is *right* when at least half of its characters lie in one gold quote
  (its best match, the gold quote it shares most characters with);
- a gold quote is *found* when the right predictions matched to it cover at least half of it;
- the speaker is right when a predicted name (``speaker_name`` or the mention ``speaker``)
  matches a gold name (canonical name, mention or a listed alias; case-folded, titles dropped,
  one name's words inside the other's; pronouns never match by name), or when the predicted
  speaker span overlaps the gold speaker span, or when both say there is no speaker;
- end to end (``e2e``) counts only quotes that are right *with* their speaker.

    >>> import toolkit as tk
    >>> corpus, gold = tk.load_gold("data/sample/gold.jsonl")
    >>> quotes = tk.extract_quotes(corpus)
    >>> tk.score((corpus, gold), quotes)          # one row per quote type
    >>> tk.errors((corpus, gold), quotes).sample(10)
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
from ._common import is_missing, trim_span

__all__ = ["load_gold", "score", "errors", "SCORE_COLUMNS", "ERROR_COLUMNS"]

SCORE_COLUMNS = ["type", "gold", "pred", "quote_p", "quote_r", "quote_f1", "speaker_acc_on_right",
                 "e2e_p", "e2e_r", "e2e_f1"]
ERROR_COLUMNS = ["doc_id", "kind", "type", "start", "end", "text", "gold_speaker", "pred_speaker"]
QUOTE_TYPES = ["direct", "indirect", "mixed"]

PRONOUNS = {"he", "she", "they", "i", "we", "it", "him", "her", "them", "his", "hers", "their", "you"}
# Words dropped before comparing names, so "Secretary of State Antony Blinken" matches "Blinken".
TITLE_WORDS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sen", "rep", "gov", "gen", "president", "minister",
               "secretary", "the", "of", "state", "foreign", "vice", "prime", "senator", "representative",
               "governor", "chief", "general", "lt", "col", "sir", "lord", "lady", "mayor", "spokesman",
               "spokeswoman", "spokesperson"}
QUOTE_MARKS_AND_SPACE = set(" \t\r\n\"'“”‘’«»„‟‹›")
_WORD = re.compile(r"[^\W_]+")

_GOLD_QUOTE_COLUMNS = ["doc_id", "gold_id", "start", "end", "text", "type", "fragments", "speaker",
                       "speaker_start", "speaker_end", "speaker_canonical", "speaker_aliases", "cue",
                       "strict"]


# --------------------------------------------------------------------------- loading

def load_gold(path):
    """Read a gold file: JSONL (one document a line) or one JSON document (or a list of them).

    Each document is ``{"doc_id", "text", "quotes": [...], "source"?, "meta"?, "characters"?}`` as
    described in the evaluation README. Returns ``(corpus, gold_quotes)``:

    - ``corpus``: ``doc_id, text, source``, the keys of ``meta`` as columns, and ``problems`` ("");
    - ``gold_quotes``: one row per gold quote: ``doc_id, gold_id`` (f"{doc_id}:g{k}"), ``start, end,
      text, type, fragments, speaker, speaker_start, speaker_end, speaker_canonical,
      speaker_aliases`` (names listed for that character in ``characters``, or []), ``cue``,
      ``strict`` (bool, True unless the annotation says otherwise), and any other annotated field.

    >>> corpus, gold = load_gold("data/sample/gold.jsonl")
    >>> gold[["doc_id", "type", "text", "speaker_canonical"]].head()
    """
    documents = _read_gold_documents(path)
    corpus_rows, quote_rows = [], []
    for doc in documents:
        doc_id = str(doc["doc_id"])
        meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
        corpus_rows.append({"doc_id": doc_id, "text": doc["text"], "source": doc.get("source"),
                            **{k: v for k, v in meta.items() if k not in ("doc_id", "text")}})
        aliases = _character_aliases(doc)
        for k, quote in enumerate(doc.get("quotes") or []):
            row = {"doc_id": doc_id, "gold_id": f"{doc_id}:g{k}", **quote}
            row["doc_id"] = doc_id
            row["strict"] = bool(quote.get("strict", True))
            row["speaker_aliases"] = list(aliases.get(quote.get("speaker_canonical"), []))
            quote_rows.append(row)
    corpus = pd.DataFrame(corpus_rows, columns=_dedupe(["doc_id", "text", "source",
                                                       *[c for r in corpus_rows for c in r]]))
    corpus["problems"] = ""
    gold = pd.DataFrame(quote_rows, columns=_dedupe([*_GOLD_QUOTE_COLUMNS, *[c for r in quote_rows for c in r]]))
    return corpus, gold


def _read_gold_documents(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"gold file not found: {path} (expected a .jsonl file, one document a line, "
                                f"or a .json file holding one document)")
    raw = path.read_text(encoding="utf-8")
    documents = None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON ({err})") from None
        documents = data if isinstance(data, list) else [data]
    else:
        documents = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}, line {number}: not valid JSON ({err}); expected one gold "
                                 f"document a line") from None
    for number, doc in enumerate(documents, start=1):
        if not isinstance(doc, dict) or "doc_id" not in doc or "text" not in doc:
            raise ValueError(f"{path}: document {number} has no 'doc_id' and 'text' "
                             f"(expected {{\"doc_id\", \"text\", \"quotes\": [...]}})")
    return documents


def _character_aliases(doc):
    aliases = {}
    for character in doc.get("characters") or []:
        aliases[character.get("name")] = [character.get("name"), *(character.get("aliases") or [])]
    return aliases


def _dedupe(names):
    return list(dict.fromkeys(names))


def _read_prediction_records(path):
    """One quote a line, or one document a line with a ``quotes`` list."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"predictions file not found: {path} (expected a .jsonl file, one quote a line)")
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}, line {number}: not valid JSON ({err})") from None
            if "quotes" in record and "start" not in record:
                records.extend({**quote, "doc_id": record["doc_id"]} for quote in record["quotes"])
            else:
                records.append(record)
    return records


# --------------------------------------------------------------------------- normalising values

def _clean(value):
    """None for any missing marker, plain Python numbers otherwise."""
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 0) == 0:
        return value.item()
    return value


def _spans(fragments, start, end):
    """[(start, end), ...] from a fragments cell (list, array, JSON string) or the outer span."""
    if isinstance(fragments, str):
        try:
            fragments = json.loads(fragments)
        except json.JSONDecodeError:
            fragments = None
    if fragments is not None and not is_missing(fragments) and len(fragments):
        return [(int(s), int(e)) for s, e in fragments]
    return [(int(start), int(end))]


def _records(frame):
    return [{key: _clean(value) for key, value in row.items()} for row in frame.to_dict("records")]


# --------------------------------------------------------------------------- the matching rule

def _name_words(name):
    return {w for w in _WORD.findall((name or "").casefold()) if w not in TITLE_WORDS}


def _is_pronoun(name):
    return bool(name) and name.strip().casefold() in PRONOUNS


def _names_match(predicted, gold):
    if not predicted or not gold or _is_pronoun(predicted) or _is_pronoun(gold):
        return False
    p, g = _name_words(predicted), _name_words(gold)
    return bool(p) and bool(g) and (p <= g or g <= p)


def _trim(text, start, end):
    return trim_span(text, start, end, QUOTE_MARKS_AND_SPACE)


def _charset(text, spans):
    chars = set()
    for start, end in spans:
        start, end = _trim(text, start, end)
        chars.update(range(start, end))
    return chars


def _quote_type(record):
    return record.get("type") or "direct"


def _speaker_right(pred, gold):
    has_gold = bool(gold.get("speaker") or gold.get("speaker_canonical"))
    pred_names = (pred.get("speaker_name"), pred.get("speaker_canonical"), pred.get("speaker"))
    if not has_gold:
        return not any(pred_names)
    if any(_names_match(p, g) for p in pred_names for g in gold["names"]):
        return True
    spans = (gold.get("speaker_start"), gold.get("speaker_end"), pred.get("speaker_start"), pred.get("speaker_end"))
    if None in spans:
        return False
    gs, ge, ps, pe = spans
    return min(ge, pe) > max(gs, ps)


def _prepare_gold(gold, *, types, strict_only):
    """doc_id -> (text, [gold quote dicts with chars, names, ignore]); later duplicates of a doc_id win."""
    corpus, gold_quotes = _as_gold_pair(gold)
    texts = {}
    for doc_id, text in zip(corpus["doc_id"].astype(str), corpus["text"]):
        texts[doc_id] = "" if is_missing(text) else text
    quotes_by_doc = defaultdict(list)
    if len(gold_quotes):
        if "doc_id" not in gold_quotes.columns:
            raise KeyError(f"gold quotes need a 'doc_id' column; found {list(gold_quotes.columns)}")
        for record in _records(gold_quotes.assign(doc_id=gold_quotes["doc_id"].astype(str))):
            quotes_by_doc[record["doc_id"]].append(record)
    docs = {}
    for doc_id, text in texts.items():
        kept = []
        for record in quotes_by_doc.get(doc_id, []):
            if types is not None and _quote_type(record) not in types:
                continue
            strict = record.get("strict")
            aliases = record.get("speaker_aliases")
            record["ignore"] = strict_only and strict is not None and not strict
            record["chars"] = _charset(text, _spans(record.get("fragments"), record["start"], record["end"]))
            record["names"] = [record.get("speaker_canonical"), record.get("speaker"),
                               *([] if aliases is None or is_missing(aliases) else list(aliases))]
            if record["chars"]:
                kept.append(record)
        docs[doc_id] = (text, kept)
    return docs


def _as_gold_pair(gold):
    if isinstance(gold, (str, Path)):
        return load_gold(gold)
    if isinstance(gold, tuple) and len(gold) == 2:
        corpus, gold_quotes = gold
        for name, frame, needed in (("corpus", corpus, ("doc_id", "text")),
                                    ("gold quotes", gold_quotes, ("doc_id", "start", "end"))):
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"gold {name} must be a DataFrame, got {type(frame).__name__}")
            missing = [c for c in needed if c not in frame.columns]
            if missing and (name == "corpus" or len(frame)):
                raise KeyError(f"gold {name} lacks column(s) {missing}; found {list(frame.columns)}")
        return corpus, gold_quotes
    raise TypeError("gold must be a path to a gold file or a (corpus, gold_quotes) pair of DataFrames, "
                    f"got {type(gold).__name__}")


def _prepare_predictions(quotes):
    """doc_id -> [prediction dicts] from a quote table or a JSONL path."""
    if isinstance(quotes, (str, Path)):
        records = [{k: _clean(v) for k, v in r.items()} for r in _read_prediction_records(quotes)]
    elif isinstance(quotes, pd.DataFrame):
        needed = [c for c in ("doc_id", "start", "end") if c not in quotes.columns]
        if needed and len(quotes):
            raise KeyError(f"quote table lacks column(s) {needed}; found {list(quotes.columns)}")
        records = _records(quotes) if len(quotes) else []
    else:
        raise TypeError(f"quotes must be a DataFrame or a path to a JSONL file, got {type(quotes).__name__}")
    predictions = defaultdict(list)
    for record in records:
        predictions[str(record["doc_id"])].append(record)
    return predictions


def _match(docs, predictions, types):
    """Apply the matching rule; return (one outcome per counted prediction, one per counted gold quote)."""
    pred_outcomes, gold_outcomes = [], []
    for doc_id, (text, gold_quotes) in docs.items():
        golds_at = defaultdict(list)        # character offset -> indexes of gold quotes holding it
        for index, gold in enumerate(gold_quotes):
            for char in gold["chars"]:
                golds_at[char].append(index)
        cover = defaultdict(set)            # gold index -> characters covered by right predictions
        cover_with_speaker = defaultdict(set)
        for pred in predictions.get(doc_id, []):
            if types is not None and _quote_type(pred) not in types:
                continue
            chars = _charset(text, _spans(pred.get("fragments"), pred.get("start"), pred.get("end")))
            best, shared = _best_gold(chars, gold_quotes, golds_at)
            half_inside = bool(chars) and 2 * len(shared) >= len(chars)
            if best is not None and gold_quotes[best]["ignore"] and half_inside:
                continue  # borderline gold quote: neither rewards nor punishes
            outcome = {"doc_id": doc_id, "pred": pred, "gold": None, "right": False, "speaker_right": False}
            if best is not None and half_inside:
                gold = gold_quotes[best]
                outcome.update(gold=gold, right=True, speaker_right=_speaker_right(pred, gold))
                cover[best] |= shared
                if outcome["speaker_right"]:
                    cover_with_speaker[best] |= shared
            pred_outcomes.append(outcome)
        for index, gold in enumerate(gold_quotes):
            if gold["ignore"]:
                continue
            needed = len(gold["chars"])
            gold_outcomes.append({"doc_id": doc_id, "gold": gold,
                                  "found": 2 * len(cover[index]) >= needed,
                                  "found_with_speaker": 2 * len(cover_with_speaker[index]) >= needed})
    return pred_outcomes, gold_outcomes


def _best_gold(chars, gold_quotes, golds_at):
    """The gold quote sharing most characters with ``chars`` (the first one on ties) and those characters."""
    shared_counts = defaultdict(int)
    for char in chars:
        for index in golds_at.get(char, ()):
            shared_counts[index] += 1
    if not shared_counts:
        return None, set()
    best = min(shared_counts, key=lambda index: (-shared_counts[index], index))
    return best, chars & gold_quotes[best]["chars"]


def _figures(pred_outcomes, gold_outcomes):
    n_pred, n_gold = len(pred_outcomes), len(gold_outcomes)
    right = sum(o["right"] for o in pred_outcomes)
    right_speaker = sum(o["speaker_right"] for o in pred_outcomes)
    found = sum(o["found"] for o in gold_outcomes)
    found_speaker = sum(o["found_with_speaker"] for o in gold_outcomes)

    def f1(p, r):
        return round(2 * p * r / (p + r), 4) if p + r else 0.0

    qp, qr = (right / n_pred if n_pred else 0.0), (found / n_gold if n_gold else 0.0)
    ep, er = (right_speaker / n_pred if n_pred else 0.0), (found_speaker / n_gold if n_gold else 0.0)
    return {"gold": n_gold, "pred": n_pred, "quote_p": round(qp, 4), "quote_r": round(qr, 4),
            "quote_f1": f1(qp, qr), "speaker_acc_on_right": round(right_speaker / right, 4) if right else 0.0,
            "e2e_p": round(ep, 4), "e2e_r": round(er, 4), "e2e_f1": f1(ep, er)}


def _parse_types(types):
    if types is None:
        return None
    if isinstance(types, str):
        types = [t for t in types.split(",") if t.strip()]
    return {t.strip() for t in types}


# --------------------------------------------------------------------------- public API

def score(gold, quotes, *, types=None, strict_only=False):
    """Precision, recall and F1 of quote spans and of quote + speaker, overall and per quote type.

    ``gold``: a gold file path (see :func:`load_gold`) or a ``(corpus, gold_quotes)`` pair.
    ``quotes``: a quote table (from ``extract_quotes``) or a path to a JSONL file (one quote a line,
    or one document a line with a ``quotes`` list). Only documents in the gold are scored.
    ``types``: e.g. ``"direct,mixed"`` or ``["direct", "mixed"]`` — scores only those types, on both
    sides. ``strict_only=True`` ignores gold quotes annotated ``strict: false`` (borderline speech).

    Returns one row per type: ``all`` first, then ``direct, indirect, mixed`` where present in the
    gold or the predictions, with columns ``type, gold, pred`` (counts), ``quote_p, quote_r,
    quote_f1`` (spans), ``speaker_acc_on_right`` (share of right quotes with the right speaker),
    ``e2e_p, e2e_r, e2e_f1`` (quote and speaker both right). Figures are rounded to 4 places.

    >>> score("data/sample/gold.jsonl", quotes, types="direct,mixed")
        type  gold  pred  quote_p  quote_r  quote_f1  speaker_acc_on_right  e2e_p  e2e_r  e2e_f1
    0    all   ...
    """
    wanted = _parse_types(types)
    predictions = _prepare_predictions(quotes)
    pair = _as_gold_pair(gold)
    rows = [{"type": "all", **_figures(*_match(_prepare_gold(pair, types=wanted, strict_only=strict_only),
                                                predictions, wanted))}]
    present = set(pair[1]["type"].fillna("direct")) if "type" in pair[1].columns and len(pair[1]) else set()
    if len(pair[1]) and "type" not in pair[1].columns:
        present.add("direct")
    present |= {_quote_type(p) for preds in predictions.values() for p in preds}
    for quote_type in [t for t in QUOTE_TYPES if t in present]:
        if wanted is not None and quote_type not in wanted:
            continue
        only = {quote_type}
        docs = _prepare_gold(pair, types=only, strict_only=strict_only)
        rows.append({"type": quote_type, **_figures(*_match(docs, predictions, only))})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def errors(gold, quotes, *, types=None, strict_only=False):
    """Every mistake, one row each, for checking a sample by eye.

    ``kind`` is ``false_positive`` (a predicted quote that matches no gold quote), ``missed`` (a gold
    quote no prediction finds) or ``wrong_speaker`` (a right quote with the wrong speaker). Same
    arguments and matching rule as :func:`score`.

    Columns: ``doc_id, kind, type, start, end, text`` (the predicted span for false positives and
    wrong speakers, the gold span for misses), ``gold_speaker`` (canonical name, else the mention),
    ``pred_speaker`` (resolved name, else the mention).

    >>> mistakes = errors("data/sample/gold.jsonl", quotes)
    >>> mistakes["kind"].value_counts()
    >>> mistakes[mistakes["kind"] == "wrong_speaker"].head()
    """
    wanted = _parse_types(types)
    pair = _as_gold_pair(gold)
    docs = _prepare_gold(pair, types=wanted, strict_only=strict_only)
    pred_outcomes, gold_outcomes = _match(docs, _prepare_predictions(quotes), wanted)
    rows = []

    def gold_speaker(g):
        return g.get("speaker_canonical") or g.get("speaker")

    def pred_speaker(p):
        return p.get("speaker_name") or p.get("speaker_canonical") or p.get("speaker")

    def pred_row(outcome, kind):
        pred, text = outcome["pred"], docs[outcome["doc_id"]][0]
        spans = _spans(pred.get("fragments"), pred.get("start"), pred.get("end"))
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        return {"doc_id": outcome["doc_id"], "kind": kind, "type": _quote_type(pred), "start": start,
                "end": end, "text": text[start:end],
                "gold_speaker": gold_speaker(outcome["gold"]) if outcome["gold"] else None,
                "pred_speaker": pred_speaker(pred)}

    for outcome in pred_outcomes:
        if not outcome["right"]:
            rows.append(pred_row(outcome, "false_positive"))
        elif not outcome["speaker_right"]:
            rows.append(pred_row(outcome, "wrong_speaker"))
    for outcome in gold_outcomes:
        if not outcome["found"]:
            g, text = outcome["gold"], docs[outcome["doc_id"]][0]
            start, end = int(g["start"]), int(g["end"])
            rows.append({"doc_id": outcome["doc_id"], "kind": "missed", "type": _quote_type(g), "start": start,
                         "end": end, "text": text[start:end], "gold_speaker": gold_speaker(g),
                         "pred_speaker": None})
    frame = pd.DataFrame(rows, columns=ERROR_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"}) if len(frame) else frame
