"""Scale quote extraction up: several processes, corpora larger than memory, progress bars.

Three entry points, all giving the same quote table as :func:`toolkit.quotes.extract_quotes`:

- :func:`extract_quotes_parallel` splits an in-memory corpus across processes (``n_jobs``);
- :func:`extract_quotes_stream` reads a corpus chunk by chunk (:func:`toolkit.corpus.iter_corpus`),
  writes quotes to a ``.parquet``, ``.jsonl`` or ``.csv`` file as it goes, then assigns corpus-wide
  ``speaker_id`` in a second, cheap pass that reads back only the speaker columns;
- :func:`progress_bar` is the tqdm bar (documents/s and MB/s) the other two show.

    >>> import toolkit as tk
    >>> corpus = tk.load_corpus("data/sample")
    >>> quotes = tk.extract_quotes_parallel(corpus, n_jobs=2)
    >>> summary = tk.extract_quotes_stream("big_corpus.parquet", out="quotes.parquet")
    >>> quotes = tk.read_quotes("quotes.parquet")

In quote files, ``fragments`` is stored as ``list<list<int64>>`` in Parquet, as a JSON array of
``[start, end]`` pairs in JSONL, and as the same JSON array written as a string in CSV.
:func:`read_quotes` turns all three back into lists of ``[start, end]`` lists.
"""
from __future__ import annotations

import json
import os
import time
import warnings
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import is_missing

__all__ = [
    "extract_quotes_parallel",
    "extract_quotes_stream",
    "progress_bar",
    "read_quotes",
    "summary_line",
    "advance",
    "QUOTE_FILE_TYPES",
]

QUOTE_FILE_TYPES = (".parquet", ".jsonl", ".csv")
# Options that belong to the corpus reader rather than to extract_quotes.
CORPUS_OPTIONS = ("text_col", "id_col", "metadata", "encoding", "pattern")
# The only columns the second (speaker) pass reads back from a quote file: speaker_id is
# resolved from these alone, one distinct combination at a time.
SPEAKER_KEY_COLUMNS = ["speaker", "speaker_name", "speaker_kind", "speaker_role"]
DOCUMENT_COLUMNS = ["doc_id", "chars", "quotes", "status", "problems"]
SECOND_PASS_BATCH_ROWS = 20_000


# --------------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------------

def _tqdm_class():
    # tqdm.autonotebook: a widget in Jupyter, a text bar elsewhere (tqdm.auto adds asyncio support,
    # which costs an import of asyncio). Without ipywidgets it falls back to the text bar in
    # notebooks (which renders fine) but warns on import; the warning is noise for workshop users.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from tqdm.autonotebook import tqdm
    return tqdm


def progress_bar(iterable=None, *, total=None, unit="doc", enabled=True, desc=None):
    """Wrap ``iterable`` in a tqdm progress bar (``tqdm.autonotebook``: a widget in Jupyter when ipywidgets
    is installed, a text bar otherwise).

    The bar counts ``unit`` per second; call :func:`advance` (or ``bar.update(n)``) when
    ``iterable`` is None. With ``enabled=False`` nothing at all is printed.

    Returns the tqdm object (iterate over it, or update it by hand).

        >>> for doc in progress_bar(corpus.itertuples(), total=len(corpus), desc="quotes"):
        ...     pass
        >>> bar = progress_bar(total=len(corpus), enabled=False)   # silent
    """
    tqdm = _tqdm_class()
    bar = tqdm(iterable, total=total, unit=unit, desc=desc, disable=not enabled,
               dynamic_ncols=True, smoothing=0.1)
    bar._wsw_bytes = 0
    bar._wsw_started = time.perf_counter()
    return bar


def advance(bar, *, docs, nbytes=0):
    """Move ``bar`` on by ``docs`` documents and show the text throughput in MB/s."""
    bar._wsw_bytes = getattr(bar, "_wsw_bytes", 0) + nbytes
    if not bar.disable:
        elapsed = max(time.perf_counter() - getattr(bar, "_wsw_started", time.perf_counter()), 1e-9)
        bar.set_postfix_str(f"{bar._wsw_bytes / 1e6 / elapsed:.2f} MB/s", refresh=False)
    bar.update(docs)


# --------------------------------------------------------------------------------------------
# the engine, and the per-chunk worker (module level so spawned processes can import it)
# --------------------------------------------------------------------------------------------

