"""Load a corpus of news articles into one tidy DataFrame, whatever it is stored as.

    >>> import toolkit as tk
    >>> corpus = tk.load_corpus("data/sample")            # folder of .txt files + metadata.csv
    >>> corpus = tk.load_corpus("articles.csv", text_col="body", id_col="article_id")
    >>> tk.corpus_report(corpus)                           # one row per problem found

Every loader returns the same columns, in this order:

    doc_id   str       file name without extension, the id column, or generated "doc-000001"...
    text     str       the article exactly as stored (never NaN; Windows line endings kept,
                       so character offsets index the text as loaded)
    title    str/NaN   metadata title, or the first non-empty line of a .txt/.md file
    source   str/NaN   outlet name
    date     datetime64[ns], NaT if unknown (time-zone aware dates are converted to UTC)
    url      str/NaN
    author   str/NaN   (lists of authors are joined with "; ")
    ...      any other columns of the input, in their original order
    problems str       "" when fine, else ";"-joined flags (see below)

Problem flags (nothing is ever dropped: every input document is a row):

    encoding_replaced  bytes that are not valid in `encoding` were decoded as U+FFFD
    empty              the text is blank after stripping whitespace
    missing_text       the text was missing (None/NaN/absent); text is set to ""
    missing_id         the id column exists but this row has no id; a "doc-000001"-style id is generated
    duplicate_id       another row has the same doc_id (load_corpus flags all of them; iter_corpus
                       can only flag the second and later ones)
    bad_date           the date is non-empty but could not be parsed; date is NaT
    bad_json_line:N    line N of a JSONL file is not a JSON object; the row has text ""

Column names are normalized only through this small alias map (matched ignoring case and surrounding
spaces; a column is left alone when its target name already exists):

    title  <- headline, heading              source <- outlet, publication, publisher, newspaper
    date   <- published, pubdate, publish_date, published_at, pub_date
    author <- byline, authors                url    <- link, permalink
    (and "Title", " DATE " etc. -> the lowercase name)

Use `text_col=` and `id_col=` for any other names.
"""
from __future__ import annotations

import codecs
from collections import Counter
import io
import json
import threading
import warnings
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
from ._common import is_missing

__all__ = ["load_corpus", "iter_corpus", "corpus_report", "COLUMN_ALIASES", "SUPPORTED_TYPES"]

STANDARD_COLUMNS = ["doc_id", "text", "title", "source", "date", "url", "author"]
_STRING_COLUMNS = ["title", "source", "url", "author"]

COLUMN_ALIASES = {
    "headline": "title",
    "heading": "title",
    "outlet": "source",
    "publication": "source",
    "publisher": "source",
    "newspaper": "source",
    "published": "date",
    "pubdate": "date",
    "pub_date": "date",
    "publish_date": "date",
    "published_at": "date",
    "byline": "author",
    "authors": "author",
    "link": "url",
    "permalink": "url",
}

_TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_TYPES = (
    "a folder of .txt/.md files, .txt, .md, .csv, .tsv, .jsonl (.ndjson), .parquet (.pq), or a pandas DataFrame"
)
_TEXT_COLUMN_GUESSES = ("text", "body", "content", "article", "full_text", "story_text", "article_text")

# pandas >= 3 has a dedicated string dtype; on pandas 2 "str" would turn NaN into "nan", so use object there.
_STRING_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


