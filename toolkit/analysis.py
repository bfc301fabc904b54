"""Corpus-level analysis of a quote table: who is quoted, how much, where, when, about what.

Every function takes the quote table made by ``toolkit.quotes.extract_quotes`` (one row per
quotation, see the columns in the README) and returns a tidy DataFrame; none mutates its input.
Functions that need outlet, date or other metadata take ``corpus=`` (the table from
``toolkit.corpus.load_corpus``) and join it on ``doc_id``.

Quotes with no speaker are never dropped from counts: they are counted under the speaker id and
name ``"(unattributed)"`` with kind ``"unknown"``; an unnamed source the engine could not name
("critics said") is counted under ``"(unnamed source)"`` with kind ``"unnamed source"``.

    >>> import toolkit as tk
    >>> corpus = tk.load_corpus("data/sample")
    >>> quotes = tk.extract_quotes(corpus)
    >>> tk.top_speakers(quotes, n=5)                               # doctest: +SKIP
    >>> tk.who_says_what(quotes, corpus=corpus, by="source")       # doctest: +SKIP
"""
from __future__ import annotations

import itertools
import json
import re
import warnings
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from .tokens import stopwords as _stopwords
from .tokens import word_spans as _tokenizer_word_spans
from ._common import require_columns

__all__ = [
    "UNATTRIBUTED",
    "UNNAMED",
    "SPEAKER_KINDS",
    "who_says_what",
    "top_speakers",
    "speaker_timeline",
    "distinctive_terms",
    "quote_network",
    "cue_profile",
    "keyword_in_context",
    "quote_lengths",
]

UNATTRIBUTED = "(unattributed)"
UNNAMED = "(unnamed source)"
UNKNOWN_KIND = "unknown"
SPEAKER_KINDS = ("person", "organization", "unnamed source", UNKNOWN_KIND)
NO_CUE = "(no cue)"
UNKNOWN_GROUP = "(unknown)"
NO_DATE = "(no date)"

_HAS_ALNUM = re.compile(r"\w")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_POSSESSIVE = re.compile(r"['’]s$")
_CAPITALISED_RUN = re.compile(r"[A-Z][\w’'\-]*(?:[ \t]+[A-Z][\w’'\-]*)*")
_SPACES = re.compile(r"\s+")

_PERIOD_FREQS = {"M": "M", "month": "M", "ME": "M", "MS": "M", "W": "W", "week": "W",
                 "Q": "Q", "quarter": "Q", "Y": "Y", "year": "Y", "A": "Y"}
_DERIVED_DATE_KEYS = {"month": "M", "week": "W", "quarter": "Q", "year": "Y"}
_KEY_ALIASES = {"outlet": "source", "publication": "source"}


# ---------------------------------------------------------------------------------------------
# small shared helpers
# ---------------------------------------------------------------------------------------------

def _word_spans(text: str) -> list:
    """The toolkit's word tokens without punctuation tokens."""
    return [(s, e) for s, e in _tokenizer_word_spans(text) if _HAS_ALNUM.search(text, s, e)]


def _words(text: str) -> list:
    return [text[s:e] for s, e in _word_spans(text)]


