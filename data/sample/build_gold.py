"""Rebuild ``data/sample/gold.jsonl`` from the article files and ``gold.spec``.

Run from anywhere::

    python data/sample/build_gold.py          # writes gold.jsonl next to this file
    python data/sample/build_gold.py --check  # fails if gold.jsonl is out of date

The annotations live in ``gold.spec`` as short text snippets, never as character
offsets: this script finds every snippet in the article text, asserts that the match
is unambiguous, and computes the offsets. The output is deterministic (documents
sorted by ``doc_id``, quotes by ``start``), so re-running it on unchanged inputs gives
a byte-identical ``gold.jsonl``. The spec format is described in ``data/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC_PATH = HERE / "gold.spec"
METADATA_PATH = HERE / "metadata.csv"
GOLD_PATH = HERE / "gold.jsonl"

TYPE_CODES = {"D": "direct", "I": "indirect", "M": "mixed"}
CLOSERS = {"“": "”", '"': '"', "‘": "’", "'": "'"}
ELLIPSIS = " ... "
FRAGMENT_SEP = " || "
# Snippets found further than this from their quote are reported for a human look.
MAX_CUE_GAP = 160
MAX_SPEAKER_GAP = 200


class SpecError(ValueError):
    """An annotation that cannot be placed unambiguously in its article."""


def _occurrences(text: str, snippet: str, *, word: bool) -> list[int]:
    pattern = re.escape(snippet)
    if word:
        pattern = r"(?<!\w)" + pattern + r"(?!\w)"
    return [m.start() for m in re.finditer(pattern, text)]


def _split_anchor(field: str) -> tuple[str, int, int]:
    """Return (search string, offset of the marked part, its length) for 'a [b] c'."""
    if "[" not in field:
        return field, 0, len(field)
    left, rest = field.split("[", 1)
    if "]" not in rest:
        raise SpecError(f"unclosed [ in {field!r}")
    marked, right = rest.split("]", 1)
    return left + marked + right, len(left), len(marked)


def _gap(start: int, end: int, ref: tuple[int, int]) -> int:
    if end <= ref[0]:
        return ref[0] - end
    if start >= ref[1]:
        return start - ref[1]
    return 0


def _locate_near(text: str, field: str, ref: tuple[int, int], blocked: list[list[int]],
                 *, what: str, doc_id: str) -> tuple[int, int]:
    """Find the occurrence of ``field`` nearest to the span ``ref`` outside ``blocked``."""
    search, offset, length = _split_anchor(field)
    candidates = []
    for pos in _occurrences(text, search, word=True):
        start, end = pos + offset, pos + offset + length
        if any(start < b_end and end > b_start for b_start, b_end in blocked):
            continue
        # A mention in another paragraph only wins when nothing closer exists.
        between = text[end:ref[0]] if end <= ref[0] else text[ref[1]:start]
        penalty = 10_000 if "\n" in between else 0
        candidates.append((_gap(start, end, ref) + penalty, start, end))
    if not candidates:
        raise SpecError(f"{doc_id}: {what} {field!r} not found outside the quote")
    candidates.sort()
    if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
        raise SpecError(f"{doc_id}: {what} {field!r} is ambiguous; add [context]")
    return candidates[0][1], candidates[0][2]


def _unique(text: str, field: str, *, what: str, doc_id: str, after: int = 0) -> tuple[int, int]:
    search, offset, length = _split_anchor(field)
    found = [p for p in _occurrences(text, search, word=False) if p >= after]
    if after:
        found = found[:1]
    if len(found) != 1:
        raise SpecError(f"{doc_id}: {what} {field!r} found {len(found)} times")
    return found[0] + offset, found[0] + offset + length


def _direct_fragments(text: str, prefixes: list[str], doc_id: str) -> list[list[int]]:
    """Extend each prefix to its closing quote mark, following reopened paragraphs."""
    fragments: list[list[int]] = []
    for prefix in prefixes:
        search, offset, _ = _split_anchor(prefix)
        starts = [p + offset for p in _occurrences(text, search, word=False)
                  if p + offset > 0 and text[p + offset - 1] in CLOSERS]
        if len(starts) != 1:
            raise SpecError(f"{doc_id}: direct quote {prefix!r} opens {len(starts)} times")
        start = starts[0]
        opener = text[start - 1]
        closer = CLOSERS[opener]
        pos = start
        while True:
            if pos >= len(text):
                raise SpecError(f"{doc_id}: quote {prefix!r} never closes")
            char = text[pos]
            if char == "\n":
                # An unclosed paragraph: the quote must reopen at the next paragraph.
                fragments.append([start, len(text[:pos].rstrip())])
                next_par = pos
                while next_par < len(text) and text[next_par] == "\n":
                    next_par += 1
                if next_par >= len(text) or text[next_par] != opener:
                    raise SpecError(f"{doc_id}: quote {prefix!r} is never closed")
                start = pos = next_par + 1
                continue
            is_close = char == closer and (
                opener in "“\"" or pos + 1 >= len(text) or not text[pos + 1].isalpha())
            if is_close and pos > start:
                fragments.append([start, pos])
                break
            pos += 1
    return fragments


def _clause_span(text: str, field: str, doc_id: str) -> tuple[int, int]:
    if ELLIPSIS in field:
        head, tail = field.split(ELLIPSIS, 1)
        start, head_end = _unique(text, head, what="clause start", doc_id=doc_id)
        _, end = _unique(text, tail, what="clause end", doc_id=doc_id, after=head_end)
        return start, end
    return _unique(text, field, what="clause", doc_id=doc_id)


def _inner(text: str, start: int, end: int) -> tuple[int, int]:
    strip = " \t\n“”‘’\"'"
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def _canonical_of(mention: str) -> str:
    """'A senior official' at a sentence start -> 'a senior official'."""
    return mention[:1].lower() + mention[1:]


def build_quote(text: str, line: str, registry: dict[str, str], doc_id: str) -> dict:
    parts = [p.strip() for p in line.split(" | ")]
    if len(parts) != 5:
        raise SpecError(f"{doc_id}: expected 5 fields in {line!r}")
    code, content, speaker_field, cue_field, canonical = parts
    strict = not code.endswith("~")
    qtype = TYPE_CODES[code.rstrip("~")]

    if qtype == "direct":
        fragments = _direct_fragments(text, content.split(FRAGMENT_SEP), doc_id)
    else:
        fragments = [list(_clause_span(text, piece, doc_id)) for piece in content.split(FRAGMENT_SEP)]
    start, end = fragments[0][0], fragments[-1][1]
    ref = (start, end)

    cue = cue_start = cue_end = None
    if cue_field != "-":
        cue_start, cue_end = _locate_near(text, cue_field, ref, fragments, what="cue", doc_id=doc_id)
        cue = text[cue_start:cue_end]
        if _gap(cue_start, cue_end, ref) > MAX_CUE_GAP:
            print(f"check {doc_id}: cue {cue!r} is far from {text[start:start + 30]!r}", file=sys.stderr)

    speaker = speaker_start = speaker_end = None
    if speaker_field != "-":
        anchor = (cue_start, cue_end) if cue is not None else ref
        speaker_start, speaker_end = _locate_near(text, speaker_field, anchor, fragments,
                                                  what="speaker", doc_id=doc_id)
        speaker = text[speaker_start:speaker_end]
        if _gap(speaker_start, speaker_end, anchor) > MAX_SPEAKER_GAP:
            print(f"check {doc_id}: speaker {speaker!r} is far from its cue", file=sys.stderr)

    # "?" = unnamed source named by its mention; "?name" = unnamed source with that name;
    # anything else must be declared in the registry (catches typos in names).
    if canonical == "-":
        speaker_canonical = speaker_kind = None
    elif canonical == "?":
        if speaker is None:
            raise SpecError(f"{doc_id}: '?' needs a speaker mention in {line!r}")
        speaker_canonical, speaker_kind = _canonical_of(speaker), "unnamed source"
    elif canonical.startswith("?"):
        speaker_canonical, speaker_kind = canonical[1:], "unnamed source"
    elif canonical in registry:
        speaker_canonical, speaker_kind = canonical, registry[canonical]
    else:
        raise SpecError(f"{doc_id}: {canonical!r} is not declared with @person or @org")

    inner_start, inner_end = _inner(text, start, end)
    return {
        "start": start, "end": end, "text": text[start:end], "type": qtype,
        "speaker": speaker, "speaker_start": speaker_start, "speaker_end": speaker_end,
        "speaker_canonical": speaker_canonical, "speaker_kind": speaker_kind,
        "cue": cue, "cue_start": cue_start, "cue_end": cue_end,
        "fragments": fragments, "inner_start": inner_start, "inner_end": inner_end,
        "strict": strict,
    }


def parse_spec(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Return the speaker registry {name: kind} and the spec lines of each document."""
    registry: dict[str, str] = {}
    docs: dict[str, list[str]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@person "):
            registry[line[len("@person "):].strip()] = "person"
        elif line.startswith("@org "):
            registry[line[len("@org "):].strip()] = "organization"
        elif line.startswith("== "):
            current = line[3:].strip()
            if current in docs:
                raise SpecError(f"{path.name}:{number}: document {current} listed twice")
            docs[current] = []
        elif current is None:
            raise SpecError(f"{path.name}:{number}: annotation before any '== doc_id' line")
        else:
            docs[current].append(line)
    return registry, docs


def build_document(doc_id: str, lines: list[str], registry: dict[str, str], meta: dict) -> dict:
    text = (HERE / f"{doc_id}.txt").read_text(encoding="utf-8")
    quotes, not_quotes = [], []
    for line in lines:
        if line.startswith("N | "):
            start, end = _unique(text, line[4:], what="non-quote", doc_id=doc_id)
            not_quotes.append({"start": start, "end": end, "text": text[start:end]})
        else:
            quotes.append(build_quote(text, line, registry, doc_id))
    quotes.sort(key=lambda q: (q["start"], q["end"]))
    not_quotes.sort(key=lambda q: q["start"])
    return {
        "doc_id": doc_id, "text": text, "source": meta["source"],
        "meta": {"title": meta["title"], "date": meta["date"], "story": meta["story"]},
        "quotes": quotes, "not_quotes": not_quotes,
    }


def build_gold() -> str:
    with METADATA_PATH.open(encoding="utf-8", newline="") as handle:
        metadata = {row["doc_id"]: row for row in csv.DictReader(handle)}
    registry, docs = parse_spec(SPEC_PATH)
    missing = sorted(set(metadata) - set(docs))
    extra = sorted(set(docs) - set(metadata))
    if missing or extra:
        raise SpecError(f"gold.spec and metadata.csv disagree: no spec for {missing}, no metadata for {extra}")
    lines = [json.dumps(build_document(doc_id, docs[doc_id], registry, metadata[doc_id]),
                        ensure_ascii=False, sort_keys=False)
             for doc_id in sorted(docs)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the existing gold.jsonl")
    args = parser.parse_args(argv)
    gold = build_gold()
    if args.check:
        current = GOLD_PATH.read_text(encoding="utf-8") if GOLD_PATH.exists() else ""
        if current != gold:
            print("gold.jsonl is out of date; run data/sample/build_gold.py", file=sys.stderr)
            return 1
        print("gold.jsonl is up to date")
        return 0
    GOLD_PATH.write_text(gold, encoding="utf-8")
    print(f"wrote {GOLD_PATH} ({gold.count(chr(10))} documents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
