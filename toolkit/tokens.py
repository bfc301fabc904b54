"""Paragraphs, sentences and word tokens, with character offsets into the original text.

Every table here indexes the text it came from exactly: ``text[start:end] == row.text``.
Nothing needs nltk data files: the Punkt sentence splitter is built from the toolkit's own
abbreviation list (``toolkit/data/abbreviations.txt``) and can be adapted to a corpus with
:func:`train_sentence_splitter`.

    >>> import toolkit as tk
    >>> tk.sentences("Rep. Mike Turner spoke. He left.")[["sent", "text"]]
       sent                     text
    0     0  Rep. Mike Turner spoke.
    1     1                 He left.

Choices worth knowing:

- An abbreviation followed by a capitalised frequent sentence starter ("the", "he",
  "but", ...) ends the sentence, so "... in the U.S. The next day ..." splits. Titles that
  are always followed by a name (Mr., Dr., Rep., Gen., ...) never end a sentence, so
  "Mr. He Lifeng" stays whole.
- Quote state (``in_quote_at_end``) is reset at each paragraph: news style reopens a quote
  that runs over several paragraphs with a fresh opening mark.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

import pandas as pd
from toolkit._common import is_missing     # (absolute: also in the compiled copy, toolkit._speedups.tokens)
from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.tokenize.punkt import (
    PunktParameters,
    PunktSentenceTokenizer,
    PunktToken,
    PunktTrainer,
)

__all__ = [
    "SentenceSplitter",
    "default_splitter",
    "load_abbreviations",
    "normalize_quotes",
    "paragraph_spans",
    "paragraphs",
    "sentence_spans",
    "sentences",
    "tokenize",
    "train_sentence_splitter",
    "word_spans",
]

PARAGRAPH_COLUMNS = ["doc_id", "para", "start", "end", "text"]
SENTENCE_COLUMNS = ["doc_id", "para", "sent", "start", "end", "text", "in_quote_at_end"]
TOKEN_COLUMNS = ["doc_id", "para", "sent", "token_i", "start", "end", "text"]

# Abbreviations that introduce a name and therefore never end a sentence, whatever follows.
_NEVER_SENTENCE_FINAL = frozenset(
    "mr mrs ms messrs mmes dr drs rep reps sen sens gov govs lt gen col maj capt cpl sgt "
    "pvt adm cmdr cdr brig supt insp det pres amb atty rev fr hon prof asst vs v e.g i.e cf".split()
)

# Capitalised words that, after an abbreviation such as "U.S." or "p.m.", signal a new sentence.
_SENTENCE_STARTERS = frozenset(
    "the a an but and however he she it they we i you this that these those there his her "
    "their its our in on at after before when while meanwhile still yet if as so then now "
    "also last earlier later some many most".split()
)

_NEWLINE = r"(?:\r\n|\r(?!\n)|[\n\u2028\u2029\x85])"
_INLINE_SPACE = r"[^\S\n\r\u2028\u2029\x85]"
# The separators below open with a character class (the first newline character; a "\r" then takes
# its "\n" or has none after it), so the regex engine skips ahead to newlines instead of trying the
# pattern at every position (3x faster scans); they match exactly what the plain forms
# _NEWLINE(?:_INLINE_SPACE*_NEWLINE)+ and _NEWLINE match.
_FIRST_NEWLINE = r"[\r\n\u2028\u2029\x85](?:(?<=\r)\n|(?<!\r)|(?!\n))"
_BLANK_LINE_RE = re.compile(rf"{_FIRST_NEWLINE}(?:{_INLINE_SPACE}*{_NEWLINE})+")
_LINE_BREAK_RE = re.compile(_FIRST_NEWLINE)
_NON_SPACE_RE = re.compile(r"\S")
_SIMPLE_WORD_RE = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")
_SIMPLE_SENTENCE_RE = re.compile(r"\S.*?(?:[.!?]+[\"'”’»)\]]*(?=\s|$)|$)", re.DOTALL)

_DOUBLE_QUOTES = "\"“”„‟«»″"
_SINGLE_QUOTES = "'‘’‚‛‹›"
_DOUBLE_QUOTE_RE = re.compile("[\"“”„‟«»]")
_ANY_QUOTE_RE = re.compile(f"[{_DOUBLE_QUOTES}{_SINGLE_QUOTES}]")
_STRAIGHT_TABLE = str.maketrans({**dict.fromkeys(_DOUBLE_QUOTES, '"'),
                                 **dict.fromkeys(_SINGLE_QUOTES, "'")})
_OPENING_CONTEXT = set("([{<—–-/\u00a0") | set(_DOUBLE_QUOTES) | set(_SINGLE_QUOTES)

_word_tokenizer = NLTKWordTokenizer()


# --------------------------------------------------------------------------- splitter


class _NewsPunktTokenizer(PunktSentenceTokenizer):
    """Punkt that never breaks after a title abbreviation (Mr., Rep., Gen., ...)."""

    def _second_pass_annotation(self, aug_tok1: PunktToken, aug_tok2: PunktToken | None):
        if aug_tok2 is not None and aug_tok1.abbr and aug_tok1.type_no_period in _NEVER_SENTENCE_FINAL:
            aug_tok1.sentbreak = False
            return None
        return super()._second_pass_annotation(aug_tok1, aug_tok2)


class SentenceSplitter:
    """A Punkt sentence splitter; pass it as ``splitter=`` to :func:`sentences` and friends.

    Build one with :func:`default_splitter` or :func:`train_sentence_splitter`.

        >>> splitter = default_splitter()
        >>> splitter.split("Dr. Smith arrived at 9 a.m. on Monday. Then he left.")
        ['Dr. Smith arrived at 9 a.m. on Monday.', 'Then he left.']
    """

    def __init__(self, params: PunktParameters):
        self.params = params
        self._punkt = _NewsPunktTokenizer(params)

    @property
    def abbreviations(self) -> frozenset[str]:
        """Lower-case abbreviations (without final period) that do not end a sentence."""
        return frozenset(self.params.abbrev_types)

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        """Return (start, end) offsets of the sentences in ``text``, whitespace excluded."""
        try:
            spans = self._punkt.span_tokenize(text)
            return [span for span in (_trim(text, s, e) for s, e in spans) if span]
        except TimeoutError:
            # nltk guards its regexes with a timeout; a pathological paragraph must not sink the corpus.
            return [(m.start(), m.end()) for m in _SIMPLE_SENTENCE_RE.finditer(text)]

    def split(self, text: str) -> list[str]:
        """Return the sentences of ``text`` as strings."""
        return [text[s:e] for s, e in self.span_tokenize(text)]

    def __repr__(self) -> str:
        return f"SentenceSplitter({len(self.params.abbrev_types)} abbreviations)"


def load_abbreviations() -> frozenset[str]:
    """Return the toolkit's abbreviation list (lower case, no final period).

        >>> "u.s" in load_abbreviations()
        True
    """
    return _word_list("abbreviations.txt")


@lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """Return the toolkit's English stopword list (lower case), shipped in the package: no nltk data needed.

        >>> "the" in stopwords()
        True
    """
    return _word_list("stopwords.txt")


def _word_list(filename: str) -> frozenset[str]:
    raw = resources.files("toolkit").joinpath("data", filename).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in raw.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def _clean_abbreviations(words: Iterable[str]) -> set[str]:
    if isinstance(words, str):
        words = [words]
    return {w.strip().lower().rstrip(".") for w in words if w and w.strip().rstrip(".")}


def _build_splitter(params: PunktParameters, extra_abbreviations: Iterable[str] = ()) -> SentenceSplitter:
    params.abbrev_types = set(params.abbrev_types) | set(load_abbreviations()) | _clean_abbreviations(
        extra_abbreviations
    )
    params.sent_starters = set(params.sent_starters) | set(_SENTENCE_STARTERS)
    return SentenceSplitter(params)


@lru_cache(maxsize=1)
def default_splitter() -> SentenceSplitter:
    """Return the cached splitter built from the toolkit's abbreviation list (no training, no nltk data).

        >>> default_splitter().split("He met Gov. Hochul in the U.S. Capitol. It rained.")
        ['He met Gov. Hochul in the U.S. Capitol.', 'It rained.']
    """
    return _build_splitter(PunktParameters())


def train_sentence_splitter(corpus, *, extra_abbreviations: Iterable[str] = ()) -> SentenceSplitter:
    """Train Punkt on the corpus texts, so it learns the corpus's own abbreviations and capitalisation.

    ``corpus`` is a corpus DataFrame (``doc_id``, ``text``), a str, or an iterable of str.
    The toolkit's abbreviations and ``extra_abbreviations`` (e.g. ``["ont", "sask."]``) are added
    to what Punkt learns. Returns a :class:`SentenceSplitter` to pass as ``splitter=``.

        >>> splitter = train_sentence_splitter(corpus, extra_abbreviations=["ont"])
        >>> tk.sentences(corpus, splitter=splitter)
    """
    if isinstance(corpus, (pd.DataFrame, str)):
        texts = (text for _, text in _iter_docs(corpus))
    else:
        texts = corpus
    trainer = PunktTrainer()
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            if is_missing(text):
                continue
            raise TypeError(f"text number {i} must be a str, got {type(text).__name__}")
        if text.strip():
            trainer.train(text, finalize=False)
    trainer.finalize_training()
    return _build_splitter(trainer.get_params(), extra_abbreviations)


# --------------------------------------------------------------------------- low-level spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink [start, end) to exclude surrounding whitespace; None if nothing is left."""
    if start < end and not text[start].isspace() and not text[end - 1].isspace():
        return start, end      # (most paragraphs: no copy of the text needed)
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + lead + len(stripped)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each paragraph of ``text``, surrounding whitespace excluded.

    Paragraphs are separated by blank lines; a text without any blank line is split at
    single newlines instead (common in news exports). ``\\r\\n`` counts as one newline.

        >>> paragraph_spans("First para.\\n\\nSecond para.")
        [(0, 11), (13, 25)]
    """
    if not text:
        return []
    first = _BLANK_LINE_RE.search(text)
    spans = []
    position = 0
    if first is not None:
        # (the scan for blank lines goes on from the first one, which the test above found)
        span = _trim(text, 0, first.start())
        if span:
            spans.append(span)
        position = first.end()
        separators = _BLANK_LINE_RE.finditer(text, position)
    else:
        separators = _LINE_BREAK_RE.finditer(text)
    for match in separators:
        span = _trim(text, position, match.start())
        if span:
            spans.append(span)
        position = match.end()
    span = _trim(text, position, len(text))
    if span:
        spans.append(span)
    return spans


def _sentences_with_paragraphs(text: str, splitter) -> Iterator[tuple[int, int, int]]:
    """Yield (para, start, end) for each sentence, in document offsets."""
    for para, (p_start, p_end) in enumerate(paragraph_spans(text)):
        for s_start, s_end in splitter.span_tokenize(text[p_start:p_end]):
            yield para, p_start + s_start, p_start + s_end


def sentence_spans(text: str, *, splitter=None) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence of ``text`` in document offsets.

    Sentences never cross paragraph boundaries. ``splitter`` defaults to :func:`default_splitter`;
    any object with a ``span_tokenize(text)`` method (e.g. an nltk Punkt tokenizer) works.

        >>> sentence_spans("Mr. Lee spoke. He left.")
        [(0, 14), (15, 23)]
    """
    splitter = splitter or default_splitter()
    return [(start, end) for _, start, end in _sentences_with_paragraphs(text, splitter)]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each word or punctuation mark, by a fast regular expression.

    Words keep inner apostrophes and hyphens ("O’Brien", "don't", "long-range"); every other
    non-space character is its own token. Faster than :func:`tokenize`, which uses nltk's
    Treebank-style rules (e.g. "don't" -> "do", "n't").

        >>> word_spans("Don’t go!")
        [(0, 5), (6, 8), (8, 9)]
    """
    return [m.span() for m in _SIMPLE_WORD_RE.finditer(text)]


def _treebank_spans(sentence: str) -> list[tuple[int, int]]:
    try:
        return list(_word_tokenizer.span_tokenize(sentence))
    except (ValueError, TimeoutError):
        # align_tokens fails on some quote configurations; keep the sentence, with simpler tokens.
        return word_spans(sentence)


# --------------------------------------------------------------------------- quote state


def _is_opening_context(text: str, i: int) -> bool:
    return i == 0 or text[i - 1].isspace() or text[i - 1] in _OPENING_CONTEXT


def _is_space_after(text: str, i: int) -> bool:
    return i + 1 >= len(text) or text[i + 1].isspace()


def _update_quote_state(text: str, i: int, closers: str | None) -> str | None:
    """Return the closing marks expected after the double quote mark at ``text[i]`` (None = outside)."""
    mark = text[i]
    if mark == '"':
        opens_here = _is_opening_context(text, i) and not _is_space_after(text, i)
        closes_here = not _is_opening_context(text, i) and (
            _is_space_after(text, i) or not text[i + 1].isalnum()
        )
        if closers is None:
            return None if closes_here else '"”'
        if opens_here:
            return closers  # a second opening mark: the earlier quote was left open
        return None
    if closers is not None and mark in closers:
        return None
    if mark == "“":
        return '”"' if closers is None else closers
    if mark in "„‟":
        return '“”"'
    if mark == "«":
        return "»" if closers is None else closers
    if mark == "»":
        return "«" if closers is None else closers
    return closers  # a stray closing ” outside a quote


def _quote_state_at_ends(text: str, ends: list[int], closers: str | None = None) -> list[bool]:
    """For each offset in ``ends`` (ascending), whether it lies inside an open double quotation."""
    marks = [m.start() for m in _DOUBLE_QUOTE_RE.finditer(text)]
    result = []
    k = 0
    for end in ends:
        while k < len(marks) and marks[k] < end:
            closers = _update_quote_state(text, marks[k], closers)
            k += 1
        result.append(closers is not None)
    return result


# --------------------------------------------------------------------------- corpus tables


def _iter_docs(corpus) -> Iterator[tuple[str, str]]:
    """Yield (doc_id, text); a str is one document called "text"; missing texts yield ""."""
    if isinstance(corpus, str):
        yield "text", corpus
        return
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"expected a corpus DataFrame or a str, got {type(corpus).__name__}")
    for column in ("doc_id", "text"):
        if column not in corpus.columns:
            raise KeyError(
                f"corpus is missing the column {column!r} (columns: {', '.join(map(str, corpus.columns))})"
            )
    for doc_id, text in zip(corpus["doc_id"].tolist(), corpus["text"].tolist()):
        if isinstance(text, str):
            yield doc_id, text
        elif is_missing(text):
            yield doc_id, ""
        else:
            raise TypeError(f"document {doc_id!r}: text must be a str, got {type(text).__name__}")


def _frame(columns: list[str], data: dict[str, list]) -> pd.DataFrame:
    dtypes = {"doc_id": str, "text": str, "in_quote_at_end": bool}
    frame = pd.DataFrame(
        {c: pd.Series(data[c], dtype=dtypes.get(c, "int64")) for c in columns}
    )
    return frame


def paragraphs(corpus) -> pd.DataFrame:
    """Split each document into paragraphs.

    Returns columns ``doc_id, para, start, end, text``: ``para`` counts from 0 within each
    document; ``text == doc_text[start:end]`` (surrounding whitespace excluded). Paragraphs
    are separated by blank lines, or by single newlines when a document has no blank line.

        >>> tk.paragraphs("Police said two men were held.\\n\\n“We are relieved,” he said.")
          doc_id  para  start  end                             text
        0   text     0      0   30   Police said two men were held.
        1   text     1     32   59  “We are relieved,” he said.
    """
    data = {c: [] for c in PARAGRAPH_COLUMNS}
    for doc_id, text in _iter_docs(corpus):
        for para, (start, end) in enumerate(paragraph_spans(text)):
            data["doc_id"].append(doc_id)
            data["para"].append(para)
            data["start"].append(start)
            data["end"].append(end)
            data["text"].append(text[start:end])
    return _frame(PARAGRAPH_COLUMNS, data)


def _doc_sentences(text: str, splitter) -> Iterator[tuple[int, int, int, bool]]:
    """Yield (para, start, end, in_quote_at_end) for each sentence of one document."""
    for para, (p_start, p_end) in enumerate(paragraph_spans(text)):
        paragraph = text[p_start:p_end]
        spans = splitter.span_tokenize(paragraph)
        quoted = _quote_state_at_ends(paragraph, [end for _, end in spans])
        for (start, end), in_quote in zip(spans, quoted):
            yield para, p_start + start, p_start + end, in_quote


def sentences(corpus, *, splitter=None) -> pd.DataFrame:
    """Split each document into sentences (never across paragraphs).

    Returns columns ``doc_id, para, sent, start, end, text, in_quote_at_end``: ``sent`` counts
    from 0 through the whole document; ``in_quote_at_end`` is True when the sentence ends inside
    an open double quotation (“ ”, straight ", „, « »), e.g. the first sentence of a two-sentence
    quote. ``splitter`` defaults to :func:`default_splitter`.

        >>> tk.sentences('He said, "We won. Now we rest." Then he left.')[["sent", "text", "in_quote_at_end"]]
           sent                 text  in_quote_at_end
        0     0   He said, "We won.              True
        1     1      Now we rest."              False
        2     2        Then he left.            False
    """
    splitter = splitter or default_splitter()
    data = {c: [] for c in SENTENCE_COLUMNS}
    for doc_id, text in _iter_docs(corpus):
        for sent, (para, start, end, in_quote) in enumerate(_doc_sentences(text, splitter)):
            data["doc_id"].append(doc_id)
            data["para"].append(para)
            data["sent"].append(sent)
            data["start"].append(start)
            data["end"].append(end)
            data["text"].append(text[start:end])
            data["in_quote_at_end"].append(in_quote)
    return _frame(SENTENCE_COLUMNS, data)


def tokenize(corpus, *, splitter=None) -> pd.DataFrame:
    """Split each document into word tokens with nltk's Treebank rules (no nltk data needed).

    Returns columns ``doc_id, para, sent, token_i, start, end, text``: ``token_i`` counts from 0
    through the whole document; ``text == doc_text[start:end]``, so quote marks stay exactly as
    written (no ``` `` ``` rewriting). A sentence nltk cannot align falls back to :func:`word_spans`.

        >>> tk.tokenize("“We won,” she said.")["text"].tolist()
        ['“', 'We', 'won', ',', '”', 'she', 'said', '.']
    """
    splitter = splitter or default_splitter()
    data = {c: [] for c in TOKEN_COLUMNS}
    for doc_id, text in _iter_docs(corpus):
        token_i = 0
        for sent, (para, s_start, s_end) in enumerate(_sentences_with_paragraphs(text, splitter)):
            sentence = text[s_start:s_end]
            spans = _treebank_spans(sentence)
            n = len(spans)
            data["doc_id"].extend([doc_id] * n)
            data["para"].extend([para] * n)
            data["sent"].extend([sent] * n)
            data["token_i"].extend(range(token_i, token_i + n))
            data["start"].extend([s_start + start for start, _ in spans])
            data["end"].extend([s_start + end for _, end in spans])
            data["text"].extend([sentence[start:end] for start, end in spans])
            token_i += n
    return _frame(TOKEN_COLUMNS, data)


# --------------------------------------------------------------------------- quote normalisation


def _curly_mark(text: str, i: int) -> str:
    mark = text[i]
    if mark in _DOUBLE_QUOTES:
        if mark in "“”":
            return mark
        if mark in "„‟":
            return "“"
        return "“" if _is_opening_context(text, i) and not _is_space_after(text, i) else "”"
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isalnum() and after.isalnum():
        return "’"  # apostrophe inside a word: O’Brien, don’t
    if mark in "’‘" :
        return mark
    if mark in "‚‛":
        return "‘"
    if _is_opening_context(text, i) and not after.isspace():
        if text[i + 1 : i + 3].isdigit() and not text[i + 3 : i + 4].isdigit():
            return "’"  # elided century: ’90s
        return "‘"
    return "’"


def _normalize_text(text: str, style: str) -> str:
    if style == "straight":
        return text.translate(_STRAIGHT_TABLE)
    return _ANY_QUOTE_RE.sub(lambda m: _curly_mark(text, m.start()), text)


def normalize_quotes(text_or_corpus, *, style: str = "straight"):
    """Map every quotation mark to one style, character for character (offsets stay valid).

    ``style="straight"`` maps “ ” „ ‟ « » ″ to ``"`` and ‘ ’ ‚ ‛ ‹ › to ``'``; ``style="curly"``
    maps them to “ ” ‘ ’, choosing opening or closing by context; apostrophes inside words
    become ’. A str gives a str; a DataFrame gives a copy with its ``text`` column normalized.

        >>> normalize_quotes("«Oui», a dit O’Brien.")
        '"Oui", a dit O\\'Brien.'
        >>> normalize_quotes('He said "don\\'t".', style="curly")
        'He said “don’t”.'
    """
    if style not in ("straight", "curly"):
        raise ValueError(f"style must be 'straight' or 'curly', got {style!r}")
    if isinstance(text_or_corpus, str):
        return _normalize_text(text_or_corpus, style)
    if isinstance(text_or_corpus, pd.DataFrame):
        if "text" not in text_or_corpus.columns:
            raise KeyError(
                "corpus is missing the column 'text' "
                f"(columns: {', '.join(map(str, text_or_corpus.columns))})"
            )
        result = text_or_corpus.copy()
        result["text"] = [
            _normalize_text(t, style) if isinstance(t, str) else t for t in text_or_corpus["text"].tolist()
        ]
        return result
    raise TypeError(f"expected a str or a corpus DataFrame, got {type(text_or_corpus).__name__}")