def _require(df: pd.DataFrame, columns, what: str = "quote table") -> None:
    require_columns(df, columns, what=what)


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fragments(value):
    """Fragments as a list of (start, end) int pairs, or None when absent/unreadable."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if value is None or isinstance(value, float):
        return None
    try:
        pairs = [(int(s), int(e)) for s, e in value]
    except (TypeError, ValueError):
        return None
    return pairs or None


def _pieces(text, start, fragments) -> list:
    """The quoted pieces of one quote (without an interrupting "she said"), as strings."""
    if not isinstance(text, str):
        return []
    pairs = _fragments(fragments)
    if pairs is None or _is_missing(start):
        return [text]
    start = int(start)
    pieces = [text[s - start:e - start] for s, e in pairs if start <= s <= e <= start + len(text)]
    return pieces or [text]


def _quote_pieces(df: pd.DataFrame) -> list:
    starts = df["start"] if "start" in df.columns else itertools.repeat(None)
    frags = df["fragments"] if "fragments" in df.columns else itertools.repeat(None)
    return [_pieces(t, s, f) for t, s, f in zip(df["text"], starts, frags)]


def _word_counts(df: pd.DataFrame) -> np.ndarray:
    return np.array([sum(len(_word_spans(p)) for p in pieces) for pieces in _quote_pieces(df)],
                    dtype="int64")


def _clean_str(series: pd.Series) -> pd.Series:
    """Object series with stripped strings and None for missing/blank values."""
    return pd.Series([None if _is_missing(v) else str(v).strip() for v in series],
                     index=series.index, dtype="object")


def _with_speakers(quotes: pd.DataFrame) -> pd.DataFrame:
    """Copy of the quote table with one canonical speaker_name and speaker_kind per speaker_id.

    Quotes without speaker get ``UNATTRIBUTED``, unnamed sources without a name ``UNNAMED``; a
    speaker_name without speaker_id (a table that skipped corpus-wide resolution) uses the name as id.
    """
    _require(quotes, ["doc_id", "text"])
    if "speaker_id" not in quotes.columns and "speaker_name" not in quotes.columns:
        raise KeyError("the quote table has neither 'speaker_id' nor 'speaker_name'; "
                       f"columns found: {', '.join(map(str, quotes.columns))}")
    df = quotes.copy()
    n = len(df)
    ids = _clean_str(df["speaker_id"]) if "speaker_id" in df.columns else pd.Series([None] * n, index=df.index, dtype="object")
    names = _clean_str(df["speaker_name"]) if "speaker_name" in df.columns else pd.Series([None] * n, index=df.index, dtype="object")
    kinds = _clean_str(df["speaker_kind"]) if "speaker_kind" in df.columns else pd.Series([None] * n, index=df.index, dtype="object")
    ids = ids.where(ids.notna(), names)
    anonymous = ids.isna() & (kinds == "unnamed source")
    ids[anonymous] = UNNAMED
    unattributed = ids.isna()
    ids[unattributed] = UNATTRIBUTED
    names = names.where(names.notna(), ids)
    kinds = kinds.where(kinds.notna() & ~unattributed, UNKNOWN_KIND)

    # the same speaker may be named "Okafor" in one article and "Dana Okafor" in another:
    # show the most frequent name, the longest on ties
    frame = pd.DataFrame({"id": ids, "name": names, "kind": kinds})
    name_counts = frame.groupby(["id", "name"], sort=False).size().reset_index(name="n")
    name_counts["length"] = name_counts["name"].str.len()
    best_name = (name_counts.sort_values(["id", "n", "length", "name"], ascending=[True, False, False, True])
                 .drop_duplicates("id").set_index("id")["name"])
    kind_counts = frame.groupby(["id", "kind"], sort=False).size().reset_index(name="n")
    kind_counts["known"] = kind_counts["kind"] != UNKNOWN_KIND
    best_kind = (kind_counts.sort_values(["id", "known", "n", "kind"], ascending=[True, False, False, True])
                 .drop_duplicates("id").set_index("id")["kind"])
    df["doc_id"] = df["doc_id"].astype(str)
    df["speaker_id"] = ids.astype(str)
    df["speaker_name"] = ids.map(best_name).astype(str)
    df["speaker_kind"] = ids.map(best_kind).astype(str)
    return df


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _kinds(kind) -> list:
    kinds = _as_list(kind)
    unknown = [k for k in kinds if k not in SPEAKER_KINDS]
    if unknown:
        raise ValueError(f"unknown speaker kind {unknown}; choose from {list(SPEAKER_KINDS)}")
    return kinds


def _metadata(corpus: pd.DataFrame, columns: list) -> pd.DataFrame:
    _require(corpus, ["doc_id", *columns], what="corpus")
    meta = corpus[["doc_id", *columns]].copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    duplicated = meta["doc_id"].duplicated()
    if duplicated.any():
        examples = ", ".join(meta.loc[duplicated, "doc_id"].unique()[:5])
        warnings.warn(f"the corpus has {int(duplicated.sum())} rows with a repeated doc_id ({examples}); "
                      "their metadata is taken from the first row with that id", stacklevel=3)
        meta = meta[~duplicated]
    return meta


def _date_label(dates: pd.Series, freq: str) -> pd.Series:
    dates = pd.to_datetime(dates, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    periods = dates.dt.to_period(freq)
    if freq == "M":
        labels = periods.dt.strftime("%Y-%m")
    elif freq == "W":
        labels = periods.dt.start_time.dt.strftime("%Y-%m-%d")
    elif freq == "Q":
        labels = periods.astype(str)
    else:
        labels = periods.dt.strftime("%Y")
    return pd.Series([NO_DATE if pd.isna(d) else lbl for d, lbl in zip(dates, labels)],
                     index=dates.index, dtype="object")


def _add_keys(df: pd.DataFrame, keys, corpus) -> tuple:
    """Add the grouping columns named in ``keys`` to df (joining corpus metadata); return (df, names)."""
    names, needed_from_corpus, derived = [], [], {}
    for key in _as_list(keys):
        key = _KEY_ALIASES.get(key, key)
        if key in _DERIVED_DATE_KEYS and key not in df.columns and (corpus is None or key not in corpus.columns):
            derived[key] = _DERIVED_DATE_KEYS[key]
            if "date" not in df.columns:
                needed_from_corpus.append("date")
        elif key not in df.columns:
            needed_from_corpus.append(key)
        names.append(key)
    needed_from_corpus = list(dict.fromkeys(needed_from_corpus))
    if needed_from_corpus:
        if corpus is None:
            raise ValueError(f"grouping by {needed_from_corpus} needs the corpus metadata: the quote table has "
                             f"no such column; pass corpus= (the table from load_corpus)")
        if isinstance(corpus, pd.DataFrame):
            missing = [c for c in needed_from_corpus if c not in corpus.columns]
            if missing:
                raise KeyError(f"neither the quote table nor the corpus has a column {', '.join(map(repr, missing))}; "
                               f"corpus columns: {', '.join(map(str, corpus.columns))}")
        meta = _metadata(corpus, needed_from_corpus)
        unknown_docs = ~df["doc_id"].isin(set(meta["doc_id"]))
        if unknown_docs.any():
            examples = ", ".join(df.loc[unknown_docs, "doc_id"].unique()[:5])
            warnings.warn(f"{int(unknown_docs.sum())} quotes come from documents not in the corpus ({examples}); "
                          f"they are counted under {UNKNOWN_GROUP!r}", stacklevel=3)
        df = df.merge(meta, on="doc_id", how="left", validate="many_to_one")
    for key, freq in derived.items():
        df[key] = _date_label(df["date"], freq)
    for key in names:
        if key not in derived and (df[key].dtype == object or pd.api.types.is_string_dtype(df[key])):
            df[key] = _clean_str(df[key]).fillna(UNKNOWN_GROUP)
    return df, names


# ---------------------------------------------------------------------------------------------
# who is quoted, how much
# ---------------------------------------------------------------------------------------------

def quote_lengths(quotes: pd.DataFrame) -> pd.DataFrame:
    """Length of every quote in words (only the quoted pieces, not an interrupting "she said").

    Returns columns ``doc_id, quote_id, type, speaker_id, speaker_name, speaker_kind, words, chars``,
    one row per quote, in the order of the quote table.

        >>> quote_lengths(quotes).groupby("type")["words"].median()   # doctest: +SKIP
    """
    df = _with_speakers(quotes)
    pieces = _quote_pieces(df)
    out = pd.DataFrame({
        "doc_id": df["doc_id"].to_numpy(),
        "quote_id": df["quote_id"].to_numpy() if "quote_id" in df.columns else [f"{d}:{i}" for i, d in enumerate(df["doc_id"])],
        "type": df["type"].to_numpy() if "type" in df.columns else None,
        "speaker_id": df["speaker_id"].to_numpy(),
        "speaker_name": df["speaker_name"].to_numpy(),
        "speaker_kind": df["speaker_kind"].to_numpy(),
        "words": [sum(len(_word_spans(p)) for p in ps) for ps in pieces],
        "chars": [sum(len(p) for p in ps) for ps in pieces],
    })
    return out


def who_says_what(quotes: pd.DataFrame, *, corpus: pd.DataFrame | None = None, by=None) -> pd.DataFrame:
    """Quotes and quoted words per speaker, optionally per outlet, month, story or any metadata column.

    ``by`` is a column name or a list of them: a column of the quote table (``type``, ``stance``,
    ``doc_id``...), a corpus column joined on ``doc_id`` (``source`` — alias ``outlet`` —, ``story``,
    ``author``... needs ``corpus=``), or ``"month"``/``"week"``/``"quarter"``/``"year"`` derived from
    the corpus ``date`` ("2026-03"; undated documents give ``"(no date)"``). Quotes from documents
    missing from the corpus, or with a blank metadata value, are counted under ``"(unknown)"``.

    Returns columns ``[*by], speaker_id, speaker_name, speaker_kind, quotes, words, share_of_voice,
    documents``: ``words`` counts the words inside the quote marks, ``share_of_voice`` is the
    speaker's share of all quoted words in the group (all quotes when ``by`` is None; shares sum to 1
    within each group), ``documents`` the number of articles quoting the speaker. Sorted by group,
    then most quotes first. Unattributed quotes appear as speaker ``"(unattributed)"``.

        >>> who_says_what(quotes, corpus=corpus, by="source").head()   # doctest: +SKIP
    """
    df = _with_speakers(quotes)
    df["words"] = _word_counts(df)
    df, keys = _add_keys(df, by, corpus)
    speaker_cols = ["speaker_id", "speaker_name", "speaker_kind"]
    columns = [*keys, *speaker_cols, "quotes", "words", "share_of_voice", "documents"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("quotes", "words", "documents")
                                          else "float64" if c == "share_of_voice" else "object")
                             for c in columns})
    table = (df.groupby([*keys, *speaker_cols], sort=False, dropna=False)
             .agg(quotes=("doc_id", "size"), words=("words", "sum"), documents=("doc_id", "nunique"))
             .reset_index())
    totals = table.groupby(keys, dropna=False)["words"].transform("sum") if keys else table["words"].sum()
    table["share_of_voice"] = (table["words"] / totals).fillna(0.0).astype("float64")
    table = table.sort_values([*keys, "quotes", "words", "speaker_name"],
                              ascending=[True] * len(keys) + [False, False, True], kind="stable")
    return table[columns].reset_index(drop=True)


def top_speakers(quotes: pd.DataFrame, *, n: int | None = 10, kind=None, rank_by: str = "quotes") -> pd.DataFrame:
    """The ``n`` most quoted speakers, optionally of one kind or several kinds.

    ``kind``: ``"person"``, ``"organization"``, ``"unnamed source"``, ``"unknown"`` or a list of them
    (None: all, including ``"(unattributed)"``). ``rank_by``: ``"quotes"`` or ``"words"``.

    Returns the columns of :func:`who_says_what` without grouping: ``speaker_id, speaker_name,
    speaker_kind, quotes, words, share_of_voice, documents`` (share of voice is over ALL quotes,
    before the kind filter), most quoted first.

        >>> top_speakers(quotes, n=5, kind="person")   # doctest: +SKIP
    """
    kinds = _kinds(kind)
    if rank_by not in ("quotes", "words"):
        raise ValueError(f"rank_by must be 'quotes' or 'words', not {rank_by!r}")
    table = who_says_what(quotes)
    if kinds:
        table = table[table["speaker_kind"].isin(kinds)]
    other = "words" if rank_by == "quotes" else "quotes"
    table = table.sort_values([rank_by, other, "speaker_name"], ascending=[False, False, True], kind="stable")
    if n is not None:
        table = table.head(n)
    return table.reset_index(drop=True)


def speaker_timeline(quotes: pd.DataFrame, *, corpus: pd.DataFrame | None = None, freq: str = "M",
                     n: int | None = 5, kind=None) -> pd.DataFrame:
    """Quotes per period for the ``n`` most quoted speakers, with zeros for quiet periods.

    Dates come from the corpus ``date`` column (joined on ``doc_id``) or from a ``date`` column of the
    quote table. ``freq``: ``"M"`` (month) or ``"W"`` (week, Monday to Sunday); also ``"Q"``, ``"Y"``.
    ``n=None`` keeps every speaker; ``kind`` keeps speakers of one kind or a list of kinds (as in
    :func:`top_speakers`). Quotes from undated documents cannot be placed: they are counted
    in ``result.attrs["undated_quotes"]`` and a warning names some of their documents.

    Returns columns ``period`` (datetime, start of the period), ``speaker_id, speaker_name,
    speaker_kind, quotes, words``: one row for every speaker x every period between the first and the
    last dated quote. Speakers are ordered by total quotes, most quoted first.

        >>> speaker_timeline(quotes, corpus=corpus, freq="M", n=3)   # doctest: +SKIP
    """
    if freq not in _PERIOD_FREQS:
        raise ValueError(f"freq must be 'M' (month) or 'W' (week) (or 'Q', 'Y'), not {freq!r}")
    period_freq = _PERIOD_FREQS[freq]
    kinds = _kinds(kind)
    df = _with_speakers(quotes)
    if kinds:
        df = df[df["speaker_kind"].isin(kinds)]
    df["words"] = _word_counts(df)
    if "date" not in df.columns:
        if corpus is None:
            raise ValueError("speaker_timeline needs dates: pass corpus= (the table from load_corpus, "
                             "with a 'date' column) or add a 'date' column to the quote table")
        meta = _metadata(corpus, ["date"])
        df = df.merge(meta, on="doc_id", how="left", validate="many_to_one")
    dates = pd.to_datetime(df["date"], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    undated = dates.isna()
    if undated.any():
        examples = ", ".join(df.loc[undated, "doc_id"].unique()[:5])
        warnings.warn(f"{int(undated.sum())} quotes have no date and are left out of the timeline "
                      f"(documents: {examples})", stacklevel=2)
    ranking = (df.groupby("speaker_id", sort=False).agg(quotes=("doc_id", "size"), words=("words", "sum"),
                                                         name=("speaker_name", "first"))
               .reset_index().sort_values(["quotes", "words", "name"], ascending=[False, False, True], kind="stable"))
    chosen = ranking["speaker_id"].tolist() if n is None else ranking["speaker_id"].head(n).tolist()
    dated = df[~undated].assign(period=dates[~undated].dt.to_period(period_freq))
    columns = ["period", "speaker_id", "speaker_name", "speaker_kind", "quotes", "words"]
    if dated.empty or not chosen:
        result = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "period" else
                                            "int64" if c in ("quotes", "words") else "object") for c in columns})
        result.attrs["undated_quotes"] = int(undated.sum())
        return result
    periods = pd.period_range(dated["period"].min(), dated["period"].max(), freq=period_freq)
    counts = (dated[dated["speaker_id"].isin(chosen)]
              .groupby(["speaker_id", "period"]).agg(quotes=("doc_id", "size"), words=("words", "sum")))
    grid = pd.MultiIndex.from_product([chosen, periods], names=["speaker_id", "period"])
    result = counts.reindex(grid, fill_value=0).reset_index()
    speakers = df.drop_duplicates("speaker_id").set_index("speaker_id")
    result["speaker_name"] = result["speaker_id"].map(speakers["speaker_name"])
    result["speaker_kind"] = result["speaker_id"].map(speakers["speaker_kind"])
    result["period"] = pd.PeriodIndex(result["period"], freq=period_freq).start_time
    result["quotes"] = result["quotes"].astype("int64")
    result["words"] = result["words"].astype("int64")
    result = result[columns]
    result.attrs["undated_quotes"] = int(undated.sum())
    return result


# ---------------------------------------------------------------------------------------------
# what they talk about
# ---------------------------------------------------------------------------------------------

def _terms(pieces, stopwords) -> list:
    terms = []
    for piece in pieces:
        for word in _words(piece):
            word = _POSSESSIVE.sub("", word.lower().replace("’", "'"))
            if len(word) > 1 and word not in stopwords and _HAS_LETTER.search(word):
                terms.append(word)
    return terms


def distinctive_terms(quotes: pd.DataFrame, *, group: str = "speaker_id", groups=None, n: int = 10,
                      min_count: int = 3, prior: float = 1.0, corpus: pd.DataFrame | None = None,
                      stopwords=None) -> pd.DataFrame:
    """The words that set each group's quotes apart from the other groups' quotes ("Fightin' Words").

    Scores every word with the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi
    & Quinn 2008, "Fightin' Words", Political Analysis 16(4)), comparing one group against all the
    other groups together; the z-score divides the log-odds by its estimated standard deviation, so
    frequent words need a large difference and rare words are shrunk toward zero. The prior is the
    pooled word frequencies of all compared quotes, with total weight ``prior`` x the number of words.

    ``group``: a column of the quote table (``speaker_id``, ``type``, ``stance``...) or a corpus column
    (``source``, ``story``, ``month``; needs ``corpus=``). ``groups``: restrict the comparison to these
    group values (two of them give a head-to-head comparison). Words are the toolkit's word tokens,
    lower-cased, possessive 's removed, without stopwords (``toolkit/data/stopwords.txt``, see
    ``toolkit.tokens.stopwords()``; or pass your own ``stopwords=``), numbers and
    punctuation; only words seen ``min_count`` times in the compared quotes are scored.

    Returns columns ``group, term, count, z``: for each group its ``n`` most distinctive words with
    ``z > 0`` (``count`` = uses by that group), highest z first. Groups come in the order of ``groups``,
    else most words first.

        >>> distinctive_terms(quotes, groups=["dana-okafor", "helen-marchetti"], n=8)   # doctest: +SKIP
    """
    if n is not None and n < 1:
        raise ValueError("n must be at least 1")
    if prior <= 0:
        raise ValueError("prior must be positive")
    stopwords = _stopwords() if stopwords is None else frozenset(w.lower() for w in stopwords)
    df = _with_speakers(quotes)
    df, (key,) = _add_keys(df, [group], corpus)
    wanted = _as_list(groups)
    if wanted:
        present = set(df[key].astype(str))
        missing = [g for g in wanted if str(g) not in present]
        if missing:
            raise ValueError(f"no quotes for {key} = {missing}; some values found: {sorted(present)[:10]}")
        df = df[df[key].astype(str).isin([str(g) for g in wanted])]
    labels = df[key].astype(str).tolist()
    if len(set(labels)) < 2:
        raise ValueError(f"distinctive_terms compares groups: the quotes have fewer than two values of {key!r}")

    counts = defaultdict(Counter)
    for label, pieces in zip(labels, _quote_pieces(df)):
        counts[label].update(_terms(pieces, stopwords))
    rows = [(g, t, c) for g, counter in counts.items() for t, c in counter.items()]
    columns = ["group", "term", "count", "z"]
    if not rows:
        return pd.DataFrame({"group": pd.Series(dtype="object"), "term": pd.Series(dtype="object"),
                             "count": pd.Series(dtype="int64"), "z": pd.Series(dtype="float64")})
    long = pd.DataFrame(rows, columns=["group", "term", "count"])
    term_total = long.groupby("term")["count"].transform("sum")
    group_total = long.groupby("group")["count"].transform("sum")
    grand_total = float(long["count"].sum())
    long = long[term_total >= min_count].copy()
    term_total = term_total[long.index].astype(float)
    group_total = group_total[long.index].astype(float)

    alpha_w = prior * term_total                      # informative prior: pooled counts
    alpha_0 = prior * grand_total
    y_i = long["count"].astype(float)
    y_j = term_total - y_i                            # the same word in all other groups
    n_i = group_total
    n_j = grand_total - group_total
    delta = (np.log((y_i + alpha_w) / (n_i + alpha_0 - y_i - alpha_w))
             - np.log((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w)))
    variance = 1.0 / (y_i + alpha_w) + 1.0 / (y_j + alpha_w)
    long["z"] = (delta / np.sqrt(variance)).astype("float64")
    long = long[long["z"] > 0]

    if wanted:
        order = [str(g) for g in wanted]
    else:
        sizes = pd.Series({g: sum(c.values()) for g, c in counts.items()})
        order = sizes.sort_values(ascending=False, kind="stable").index.tolist()
    rank = {g: i for i, g in enumerate(order)}
    long = long.assign(_rank=long["group"].map(rank)).sort_values(["_rank", "z", "term"], ascending=[True, False, True],
                                                                  kind="stable")
    if n is not None:
        long = long.groupby("group", sort=False).head(n)
    long["count"] = long["count"].astype("int64")
    return long[columns].reset_index(drop=True)


def keyword_in_context(quotes: pd.DataFrame, term: str, *, width: int = 40, regex: bool = False,
                       case_sensitive: bool = False) -> pd.DataFrame:
    """Concordance (keyword in context) of ``term`` inside the quotes, with who said it.

    ``term`` matches whole words (``"port"`` does not match "support"); several words are fine
    (``"cost of living"``); ``regex=True`` takes a regular expression as it is. Only the quoted pieces
    are searched, not an interrupting "she said". ``left`` and ``right`` hold up to ``width``
    characters of the quote around the match, newlines shown as spaces.

    Returns columns ``doc_id, quote_id, speaker_name, left, keyword, right, start, end`` where
    ``start, end`` are the keyword's character offsets in the document text.

        >>> keyword_in_context(quotes, "strike", width=30)   # doctest: +SKIP
    """
    if not isinstance(term, str) or not term.strip():
        raise ValueError("keyword_in_context needs a non-empty term")
    flags = 0 if case_sensitive else re.IGNORECASE
    pattern = re.compile(term if regex else rf"(?<!\w){re.escape(term.strip())}(?!\w)", flags)
    df = _with_speakers(quotes)
    has_start = "start" in df.columns
    rows = []
    quote_ids = df["quote_id"] if "quote_id" in df.columns else pd.Series([None] * len(df), index=df.index)
    frags = df["fragments"] if "fragments" in df.columns else pd.Series([None] * len(df), index=df.index)
    starts = df["start"] if has_start else pd.Series([None] * len(df), index=df.index)
    for doc_id, quote_id, name, text, start, fragments in zip(df["doc_id"], quote_ids, df["speaker_name"],
                                                             df["text"], starts, frags):
        if not isinstance(text, str):
            continue
        offset = None if _is_missing(start) else int(start)
        pairs = _fragments(fragments)
        windows = ([(s - offset, e - offset) for s, e in pairs] if pairs and offset is not None
                   else [(0, len(text))])
        for match in pattern.finditer(text):
            s, e = match.span()
            if e == s or not any(ws <= s and e <= we for ws, we in windows):
                continue
            rows.append({
                "doc_id": doc_id, "quote_id": quote_id, "speaker_name": name,
                "left": _SPACES.sub(" ", text[max(0, s - width):s]),
                "keyword": match.group(0),
                "right": _SPACES.sub(" ", text[e:e + width]),
                "start": None if offset is None else offset + s,
                "end": None if offset is None else offset + e,
            })
    columns = ["doc_id", "quote_id", "speaker_name", "left", "keyword", "right", "start", "end"]
    result = pd.DataFrame(rows, columns=columns)
    if has_start:
        result["start"] = result["start"].astype("int64")
        result["end"] = result["end"].astype("int64")
    return result


# ---------------------------------------------------------------------------------------------
# who is quoted with whom, and how they are introduced
# ---------------------------------------------------------------------------------------------

def _name_index(df: pd.DataFrame) -> dict:
    """Map every name form (full names seen, and unambiguous surnames of people) to a speaker id."""
    named = df[(df["speaker_id"] != UNATTRIBUTED) & (df["speaker_kind"] != "unnamed source")]
    forms = defaultdict(set)
    variants = "speaker_name_seen" if "speaker_name_seen" in named.columns else "speaker_name"
    for speaker_id, kind, name in zip(named["speaker_id"], named["speaker_kind"], named[variants]):
        if not isinstance(name, str) or not name[:1].isupper():
            continue
        name = name.replace("’", "'")
        forms[name].add(speaker_id)
        parts = name.split()
        if kind != "organization" and len(parts) > 1 and len(parts[-1]) >= 3 and parts[-1][:1].isupper():
            forms[parts[-1]].add(speaker_id)
    # a one-word form that is a common word ("The", a mis-read speaker) would match everywhere
    stop = _stopwords()
    return {form: next(iter(ids)) for form, ids in forms.items()
            if len(ids) == 1 and (" " in form or (len(form) >= 3 and form.lower() not in stop))}


def _mentioned_ids(text: str, names: dict, longest: int) -> set:
    found = set()
    for run in _CAPITALISED_RUN.finditer(text):
        tokens = [_POSSESSIVE.sub("", t.replace("’", "'")) for t in run.group(0).split()]
        for i in range(len(tokens)):
            for j in range(min(len(tokens), i + longest), i, -1):
                speaker_id = names.get(" ".join(tokens[i:j]))
                if speaker_id is not None:
                    found.add(speaker_id)
                    break
    return found


def quote_network(quotes: pd.DataFrame, *, corpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who is quoted alongside whom, and who speaks about whom, as an edge table.

    Two relations:
    - ``"quoted_with"`` (undirected; ``source`` < ``target``): both speakers are quoted in the same
      article; ``weight`` = number of such articles.
    - ``"speaks_about"`` (directed): a quote by ``source`` mentions ``target`` by a name form seen for
      that speaker (full name, or a person's surname when no other speaker shares it); ``weight`` =
      number of such quotes. Unnamed sources are never targets; self-mentions are ignored.
    Unattributed quotes and nameless unnamed sources are left out (they are no one speaker); count
    them with :func:`who_says_what`.

    Returns columns ``source, source_name, target, target_name, relation, weight, documents`` (list
    of the doc_ids behind the edge), plus ``outlets`` (list of outlet names) when ``corpus=`` with a
    ``source`` column is given. Sorted by relation, then heaviest first.

        >>> edges = quote_network(quotes)
        >>> edges[edges.relation == "speaks_about"].head()   # doctest: +SKIP
    """
    df = _with_speakers(quotes)
    if "speaker_name" in quotes.columns:
        df["speaker_name_seen"] = _clean_str(quotes["speaker_name"]).fillna("").to_numpy()
    df = df[~df["speaker_id"].isin([UNATTRIBUTED, UNNAMED])]
    name_of = df.drop_duplicates("speaker_id").set_index("speaker_id")["speaker_name"].to_dict()

    edges = defaultdict(set)                # (source, target, relation) -> doc_ids / quote keys
    weights = Counter()
    for doc_id, speaker_ids in df.groupby("doc_id", sort=True)["speaker_id"]:
        for a, b in itertools.combinations(sorted(set(speaker_ids)), 2):
            edges[(a, b, "quoted_with")].add(doc_id)
            weights[(a, b, "quoted_with")] += 1

    names = _name_index(df)
    longest = max((len(form.split()) for form in names), default=1)
    for doc_id, speaker_id, pieces in zip(df["doc_id"], df["speaker_id"], _quote_pieces(df)):
        for target in _mentioned_ids(" … ".join(pieces), names, longest):
            if target != speaker_id:
                key = (speaker_id, target, "speaks_about")
                edges[key].add(doc_id)
                weights[key] += 1

    rows = [{"source": s, "source_name": name_of[s], "target": t, "target_name": name_of[t], "relation": r,
             "weight": weights[(s, t, r)], "documents": sorted(docs)} for (s, t, r), docs in edges.items()]
    columns = ["source", "source_name", "target", "target_name", "relation", "weight", "documents"]
    result = pd.DataFrame(rows, columns=columns)
    if corpus is not None:
        meta = _metadata(corpus, ["source"])
        outlet = dict(zip(meta["doc_id"], meta["source"]))
        result["outlets"] = [sorted({str(outlet[d]) for d in docs if d in outlet and not _is_missing(outlet[d])})
                             for docs in result["documents"]]
    result["weight"] = result["weight"].astype("int64")
    result = result.sort_values(["relation", "weight", "source", "target"], ascending=[True, False, True, True],
                                kind="stable")
    return result.reset_index(drop=True)