def _engine():
    from .quotes import extract_quotes
    from .speakers import resolve_speakers

    return extract_quotes, resolve_speakers


def _text_bytes(texts) -> int:
    """UTF-8 size of a column of texts (for MB/s)."""
    return int(text_byte_offsets(texts)[-1])


def text_byte_offsets(texts) -> np.ndarray:
    """Cumulative UTF-8 sizes of a column of texts: element n is the size of the first n texts (for
    progress in MB/s; a missing text counts 0). Counted by Arrow when it can."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        lengths = pc.binary_length(pa.array(texts, type=pa.large_string(), from_pandas=True))
        lengths = lengths.fill_null(0).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):     # (e.g. lone surrogates, non-str values)
        lengths = [0 if is_missing(t) else len(str(t).encode("utf-8", "surrogatepass")) for t in texts]
    return np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])


def _error_documents(chunk: pd.DataFrame, message: str) -> pd.DataFrame:
    problems = chunk["problems"].fillna("").astype(str) if "problems" in chunk else pd.Series([""] * len(chunk))
    return pd.DataFrame({
        "doc_id": chunk["doc_id"].astype(str).to_numpy(),
        "chars": chunk["text"].fillna("").astype(str).str.len().to_numpy(),
        "quotes": 0,
        "status": "error",
        "problems": [_join_flags(p, f"error: {message}") for p in problems],
    })


def _extract_chunk(chunk: pd.DataFrame, options: dict, max_chars=None):
    """Run the engine on one chunk; returns (quotes, documents). Never raises for one bad document.

    Documents longer than ``max_chars`` are not extracted: they get status "error" and the
    problem ``too_long``, so one giant record cannot exhaust a worker's memory.
    """
    if max_chars is not None and len(chunk):
        lengths = chunk["text"].fillna("").astype(str).str.len().to_numpy()
        too_long = lengths > max_chars
        if too_long.any():
            quotes, kept = _extract_chunk(chunk[~too_long], options) if (~too_long).any() else (None, None)
            skipped = _error_documents(chunk[too_long], f"too_long: more than max_chars={max_chars:,} characters")
            positions = np.concatenate([np.flatnonzero(~too_long), np.flatnonzero(too_long)])
            documents = _concat([kept, skipped])
            documents = documents.iloc[np.argsort(positions, kind="stable")].reset_index(drop=True)
            return quotes, documents
    extract_quotes, _ = _engine()
    try:
        return extract_quotes(chunk, return_documents=True, progress=False, **options)
    except Exception as chunk_error:  # the engine promises not to raise; isolate the culprit anyway
        if len(chunk) <= 1:
            return None, _error_documents(chunk, f"{type(chunk_error).__name__}: {chunk_error}")
        parts = [_extract_chunk(chunk.iloc[[i]], options) for i in range(len(chunk))]
        return _concat([q for q, _ in parts]), _concat([d for _, d in parts])


def _concat(frames):
    """Stack chunk results as if they had been built in one go.

    A column that is all-missing in one chunk can come out as ``object`` there and ``str`` in
    another; such columns are re-inferred over the whole stacked column, as the serial run does.
    """
    frames = [f for f in frames if f is not None]
    if not frames:
        return None
    non_empty = [f for f in frames if len(f)] or frames[:1]
    if len(non_empty) == 1:
        return non_empty[0].reset_index(drop=True)
    stacked = pd.concat(non_empty, ignore_index=True)
    for column in stacked.columns:
        if len({str(f[column].dtype) for f in non_empty if column in f}) > 1:
            stacked[column] = pd.Series(stacked[column].tolist(), index=stacked.index)
    return stacked


def _join_flags(*flag_strings) -> str:
    seen = []
    for flags in flag_strings:
        if flags is None or (isinstance(flags, float) and np.isnan(flags)):
            continue
        for flag in str(flags).split(";"):
            flag = flag.strip()
            if flag and flag not in seen:
                seen.append(flag)
    return ";".join(seen)


# --------------------------------------------------------------------------------------------
# ordered map over chunks, in process or in a process pool
# --------------------------------------------------------------------------------------------

def _resolve_n_jobs(n_jobs) -> int:
    if n_jobs is None or n_jobs == 0:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


def _new_pool(n_jobs, start_method):
    import multiprocessing

    context = multiprocessing.get_context(start_method) if start_method else None
    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=context)


def _map_chunks(chunks, options, *, n_jobs, start_method=None, max_in_flight=None, max_chars=None):
    """Yield (chunk, quotes, documents) for each chunk, in input order.

    With n_jobs > 1 at most ``max_in_flight`` chunks are pending at once, so a stream of chunks
    never piles up in memory. If a worker dies (e.g. killed for memory on a huge document), the
    chunks in flight that had not finished are run again one by one, each in a fresh process, so only the
    chunk that kills its process is marked as errors; then the run goes on with a new pool.
    """
    if n_jobs <= 1:
        for chunk in chunks:
            quotes, documents = _extract_chunk(chunk, options, max_chars)
            yield chunk, quotes, documents
        return

    max_in_flight = max_in_flight or 2 * n_jobs
    pool = _new_pool(n_jobs, start_method)
    pending = deque()
    chunks = iter(chunks)
    try:
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < max_in_flight:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    exhausted = True
                    break
                try:
                    pending.append((chunk, pool.submit(_extract_chunk, chunk, options, max_chars)))
                except BrokenProcessPool:  # a worker died while we were filling the queue
                    pending.append((chunk, None))
                    break
            if not pending:
                break
            chunk, future = pending[0]
            broken = future is None
            if not broken:
                try:
                    quotes, documents = future.result()
                except BrokenProcessPool:
                    broken = True
                except Exception as failure:
                    quotes, documents = None, _error_documents(chunk, f"{type(failure).__name__}: {failure}")
            if broken:
                pool.shutdown(wait=False, cancel_futures=True)
                suspects = list(pending)
                pending.clear()
                for suspect, suspect_future in suspects:
                    if _finished_fine(suspect_future):
                        yield (suspect, *suspect_future.result())
                    else:
                        yield (suspect, *_extract_in_own_process(suspect, options, max_chars, start_method))
                pool = _new_pool(n_jobs, start_method)
                continue
            pending.popleft()
            yield chunk, quotes, documents
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _finished_fine(future) -> bool:
    return future is not None and future.done() and not future.cancelled() and future.exception() is None


def _extract_in_own_process(chunk, options, max_chars, start_method):
    solo = _new_pool(1, start_method)
    try:
        return solo.submit(_extract_chunk, chunk, options, max_chars).result()
    except BrokenProcessPool as crash:
        return None, _error_documents(chunk, f"worker process died ({crash})")
    except Exception as failure:
        return None, _error_documents(chunk, f"{type(failure).__name__}: {failure}")
    finally:
        solo.shutdown(wait=True, cancel_futures=True)


def _split_by_length(corpus: pd.DataFrame, *, n_chunks=None, chunksize=None):
    """Cut the corpus into contiguous chunks of whole documents with about the same amount of text."""
    n_docs = len(corpus)
    if n_docs == 0:
        return []
    if chunksize:
        bounds = list(range(0, n_docs, int(chunksize))) + [n_docs]
    else:
        lengths = corpus["text"].fillna("").astype(str).str.len().to_numpy(dtype=np.int64) + 1
        cumulative = np.cumsum(lengths)
        n_chunks = max(1, min(int(n_chunks), n_docs))
        targets = cumulative[-1] * np.arange(1, n_chunks) / n_chunks
        cuts = np.searchsorted(cumulative, targets, side="left") + 1
        bounds = sorted({0, n_docs, *[int(c) for c in cuts if 0 < c < n_docs]})
    return [corpus.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


# --------------------------------------------------------------------------------------------
# in-memory parallel extraction
# --------------------------------------------------------------------------------------------

def extract_quotes_parallel(corpus, *, n_jobs=2, chunksize=None, progress=True, return_documents=False,
                            start_method=None, **options):
    """Extract quotes with ``n_jobs`` processes; the result equals ``extract_quotes(corpus)``.

    The corpus is cut into contiguous chunks of whole documents balanced by text length
    (or of ``chunksize`` documents each), each chunk goes through ``extract_quotes`` in a
    worker process, the pieces are put back in input order and ``resolve_speakers`` runs once
    on the whole quote table, so ``speaker_id`` is corpus-wide. ``n_jobs=1`` runs in this
    process; ``n_jobs=-1`` uses every core. ``start_method`` ("fork", "spawn", "forkserver")
    picks how workers start (default: the platform's). Other keyword options (include_terms,
    aliases) go to ``extract_quotes``.

    Returns the quote table (columns as ``extract_quotes``: doc_id, quote_id, type, start, end,
    text, fragments, para, sent, cue, cue_start, cue_end, speaker, speaker_start, speaker_end,
    speaker_name, speaker_id, speaker_kind, speaker_role, stance, rule, confidence, flags), or
    ``(quotes, documents)`` with ``return_documents=True`` (documents: doc_id, chars, quotes,
    status, problems).

        >>> quotes = tk.extract_quotes_parallel(corpus, n_jobs=2, progress=False)
        >>> quotes.equals(tk.extract_quotes(corpus))
        True
    """
    extract_quotes, resolve_speakers = _engine()
    if not isinstance(corpus, pd.DataFrame) or not {"doc_id", "text"} <= set(corpus.columns):
        # a plain string, a Series, or a table the engine will explain what is wrong with
        return extract_quotes(corpus, return_documents=return_documents, progress=False, **options)
    from .quotes import _fewer_gc_passes

    speaker_ids = options.pop("speaker_ids", True)
    chunk_options = {**options, "speaker_ids": False}     # ids are given once, over the whole table
    n_jobs = _resolve_n_jobs(n_jobs)
    if n_jobs == 1 and chunksize is None:      # one process: no chunks to cut and put together again
        return extract_quotes(corpus, progress=progress, return_documents=return_documents, speaker_ids=speaker_ids,
                              **options)
    total_bytes = _text_bytes(corpus["text"].fillna(""))
    n_chunks = max(8 * n_jobs, int(np.ceil(total_bytes / 1_000_000)))
    chunks = _split_by_length(corpus, n_chunks=n_chunks, chunksize=chunksize)

    bar = progress_bar(total=len(corpus), enabled=progress, desc="quotes")
    quote_parts, document_parts = [], []
    try:
        with _fewer_gc_passes() as settle:
            for chunk, quotes, documents in _map_chunks(chunks, chunk_options, n_jobs=n_jobs, start_method=start_method,
                                                         max_in_flight=len(chunks)):
                quote_parts.append(quotes)
                document_parts.append(documents)
                advance(bar, docs=len(chunk), nbytes=_text_bytes(chunk["text"].fillna("")))
                settle()      # (the collector need not re-scan the tables of the chunks done)
    finally:
        bar.close()

    quotes = _concat(quote_parts)
    if quotes is None:  # empty corpus: let the engine give the empty table with every column
        quotes, documents = extract_quotes(corpus.iloc[:0], return_documents=True, progress=False, **options)
        document_parts = [documents]
    if speaker_ids:
        quotes = resolve_speakers(quotes, aliases=options.get("aliases"))
    quotes = quotes.reset_index(drop=True)
    if return_documents:
        return quotes, _concat(document_parts)
    return quotes


# --------------------------------------------------------------------------------------------
# quote files: a fixed schema, writers that append chunk by chunk, a reader
# --------------------------------------------------------------------------------------------

def _quote_schema(columns, sample: pd.DataFrame | None = None):
    import pyarrow as pa

    known = {
        "doc_id": pa.string(), "quote_id": pa.string(), "type": pa.string(),
        "start": pa.int64(), "end": pa.int64(), "text": pa.string(),
        "fragments": pa.list_(pa.list_(pa.int64())),
        "para": pa.int64(), "sent": pa.int64(),
        "cue": pa.string(), "cue_start": pa.int64(), "cue_end": pa.int64(),
        "speaker": pa.string(), "speaker_start": pa.int64(), "speaker_end": pa.int64(),
        "speaker_name": pa.string(), "speaker_id": pa.string(), "speaker_kind": pa.string(),
        "speaker_role": pa.string(), "stance": pa.string(), "rule": pa.string(),
        "confidence": pa.float64(), "flags": pa.string(),
    }
    fields = []
    for column in columns:
        if column in known:
            fields.append(pa.field(column, known[column]))
            continue
        inferred = pa.string()
        if sample is not None and column in sample:
            try:
                inferred = pa.array(sample[column], from_pandas=True).type
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                inferred = pa.string()
            if pa.types.is_null(inferred):
                inferred = pa.string()
        fields.append(pa.field(column, inferred))
    return pa.schema(fields)


def _to_arrow(quotes: pd.DataFrame, schema):
    import pyarrow as pa

    arrays = []
    for field in schema:
        if field.name not in quotes:
            arrays.append(pa.nulls(len(quotes), type=field.type))
            continue
        values = quotes[field.name]
        if field.name == "fragments":
            values = [None if v is None or (isinstance(v, float) and np.isnan(v))
                      else [[int(a), int(b)] for a, b in v] for v in values]
        elif pa.types.is_string(field.type):
            values = values.astype(object).where(values.notna(), None)
            values = [v if v is None or isinstance(v, str) else str(v) for v in values]
        arrays.append(pa.array(values, type=field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _csv_schema(schema):
    """CSV cannot hold nested lists: fragments travel as a JSON string."""
    import pyarrow as pa

    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_list(f.type) else f for f in schema])


def _fragments_as_json(table):
    import pyarrow as pa

    if "fragments" not in table.column_names:
        return table
    index = table.column_names.index("fragments")
    as_json = pa.array([None if v is None else json.dumps(v) for v in table.column(index).to_pylist()],
                       type=pa.string())
    return table.set_column(index, pa.field("fragments", pa.string()), as_json)


class _QuoteWriter:
    """Append quote tables to one .parquet / .jsonl / .csv file with a schema fixed at the first chunk."""

    def __init__(self, path: Path, suffix: str | None = None):
        self.path = Path(path)
        self.suffix = (suffix or self.path.suffix).lower()
        self.schema = None
        self._writer = None
        self._handle = None
        self.rows = 0

    def write(self, quotes: pd.DataFrame):
        if self.schema is None:
            self.schema = _quote_schema(list(quotes.columns), quotes)
            self._open()
        if not len(quotes):
            return
        table = _to_arrow(quotes, self.schema)
        self._write_table(table)
        self.rows += table.num_rows

    def _open(self):
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.suffix == ".parquet":
            self._writer = pq.ParquetWriter(self.path, self.schema)
        elif self.suffix == ".csv":
            self._writer = pacsv.CSVWriter(self.path, _csv_schema(self.schema))
        else:
            self._handle = open(self.path, "w", encoding="utf-8", newline="\n")

    def _write_table(self, table):
        if self.suffix == ".parquet":
            self._writer.write_table(table)
        elif self.suffix == ".csv":
            self._writer.write_table(_fragments_as_json(table))
        else:
            self._handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in table.to_pylist())

    def close(self):
        if self._writer is not None:
            self._writer.close()
        if self._handle is not None:
            self._handle.close()


def _check_quote_path(out) -> Path:
    path = Path(out)
    if path.suffix.lower() not in QUOTE_FILE_TYPES:
        raise ValueError(f"cannot write quotes to {str(path)!r}: the file name must end in one of "
                         f"{', '.join(QUOTE_FILE_TYPES)}")
    return path


def _read_quote_batches(path: Path, schema, columns=None):
    """Yield pyarrow RecordBatches of the quote file, only ``columns`` if given."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        # pre_buffer=False: with pre-buffering, pyarrow keeps every byte it has read until the file
        # is closed, so memory would grow with the file
        parquet = pq.ParquetFile(path, pre_buffer=False)
        try:
            yield from parquet.iter_batches(batch_size=SECOND_PASS_BATCH_ROWS, columns=columns)
        finally:
            parquet.close()
    elif suffix == ".csv":
        csv_schema = _csv_schema(schema)
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=8 << 20),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: f.type for f in csv_schema},
                include_columns=columns or csv_schema.names,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        yield from reader
    else:
        wanted = columns or schema.names
        wanted_schema = pa.schema([schema.field(c) for c in wanted])
        rows = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    rows.append({c: record.get(c) for c in wanted})
                if len(rows) >= SECOND_PASS_BATCH_ROWS:
                    yield pa.RecordBatch.from_pylist(rows, schema=wanted_schema)
                    rows = []
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=wanted_schema)