class MissingColumnError(KeyError, ValueError):
    """A required column is absent. A KeyError (for pandas habits) and a ValueError, with a readable message."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------------------------- public API


def load_corpus(
    source,
    *,
    text_col: str = "text",
    id_col: str = "doc_id",
    metadata=None,
    encoding: str = "utf-8",
    pattern: str | None = None,
) -> pd.DataFrame:
    """Read a corpus of articles into one DataFrame, one row per document.

    `source` is a folder of .txt/.md files (one article a file, sorted by file name, doc_id = file name without
    extension; a `metadata.csv` sidecar in the folder, or the table named by `metadata=`, is joined on doc_id),
    a single .txt/.md file, a .csv/.tsv/.jsonl/.parquet table (one article a row), or a DataFrame (not changed).

    Options: `text_col`/`id_col` name the text and id columns of a table (or the id column of the metadata
    table); `metadata` is a .csv/.tsv path or a DataFrame for folders and single files; `encoding` is used for
    every text file (bytes that do not decode become U+FFFD and the row is flagged `encoding_replaced`; a UTF-8
    byte-order mark is removed); `pattern` is a glob for folders (default: every *.txt and *.md file).

    Returns columns `doc_id, text, title, source, date, url, author`, any extra input columns, then `problems`
    (see the module docstring for the flags). Every row sharing a doc_id is flagged `duplicate_id`.

    Raises FileNotFoundError (missing path), ValueError (unknown file type, folder without text files, bad
    metadata) and MissingColumnError, a KeyError and ValueError (no text column; message lists the columns).

        >>> corpus = load_corpus("data/sample")
        >>> corpus[["doc_id", "title", "source", "date"]].head()
        >>> load_corpus("articles.csv", text_col="body", id_col="article_id")
    """
    chunks = list(
        iter_corpus(
            source,
            chunksize=10_000,
            text_col=text_col,
            id_col=id_col,
            metadata=metadata,
            encoding=encoding,
            pattern=pattern,
        )
    )
    if not chunks:
        return _empty_corpus()
    corpus = pd.concat(chunks)
    corpus = corpus.reindex(columns=_ordered_columns(corpus.columns))
    # iter_corpus cannot flag the first copy of an id that repeats later on; here we can.
    first_copies = corpus["doc_id"].duplicated(keep=False) & ~corpus["problems"].map(_has_duplicate_flag)
    if first_copies.any():
        corpus.loc[first_copies, "problems"] = corpus.loc[first_copies, "problems"].map(
            lambda flags: _join_flags(_split_flags(flags) + ["duplicate_id"])
        )
    return corpus.reset_index(drop=True)


def iter_corpus(
    source,
    *,
    chunksize: int = 1000,
    text_col: str = "text",
    id_col: str = "doc_id",
    metadata=None,
    encoding: str = "utf-8",
    pattern: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield the corpus as DataFrames of at most `chunksize` documents, without reading it all into memory.

    Same options and columns as `load_corpus`. Folders are read file by file, CSV/TSV with pandas'
    `chunksize`, JSONL line by line and Parquet batch by batch. Chunk indexes continue one another, so
    `pd.concat(iter_corpus(path))` has the index 0..n-1. An id already seen in an earlier row is flagged
    `duplicate_id` (the first copy is not: use load_corpus for that). For JSONL, extra columns appear only in
    the chunks where some line has them.

    The source is checked when you call the function (missing path, unknown type, missing text column), not
    on the first chunk.

        >>> for chunk in iter_corpus("big.jsonl", chunksize=5000):
        ...     quotes = tk.extract_quotes(chunk)
    """
    if not isinstance(chunksize, (int, np.integer)) or chunksize < 1:
        raise ValueError(f"chunksize must be a positive whole number of documents, got {chunksize!r}")
    options = dict(text_col=text_col, id_col=id_col, encoding=encoding)
    if isinstance(source, pd.DataFrame):
        _reject_folder_options(source="a DataFrame", metadata=metadata, pattern=pattern)
        frame = _canonical_columns(source, where="the DataFrame", text_col=text_col, id_col=id_col,
                                   columns=list(source.columns))
        return _chunks_of_frames(frame, chunksize)

    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"No such file or folder: '{path}' (expected {SUPPORTED_TYPES})")
    if path.is_dir():
        files = _folder_files(path, pattern)
        sidecar = metadata if metadata is not None else _default_sidecar(path)
        # with a pattern the user picked a subset on purpose: metadata rows for the rest are expected
        known_ids = None if pattern is not None else [f.stem for f in files]
        lookup = _metadata_lookup(sidecar, id_col=id_col, encoding=encoding, known_ids=known_ids)
        return _chunks_from_text_files(files, lookup, encoding=encoding, chunksize=chunksize)

    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        _reject_folder_options(source=f"the file '{path}'", metadata=None, pattern=pattern)
        lookup = _metadata_lookup(metadata, id_col=id_col, encoding=encoding, known_ids=None)
        return _chunks_from_text_files([path], lookup, encoding=encoding, chunksize=chunksize)
    _reject_folder_options(source=f"the file '{path}'", metadata=metadata, pattern=pattern)
    if suffix in _TABLE_SUFFIXES:
        return _chunks_from_delimited(path, sep=_TABLE_SUFFIXES[suffix], chunksize=chunksize, **options)
    if suffix in _JSONL_SUFFIXES:
        return _chunks_from_jsonl(path, chunksize=chunksize, **options)
    if suffix in _PARQUET_SUFFIXES:
        return _chunks_from_parquet(path, chunksize=chunksize, **options)
    raise ValueError(f"Cannot read '{path}': unknown file type '{path.suffix}'. Supported: {SUPPORTED_TYPES}.")