def cue_profile(quotes: pd.DataFrame, *, n_cues: int = 3) -> pd.DataFrame:
    """How each speaker is introduced: the stance of the reporting verbs journalists chose.

    "said" is neutral; "claimed", "insisted", "admitted", "denied"... frame the speaker. Stance values
    come from the quote table's ``stance`` column (the reporting-verb lexicon); quotes without a cue
    (continuation paragraphs, headlines) count as ``"(no cue)"``.

    Returns one row per speaker x stance: ``speaker_id, speaker_name, speaker_kind, stance, quotes,
    share`` (of that speaker's quotes; shares sum to 1 per speaker), ``top_cues`` (the ``n_cues``
    most used cues with that stance, e.g. ``"said (12), added (3)"``). Speakers most quoted first;
    within a speaker, ``"neutral"`` first, then the most used stance.

        >>> cue_profile(quotes).query("stance != 'neutral'")   # doctest: +SKIP
    """
    df = _with_speakers(quotes)
    cues = _clean_str(df["cue"]) if "cue" in df.columns else pd.Series([None] * len(df), index=df.index, dtype="object")
    stance = _clean_str(df["stance"]) if "stance" in df.columns else pd.Series([None] * len(df), index=df.index, dtype="object")
    df["cue_norm"] = [NO_CUE if c is None else _SPACES.sub(" ", c.lower()) for c in cues]
    df["stance"] = [s if s is not None else (NO_CUE if c is None else UNKNOWN_KIND)
                    for s, c in zip(stance, cues)]
    columns = ["speaker_id", "speaker_name", "speaker_kind", "stance", "quotes", "share", "top_cues"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "quotes" else "float64" if c == "share" else "object")
                             for c in columns})
    keys = ["speaker_id", "speaker_name", "speaker_kind", "stance"]
    table = df.groupby(keys, sort=False).size().reset_index(name="quotes")
    table["total"] = table.groupby("speaker_id")["quotes"].transform("sum")
    table["share"] = (table["quotes"] / table["total"]).astype("float64")
    cue_counts = df.groupby(["speaker_id", "stance", "cue_norm"], sort=False).size().reset_index(name="k")
    cue_counts = cue_counts.sort_values(["speaker_id", "stance", "k", "cue_norm"], ascending=[True, True, False, True])
    top = (cue_counts.groupby(["speaker_id", "stance"], sort=False)
           .apply(lambda g: ", ".join(f"{c} ({k})" for c, k in zip(g["cue_norm"].head(n_cues), g["k"].head(n_cues))),
                  include_groups=False)
           .rename("top_cues").reset_index())
    table = table.merge(top, on=["speaker_id", "stance"], how="left")
    table["is_neutral"] = table["stance"] == "neutral"
    table = table.sort_values(["total", "speaker_name", "speaker_id", "is_neutral", "quotes", "stance"],
                              ascending=[False, True, True, False, False, True], kind="stable")
    return table[columns].reset_index(drop=True)