def _rewrite_speaker_ids(path: Path, schema, speaker_ids):
    """Write the quote file again with new ``speaker_id`` values, batch by batch, then swap it in.

    ``speaker_ids(position, n)`` gives the ids of rows position..position+n-1.
    """
    import pyarrow as pa

    tmp = path.with_name(path.name + ".tmp")
    writer = _QuoteWriter(tmp, suffix=path.suffix)
    writer.schema = schema
    writer._open()
    position = 0
    index = schema.names.index("speaker_id")
    try:
        for batch in _read_quote_batches(path, schema):
            _release_arrow_memory()
            table = pa.Table.from_batches([batch])
            ids = pa.array(speaker_ids(position, table.num_rows), type=pa.string())
            position += table.num_rows
            table = table.set_column(index, schema.field("speaker_id"), ids)
            if writer.suffix in (".csv", ".parquet"):
                writer._writer.write_table(table)
            else:
                writer._write_table(table)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(tmp, path)


def _resolve_speakers_in_file(path: Path, schema, aliases):
    """Second pass: resolve ``speaker_id`` across the corpus from the speaker columns alone.

    Only the distinct combinations of the speaker columns are held in memory (plus one integer
    per quote pointing at its combination), never the quote text; ``resolve_speakers`` runs on
    the distinct combinations and the file is rewritten batch by batch with the new ids.
    """
    _, resolve_speakers = _engine()
    if schema is None or "speaker_id" not in schema.names:
        return
    key_columns = [c for c in SPEAKER_KEY_COLUMNS if c in schema.names]
    if not key_columns:
        return
    key_number: dict = {}
    row_count = _parquet_row_count(path)
    row_keys = np.empty(row_count, dtype=np.int32) if row_count is not None else []
    position = 0
    for batch in _read_quote_batches(path, schema, columns=key_columns):
        _release_arrow_memory()
        frame = batch.to_pandas()
        # group numbers in order of first appearance, matching drop_duplicates' row order
        local = frame.groupby(key_columns, dropna=False, sort=False).ngroup().to_numpy()
        distinct_rows = frame.drop_duplicates().itertuples(index=False, name=None)
        to_global = np.fromiter(
            (key_number.setdefault(tuple(None if is_missing(v) else v for v in row), len(key_number))
             for row in distinct_rows), dtype=np.int32)
        if len(local) and local.max() + 1 != len(to_global):
            raise RuntimeError(f"{path}: could not group the speaker columns consistently")
        if row_count is None:
            row_keys.append(to_global[local])
        else:
            row_keys[position:position + len(local)] = to_global[local]
        position += len(local)
    if row_count is None:
        row_keys = np.concatenate(row_keys) if row_keys else np.zeros(0, dtype=np.int32)
    elif position != row_count:
        raise RuntimeError(f"{path}: read {position} quotes back, the file says it has {row_count}")
    distinct = pd.DataFrame(list(key_number), columns=key_columns)
    distinct = distinct.astype(object).where(distinct.notna(), None)
    del key_number
    resolved = resolve_speakers(distinct, aliases=aliases)
    if len(resolved) != len(distinct):
        raise RuntimeError("resolve_speakers returned a different number of rows than it was given")
    id_of_key = np.array([None if is_missing(v) else str(v) for v in resolved["speaker_id"]] + [None],
                         dtype=object)

    def speaker_ids(position, n):
        return id_of_key[row_keys[position:position + n]].tolist()

    if len(row_keys):
        _rewrite_speaker_ids(path, schema, speaker_ids)