def corpus_report(corpus: pd.DataFrame) -> pd.DataFrame:
    """List every problem flag of a corpus, one row per (document, flag).

    Returns columns `doc_id, problem`, in corpus order; empty when nothing is wrong.

        >>> corpus_report(load_corpus("data/sample"))
        >>> corpus_report(corpus)["problem"].value_counts()
    """
    missing = [column for column in ("doc_id", "problems") if column not in corpus.columns]
    if missing:
        raise MissingColumnError(
            f"corpus_report needs a corpus from load_corpus; column(s) {missing} not found "
            f"(columns found: {list(corpus.columns)})"
        )
    rows = [
        (doc_id, flag)
        for doc_id, flags in zip(corpus["doc_id"], corpus["problems"])
        for flag in _split_flags(flags)
    ]
    return pd.DataFrame(rows, columns=["doc_id", "problem"]).astype(_STRING_DTYPE)


# --------------------------------------------------------------------------------------------- sources


def _folder_files(folder: Path, pattern: str | None) -> list[Path]:
    if pattern is None:
        candidates = [p for p in folder.iterdir() if p.suffix.lower() in _TEXT_SUFFIXES]
    else:
        candidates = list(folder.glob(pattern))
    files = sorted(
        (p for p in candidates if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    if not files:
        wanted = f"files matching {pattern!r}" if pattern else ".txt or .md files"
        raise ValueError(f"The folder '{folder}' has no {wanted} (one article a file is expected).")
    return files


def _default_sidecar(folder: Path) -> Path | None:
    sidecar = folder / "metadata.csv"
    return sidecar if sidecar.is_file() else None


def _metadata_lookup(metadata, *, id_col: str, encoding: str, known_ids: list[str] | None):
    """Read a metadata table into ({doc_id: {canonical column: value}}, {column: dtype}).

    Warns about metadata rows that match no file, so nothing disappears silently.
    """
    if metadata is None:
        return {}, {}
    if isinstance(metadata, pd.DataFrame):
        where, table = "the metadata DataFrame", metadata
    else:
        meta_path = Path(metadata).expanduser()
        where = f"the metadata file '{meta_path}'"
        if not meta_path.is_file():
            raise FileNotFoundError(f"No such metadata file: '{meta_path}' (expected a .csv or .tsv file)")
        sep = _TABLE_SUFFIXES.get(meta_path.suffix.lower())
        if sep is None:
            raise ValueError(f"Cannot read {where}: metadata must be a .csv or .tsv file or a DataFrame.")
        with _replacing_text_handle(meta_path, encoding) as (handle, _):
            table = pd.read_csv(handle, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    id_column = id_col if id_col in table.columns else "doc_id"
    if id_column not in table.columns:
        raise MissingColumnError(
            f"{where} has no id column '{id_col}' to join on (columns found: {list(table.columns)}); "
            f"pass id_col= with the column holding the file names without extension."
        )
    renamed = {}
    for column in table.columns:
        if column == id_column:
            continue
        target = _alias_target(column, table.columns)
        if target in ("text", "doc_id", "problems"):
            raise ValueError(f"{where} has a column '{column}': metadata may not replace the {target} column.")
        renamed[column] = target
    ids = [_strip_text_suffix(_id_to_str(value)) for value in table[id_column]]
    repeated = sorted(doc_id for doc_id, n in Counter(ids).items() if n > 1 and doc_id is not None)
    if repeated:
        raise ValueError(f"{where} has several rows for doc_id(s) {repeated[:10]}; expected one row per file.")
    values = table.drop(columns=[id_column]).rename(columns=renamed)
    dtypes = {
        column: (_STRING_DTYPE if not pd.api.types.is_numeric_dtype(dtype) else dtype)
        for column, dtype in values.dtypes.items()
    }
    lookup = {doc_id: row for doc_id, row in zip(ids, values.to_dict("records")) if doc_id is not None}
    unmatched = sorted(set(lookup) - set(known_ids)) if known_ids is not None else []
    if unmatched:
        warnings.warn(
            f"{where}: {len(unmatched)} row(s) match no article file and are ignored: {unmatched[:10]}",
            UserWarning,
            stacklevel=4,
        )
    return lookup, dtypes


def _chunks_from_text_files(files, metadata, *, encoding, chunksize) -> Iterator[pd.DataFrame]:
    lookup, metadata_dtypes = metadata
    seen: set[int] = set()
    position = 0
    rows, flags = [], []

    def finish():
        frame = pd.DataFrame(rows)
        for column, dtype in metadata_dtypes.items():
            # title/source/url/author/date get their dtype in _finish_chunk; numbers keep pandas' choice
            if column not in _STRING_COLUMNS and column != "date" and dtype == _STRING_DTYPE:
                frame[column] = frame[column].astype(dtype)
        return _finish_chunk(frame, position=position, seen=seen, row_flags=flags)

    for path in files:
        text, replaced = _decode(path.read_bytes(), encoding)
        row = {"doc_id": path.stem, "text": text, **dict.fromkeys(metadata_dtypes), **lookup.get(path.stem, {})}
        if is_missing(row.get("title")) or not str(row.get("title")).strip():
            row["title"] = _first_line(text, markdown=path.suffix.lower() == ".md")
        rows.append(row)
        flags.append(["encoding_replaced"] if replaced else [])
        if len(rows) == chunksize:
            yield finish()
            position += len(rows)
            rows, flags = [], []
    if rows:
        yield finish()


def _chunks_from_delimited(path: Path, *, sep, chunksize, text_col, id_col, encoding) -> Iterator[pd.DataFrame]:
    try:
        with _replacing_text_handle(path, encoding) as (handle, _):
            header = list(pd.read_csv(handle, sep=sep, nrows=0).columns)
    except pd.errors.EmptyDataError:
        raise ValueError(f"'{path}' is empty: expected a header row with a '{text_col}' column.") from None
    where = f"'{path}'"
    _canonical_columns(None, where=where, text_col=text_col, id_col=id_col, columns=header)
    as_text = [c for c in header if c in (text_col, id_col) or _alias_target(c, header) in _STRING_COLUMNS + ["date"]]
    return _delimited_chunks(path, sep, chunksize, header, as_text, text_col, id_col, encoding)


def _delimited_chunks(path, sep, chunksize, header, as_text, text_col, id_col, encoding):
    seen: set[int] = set()
    position = 0
    with _replacing_text_handle(path, encoding) as (handle, replacements):
        reader = pd.read_csv(handle, sep=sep, chunksize=chunksize, dtype={c: str for c in as_text})
        for raw in reader:
            frame = _canonical_columns(raw, where=f"'{path}'", text_col=text_col, id_col=id_col, columns=header)
            # The decoder reads ahead, so we only know "this file had undecodable bytes so far";
            # rows holding U+FFFD are the ones that got a replacement.
            flags = [["encoding_replaced"] if replacements.count and _row_has_replacement(row) else []
                     for row in raw.itertuples(index=False)]
            yield _finish_chunk(frame, position=position, seen=seen, row_flags=flags)
            position += len(frame)


def _chunks_from_jsonl(path: Path, *, chunksize, text_col, id_col, encoding) -> Iterator[pd.DataFrame]:
    with path.open("rb") as handle:
        first = _first_json_object(handle, encoding)
    if first is not None and text_col not in first:
        raise MissingColumnError(
            f"'{path}' has no text field '{text_col}' in its first document (fields found: {list(first)}); "
            f"{_text_col_hint(list(first))}"
        )
    if first is not None and id_col != "doc_id" and id_col not in first:
        raise MissingColumnError(
            f"'{path}' has no id field '{id_col}' in its first document (fields found: {list(first)})."
        )
    return _jsonl_chunks(path, chunksize, text_col, id_col, encoding)


def _jsonl_chunks(path, chunksize, text_col, id_col, encoding):
    seen: set[int] = set()
    position = 0
    records, flags = [], []

    def finish():
        columns = list(dict.fromkeys(key for record in records for key in record))
        raw = pd.DataFrame.from_records(records, columns=columns)
        frame = _canonical_columns(raw, where=f"'{path}'", text_col=text_col, id_col=id_col,
                                   columns=columns, require_text=False)
        return _finish_chunk(frame, position=position, seen=seen, row_flags=flags)

    with path.open("rb") as handle:
        for line_number, raw_line in enumerate(handle, start=1):
            line, replaced = _decode(raw_line, encoding)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                records.append(record)
                flags.append(["encoding_replaced"] if replaced else [])
            else:
                records.append({text_col: ""})
                flags.append([f"bad_json_line:{line_number}"])
            if len(records) == chunksize:
                yield finish()
                position += len(records)
                records, flags = [], []
    if records:
        yield finish()


def _chunks_from_parquet(path: Path, *, chunksize, text_col, id_col, encoding) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        header = list(pq.read_schema(path).names)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise ValueError(f"Cannot read '{path}' as Parquet: {error}") from error
    _canonical_columns(None, where=f"'{path}'", text_col=text_col, id_col=id_col, columns=header)
    return _parquet_chunks(path, chunksize, header, text_col, id_col)


def _parquet_chunks(path, chunksize, header, text_col, id_col):
    import pyarrow.parquet as pq

    seen: set[int] = set()
    position = 0
    with pq.ParquetFile(path, pre_buffer=False) as parquet:
        for batch in parquet.iter_batches(batch_size=chunksize):
            frame = _canonical_columns(batch.to_pandas(), where=f"'{path}'", text_col=text_col, id_col=id_col,
                                       columns=header)
            yield _finish_chunk(frame, position=position, seen=seen, row_flags=None)
            position += len(frame)


def _chunks_of_frames(frame: pd.DataFrame, chunksize: int) -> Iterator[pd.DataFrame]:
    seen: set[int] = set()
    for start in range(0, len(frame), chunksize):
        yield _finish_chunk(frame.iloc[start:start + chunksize], position=start, seen=seen, row_flags=None)


# --------------------------------------------------------------------------------------------- columns


def _alias_target(column, all_columns) -> str:
    """The canonical name for `column`, or the column itself when no alias applies or the target exists."""
    key = str(column).strip().lower()
    target = key if key in STANDARD_COLUMNS + ["problems"] else COLUMN_ALIASES.get(key)
    if target is None or target == column:
        return column
    if target in all_columns:  # e.g. both "outlet" and "source": keep both as they are
        return column
    return target


def _text_col_hint(columns: list) -> str:
    guesses = [c for c in columns if str(c).strip().lower() in _TEXT_COLUMN_GUESSES]
    if guesses:
        return f"pass text_col={str(guesses[0])!r} if that column holds the article text."
    return "pass text_col='<column with the article text>'."


def _canonical_columns(frame, *, where, text_col, id_col, columns, require_text=True):
    """Check the text/id columns and return `frame` (a new object) with canonical column names."""
    if require_text and text_col not in columns:
        raise MissingColumnError(
            f"{where} has no text column '{text_col}' (columns found: {list(columns)}); {_text_col_hint(columns)}"
        )
    if id_col != "doc_id" and id_col not in columns:
        raise MissingColumnError(
            f"{where} has no id column '{id_col}' (columns found: {list(columns)}); "
            f"leave id_col out to generate ids like 'doc-000001'."
        )
    if frame is None:
        return None
    renamed = {}
    for column in frame.columns:
        if column == text_col:
            renamed[column] = "text"
        elif column == id_col:
            renamed[column] = "doc_id"
        elif column in ("text", "doc_id"):  # a second text/id column next to the one the user chose
            renamed[column] = f"{column}_original"
        else:
            renamed[column] = _alias_target(column, frame.columns)
    return frame.rename(columns=renamed)


def _ordered_columns(columns) -> list:
    extras = [c for c in columns if c not in STANDARD_COLUMNS and c != "problems"]
    return STANDARD_COLUMNS + extras + ["problems"]


def _empty_corpus() -> pd.DataFrame:
    corpus = pd.DataFrame({column: pd.Series([], dtype=_STRING_DTYPE) for column in STANDARD_COLUMNS + ["problems"]})
    corpus["date"] = pd.Series([], dtype="datetime64[ns]")
    return corpus


def _finish_chunk(frame, *, position, seen, row_flags) -> pd.DataFrame:
    """Give a renamed chunk the corpus columns, dtypes and problem flags (a new DataFrame)."""
    count = len(frame)
    flags = [[] for _ in range(count)]
    if "problems" in frame.columns:  # re-loading a saved corpus keeps its earlier flags
        flags = [_split_flags(value) for value in frame["problems"]]
    if row_flags is not None:
        flags = [old + [flag for flag in new if flag not in old] for old, new in zip(flags, row_flags)]

    def add(i, flag):
        if flag not in flags[i]:
            flags[i].append(flag)

    # a JSONL line that is not JSON has no id or text to judge: its flag says everything
    bad_lines = [any(flag.startswith("bad_json_line:") for flag in row) for row in flags]
    doc_ids = []
    raw_ids = frame["doc_id"].tolist() if "doc_id" in frame.columns else [None] * count
    for i, value in enumerate(raw_ids):
        doc_id = _id_to_str(value)
        if doc_id is None:
            doc_id = f"doc-{position + i + 1:06d}"
            if "doc_id" in frame.columns and not bad_lines[i]:
                add(i, "missing_id")
        doc_ids.append(doc_id)

    texts = []
    raw_texts = frame["text"].tolist() if "text" in frame.columns else [None] * count
    for i, value in enumerate(raw_texts):
        bad_line = bad_lines[i]
        if is_missing(value):
            texts.append("")
            if not bad_line:
                add(i, "missing_text")
            continue
        text = value if isinstance(value, str) else str(value)
        texts.append(text)
        if not text.strip() and not bad_line:
            add(i, "empty")

    dates, bad_dates = _parse_dates(frame["date"] if "date" in frame.columns else pd.Series([None] * count))
    for i in np.flatnonzero(bad_dates):
        add(i, "bad_date")

    for i, doc_id in enumerate(doc_ids):
        # Keep 64-bit hashes rather than the ids: on a million-document stream this saves ~60 MB, and a
        # false "duplicate_id" flag (a hash collision) has a chance of about 1e-8.
        key = hash(doc_id)
        if key in seen:
            add(i, "duplicate_id")
        seen.add(key)

    index = pd.RangeIndex(position, position + count)
    columns = {"doc_id": pd.Series(doc_ids, index=index, dtype=_STRING_DTYPE)}
    if _STRING_DTYPE != object and "text" in frame.columns and frame["text"].dtype == _STRING_DTYPE:
        # already a string column (Parquet, Arrow): the texts above are its values with "" for the
        # missing ones, so it is kept rather than copied back from Python strings (~4 s per GB)
        columns["text"] = frame["text"].fillna("").set_axis(index)
    else:
        columns["text"] = pd.Series(texts, index=index, dtype=_STRING_DTYPE)
    for column in ["title", "source", "date", "url", "author"]:
        if column == "date":
            columns["date"] = pd.Series(dates.to_numpy(), index=index, dtype="datetime64[ns]")
        elif column in frame.columns:
            values = [_as_optional_str(value) for value in frame[column]]
            columns[column] = pd.Series(values, index=index, dtype=_STRING_DTYPE)
        else:
            columns[column] = pd.Series([None] * count, index=index, dtype=_STRING_DTYPE)
    for column in frame.columns:
        if column not in columns and column != "problems":
            columns[column] = frame[column].set_axis(index)
    columns["problems"] = pd.Series([_join_flags(f) for f in flags], index=index, dtype=_STRING_DTYPE)
    return pd.DataFrame(columns, index=index)


def _parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse to naive datetime64[ns] (aware dates converted to UTC); also say which non-empty values failed."""
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values
        given = values.notna().to_numpy()
    else:
        as_text = pd.Series(
            [None if is_missing(v) or not str(v).strip() else str(v).strip() for v in values], dtype=object
        )
        given = as_text.notna().to_numpy()
        parsed = pd.to_datetime(as_text, errors="coerce", format="ISO8601", utc=True)
        retry = given & parsed.isna().to_numpy()
        if retry.any():  # "March 3, 2026", "03/04/2026", ... one by one
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parsed[retry] = pd.to_datetime(as_text[retry], errors="coerce", format="mixed", utc=True)
        parsed = parsed.dt.tz_localize(None)
    in_range = parsed.isna() | ((parsed >= pd.Timestamp.min) & (parsed <= pd.Timestamp.max))
    parsed = parsed.where(in_range).astype("datetime64[ns]")
    bad = given & parsed.isna().to_numpy()
    return parsed, bad


# --------------------------------------------------------------------------------------------- text helpers


def _decode(raw: bytes, encoding: str) -> tuple[str, bool]:
    """Decode bytes, replacing what does not decode; a UTF-8 byte-order mark is dropped. Line endings kept."""
    codec = _codec_name(encoding)
    try:
        return raw.decode(codec), False
    except UnicodeDecodeError:
        return raw.decode(codec, errors="replace"), True


def _codec_name(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"Unknown encoding {encoding!r}; try encoding='utf-8' or 'latin-1'.") from None
    return "utf-8-sig" if name == "utf-8" else name


_replacement_counters = threading.local()


def _count_and_replace(error: UnicodeDecodeError):
    for counter in getattr(_replacement_counters, "active", []):
        counter.count += 1
    return "\ufffd", error.end


codecs.register_error("who-says-what-replace", _count_and_replace)


class _ReplacementCounter:
    count = 0


class _replacing_text_handle:
    """Open a file as text that replaces undecodable bytes and counts them; newlines are not translated."""

    def __init__(self, path: Path, encoding: str):
        self.path, self.codec = path, _codec_name(encoding)
        self.counter = _ReplacementCounter()

    def __enter__(self):
        self.handle = io.open(self.path, "r", encoding=self.codec, errors="who-says-what-replace", newline="")
        self.handle = _CountingReader(self.handle, self.counter)
        return self.handle, self.counter

    def __exit__(self, *exc):
        self.handle.close()
        return False


class _CountingReader(io.TextIOBase):
    """A text handle whose reads register the counter, so replacements are counted per file even when
    several corpora are read at once in the same thread (the counter is active only during a read)."""

    def __init__(self, handle, counter):
        self._handle, self._counter = handle, counter

    def _counted(self, method, *args):
        active = getattr(_replacement_counters, "active", None)
        if active is None:
            active = _replacement_counters.active = []
        active.append(self._counter)
        try:
            return method(*args)
        finally:
            active.remove(self._counter)

    def read(self, size=-1):
        return self._counted(self._handle.read, size)

    def readline(self, size=-1):
        return self._counted(self._handle.readline, size)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def readable(self):
        return True

    def close(self):
        self._handle.close()
        super().close()


def _row_has_replacement(row) -> bool:
    return any(isinstance(value, str) and "\ufffd" in value for value in row)


def _first_json_object(handle, encoding):
    for raw_line in handle:
        line, _ = _decode(raw_line, encoding)
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            return record
    return None


def _first_line(text: str, *, markdown: bool):
    for line in text.splitlines():
        line = line.strip()
        if markdown:
            line = line.lstrip("#").strip()
        if line:
            return line
    return None


def _as_optional_str(value):
    if isinstance(value, (list, tuple)):  # e.g. several authors
        return "; ".join(str(item) for item in value if not is_missing(item)) or None
    if is_missing(value):
        return None
    return value if isinstance(value, str) else str(value)


def _id_to_str(value):
    if is_missing(value):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 12.0 read from a numeric column means id 12
    text = str(value).strip()
    return text or None


def _strip_text_suffix(doc_id):
    if doc_id is not None and Path(doc_id).suffix.lower() in _TEXT_SUFFIXES:
        return Path(doc_id).stem
    return doc_id


def _split_flags(flags) -> list[str]:
    if is_missing(flags) or not str(flags).strip():
        return []
    return [flag for flag in str(flags).split(";") if flag]


def _join_flags(flags: list[str]) -> str:
    return ";".join(flags)


def _has_duplicate_flag(flags) -> bool:
    return "duplicate_id" in _split_flags(flags)


def _reject_folder_options(*, source, metadata, pattern):
    if pattern is not None:
        raise ValueError(f"pattern= selects files in a folder; it does not apply to {source}.")
    if metadata is not None:
        raise ValueError(
            f"metadata= is joined to folders and .txt/.md files only; for {source}, "
            f"merge your metadata with pandas (corpus.merge(meta, on='doc_id'))."
        )