def _parquet_row_count(path: Path):
    if path.suffix.lower() != ".parquet":
        return None
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def _release_arrow_memory():
    """Hand memory pyarrow's allocator keeps for reuse back to the system, so the passes stay flat."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def read_quotes(path) -> pd.DataFrame:
    """Read a quote file written by :func:`extract_quotes_stream` (or the CLI) back into a quote table.

    Accepts ``.parquet``, ``.jsonl`` and ``.csv``. Offsets come back as integers (``Int64`` when a
    column has missing values), ``fragments`` as a list of ``[start, end]`` lists, missing text as
    None. Columns: as written (doc_id, quote_id, type, start, end, text, fragments, ... flags).

        >>> quotes = tk.read_quotes("quotes.parquet")
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no quote file at {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = pq.read_table(path)
    elif suffix == ".jsonl":
        with open(path, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        columns = list(rows[0]) if rows else []
        schema = _quote_schema(columns, pd.DataFrame(rows, columns=columns) if rows else None)
        table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    elif suffix == ".csv":
        import pyarrow.csv as pacsv

        header = pd.read_csv(path, nrows=0).columns.tolist()
        schema = _csv_schema(_quote_schema(header))
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f.name: f.type for f in schema},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=False))
        if "fragments" in table.column_names:
            index = table.column_names.index("fragments")
            parsed = [None if v is None else json.loads(v) for v in table.column(index).to_pylist()]
            table = table.set_column(index, pa.field("fragments", pa.list_(pa.list_(pa.int64()))),
                                     pa.array(parsed, type=pa.list_(pa.list_(pa.int64()))))
    else:
        raise ValueError(f"cannot read quotes from {str(path)!r}: expected one of {', '.join(QUOTE_FILE_TYPES)}")

    frame = {}
    for field in table.schema:
        column = table.column(field.name)
        if pa.types.is_list(field.type):
            frame[field.name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_integer(field.type):
            series = column.to_pandas()
            frame[field.name] = series.astype("Int64") if column.null_count else series.astype("int64")
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            frame[field.name] = pd.Series(column.to_pylist(), dtype=object)
        else:
            frame[field.name] = column.to_pandas()
    return pd.DataFrame(frame)


# --------------------------------------------------------------------------------------------
# streaming
# --------------------------------------------------------------------------------------------

def _iter_sources(source):
    if isinstance(source, (list, tuple)):
        return list(source)
    return [source]


def _source_name(source) -> str:
    return "<DataFrame>" if isinstance(source, pd.DataFrame) else str(source)


def _open_sources(sources, chunksize, corpus_options):
    """One chunk iterator per source. A missing path raises at once (nothing is read yet); so does
    any problem with a single source. In a list, a source that cannot be opened is skipped later."""
    from .corpus import iter_corpus

    for source in sources:
        if not isinstance(source, pd.DataFrame) and not Path(source).expanduser().exists():
            raise FileNotFoundError(f"No such file or folder: '{source}' (nothing was processed)")
    if len(sources) == 1:
        return [(sources[0], iter_corpus(sources[0], chunksize=chunksize, **corpus_options))]
    return [(source, None) for source in sources]


def _guarded_chunks(opened, chunksize, corpus_options, failures, stats):
    """Chunks from every source in turn; a source that fails while being read is recorded and skipped."""
    from .corpus import iter_corpus

    for source, chunks in opened:
        try:
            if chunks is None:
                chunks = iter_corpus(source, chunksize=chunksize, **corpus_options)
            for chunk in chunks:
                stats["read"] += len(chunk)
                yield chunk
        except Exception as failure:
            failures.append({"source": _source_name(source),
                             "error": f"{type(failure).__name__}: {failure}",
                             "documents_read_before": stats["read"]})


def summary_line(summary: dict) -> str:
    """The one-line accounting of a streamed run, e.g. for the command line."""
    line = (f"{summary['read']:,} documents read, {summary['processed']:,} processed, "
            f"{summary['errors']:,} errors, {summary['flagged']:,} flagged (problems), "
            f"{summary['quotes']:,} quotes written to {summary['out']} "
            f"({summary['mb']:,.1f} MB in {summary['seconds']:,.1f} s)")
    for failure in summary.get("source_errors", []):
        line += f"\nskipped the rest of {failure['source']}: {failure['error']}"
    return line


def extract_quotes_stream(source, *, out, chunksize=1000, n_jobs=1, progress=True, documents_out=None,
                          max_chars=5_000_000, start_method=None, **options) -> dict:
    """Extract quotes from a corpus too big for memory, writing them to ``out`` as they are found.

    ``source`` is anything :func:`toolkit.corpus.iter_corpus` reads (a Parquet/CSV/JSONL file, a
    folder of .txt files, a DataFrame) or a list of them; it is read ``chunksize`` documents at
    a time, each chunk is extracted (``n_jobs`` processes work on chunks side by side) and its
    quotes appended to ``out`` (``.parquet``, ``.jsonl`` or ``.csv``). The per-document
    accounting is appended to ``documents_out`` (default ``<stem>.documents.csv`` next to
    ``out``: doc_id, chars, quotes, status, problems). Finally a second, cheap pass reads back
    only the speaker columns, assigns corpus-wide ``speaker_id`` with ``resolve_speakers`` and
    rewrites the file. Memory stays flat as the corpus grows: only one chunk of text, and only
    the speaker columns of the quote table, are held at a time.

    A bad document (undecodable bytes, empty, one the engine fails on, one longer than
    ``max_chars`` characters: status "error", problem ``too_long``; ``max_chars=None`` lifts the
    limit) is recorded in the documents file and the run goes on. A missing path raises before
    anything is read; in a list of sources, a file that turns out to be unreadable is listed under
    ``source_errors`` (with how far it got) and the run goes on with the next source. Corpus-reader options
    (text_col, id_col, metadata, encoding, pattern) go to ``iter_corpus``; the rest (include_terms,
    aliases) to ``extract_quotes``.

    Returns a summary dict: ``read`` (documents read), ``processed`` (extracted without error),
    ``errors`` (read but failed; ``read == processed + errors``), ``flagged`` (documents with
    problems or status other than "ok"), ``quotes``, ``seconds``, ``mb`` (MB of UTF-8 text),
    ``docs_per_s``, ``mb_per_s``, ``out``, ``documents_out``, ``source_errors``.

        >>> summary = tk.extract_quotes_stream("corpus.parquet", out="quotes.parquet", n_jobs=2)
        >>> summary["read"] == summary["processed"] + summary["errors"]
        True
    """
    started = time.perf_counter()
    out = _check_quote_path(out)
    documents_out = Path(documents_out) if documents_out else out.with_name(out.stem + ".documents.csv")
    corpus_options = {k: options.pop(k) for k in CORPUS_OPTIONS if k in options}
    speaker_ids = options.pop("speaker_ids", True)
    chunk_options = {**options, "speaker_ids": False}     # the second pass gives the ids
    n_jobs = _resolve_n_jobs(n_jobs)
    stats = {"read": 0, "processed": 0, "errors": 0, "flagged": 0, "quotes": 0, "bytes": 0}
    source_errors = []
    opened = _open_sources(_iter_sources(source), chunksize, corpus_options)
    writer = _QuoteWriter(out)
    first_documents = True
    bar = progress_bar(total=None, enabled=progress, desc="quotes")
    chunks = _guarded_chunks(opened, chunksize, corpus_options, source_errors, stats)
    try:
        for chunk, quotes, documents in _map_chunks(chunks, chunk_options, n_jobs=n_jobs, start_method=start_method,
                                                     max_chars=max_chars):
            documents = _account(chunk, documents)
            stats["processed"] += int((documents["status"] != "error").sum())
            stats["errors"] += int((documents["status"] == "error").sum())
            stats["flagged"] += int(((documents["status"] != "ok") | (documents["problems"] != "")).sum())
            if quotes is not None:
                writer.write(quotes)
                stats["quotes"] += len(quotes)
            documents.to_csv(documents_out, mode="w" if first_documents else "a", header=first_documents,
                             index=False)
            first_documents = False
            nbytes = _text_bytes(chunk["text"].fillna(""))
            stats["bytes"] += nbytes
            advance(bar, docs=len(chunk), nbytes=nbytes)
        if writer.schema is None:  # not one quote table came back: write an empty file with every column
            extract_quotes, _ = _engine()
            empty = extract_quotes(pd.DataFrame({"doc_id": pd.Series([], dtype=object),
                                                 "text": pd.Series([], dtype=object)}))
            writer.write(empty)
        if first_documents:
            pd.DataFrame(columns=DOCUMENT_COLUMNS).to_csv(documents_out, index=False)
    finally:
        writer.close()
        bar.close()

    if speaker_ids:
        _resolve_speakers_in_file(out, writer.schema, options.get("aliases"))
    seconds = time.perf_counter() - started
    mb = stats["bytes"] / 1e6
    return {
        "read": stats["read"],
        "processed": stats["processed"],
        "errors": stats["errors"],
        "flagged": stats["flagged"],
        "quotes": stats["quotes"],
        "seconds": round(seconds, 3),
        "mb": round(mb, 3),
        "docs_per_s": round(stats["read"] / seconds, 1) if seconds else None,
        "mb_per_s": round(mb / seconds, 3) if seconds else None,
        "out": str(out),
        "documents_out": str(documents_out),
        "source_errors": source_errors,
    }


def _account(chunk: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The engine's per-document table, with the loader's problem flags folded in."""
    documents = documents.reindex(columns=DOCUMENT_COLUMNS).copy()
    documents["status"] = documents["status"].fillna("error").astype(str)
    engine_problems = documents["problems"].tolist()
    if "problems" in chunk and len(chunk) == len(documents):
        loader_problems = chunk["problems"].tolist()
        documents["problems"] = [_join_flags(a, b) for a, b in zip(loader_problems, engine_problems)]
    else:
        documents["problems"] = [_join_flags(p) for p in engine_problems]
    return documents
