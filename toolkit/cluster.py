"""Run quote extraction on a dask cluster: the same pipeline, partition by partition.

    >>> import toolkit as tk
    >>> quotes = tk.extract_quotes_dask("corpus/*.parquet")                      # a local cluster
    >>> quotes = tk.extract_quotes_dask("corpus/*.parquet", scheduler="tcp://10.0.0.5:8786")

Each partition of a ``dask.dataframe`` goes through :func:`toolkit.corpus.load_corpus` (column
names, problem flags) and :func:`toolkit.quotes.extract_quotes` on a worker; the quote tables come
back to this machine and ``resolve_speakers`` assigns corpus-wide ``speaker_id`` in one cheap pass
over the quote table (never over the text). Needs the optional dependencies:
``pip install "who-says-what[dask]"``.

To use a real cluster, start a scheduler and workers where the data are (every worker needs this
package installed: ``pip install "who-says-what[dask]"``)::

    dask scheduler                          # prints tcp://HOST:8786
    dask worker tcp://HOST:8786 --nthreads 1 --nworkers 4

then pass ``scheduler="tcp://HOST:8786"``. Paths must be readable from every worker (shared disk or
``s3://``/``gs://`` URLs with the matching fsspec package installed).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["extract_quotes_dask"]

_MISSING_DASK = ("extract_quotes_dask needs dask and distributed, which are optional: install them with "
                 "pip install \"who-says-what[dask]\" (or: pip install \"dask[dataframe]\" distributed)")
_LOCAL_SCHEDULERS = {"threads", "processes", "sync", "synchronous", "single-threaded"}
_CORPUS_OPTIONS = ("text_col", "id_col", "encoding")


def _import_dask():
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as error:
        raise ImportError(_MISSING_DASK) from error
    return dask, dd


def _import_distributed():
    try:
        import distributed
    except ImportError as error:
        raise ImportError(_MISSING_DASK) from error
    return distributed


# --------------------------------------------------------------------------------------------
# work done on the workers (module level, so it pickles by reference)
# --------------------------------------------------------------------------------------------

def _extract_partition(partition: pd.DataFrame, corpus_options: dict, options: dict) -> pd.DataFrame:
    from .corpus import load_corpus
    from .quotes import extract_quotes

    corpus = load_corpus(partition, **corpus_options)
    return extract_quotes(corpus, progress=False, **options)


def _quote_meta(options: dict) -> pd.DataFrame:
    """An empty quote table with the column names and dtypes the engine produces."""
    from .quotes import extract_quotes

    example = pd.DataFrame({"doc_id": ["meta"], "text": ["\u201cWe will stay,\u201d Dana Okafor said."]})
    return extract_quotes(example, **options).iloc[:0]


# --------------------------------------------------------------------------------------------
# reading the corpus as a dask DataFrame
# --------------------------------------------------------------------------------------------

def _read_corpus(source, *, npartitions, blocksize, text_col, id_col):
    _, dd = _import_dask()
    if isinstance(source, dd.DataFrame):
        corpus = source
    elif isinstance(source, pd.DataFrame):
        corpus = dd.from_pandas(source, npartitions=npartitions or 4, sort=False)
    else:
        corpus = _read_files(source, blocksize=blocksize, text_col=text_col, id_col=id_col)
    if npartitions and corpus.npartitions != npartitions and not isinstance(source, pd.DataFrame):
        corpus = corpus.repartition(npartitions=npartitions)
    if id_col not in corpus.columns:
        # numbered over the whole corpus, as load_corpus does ("doc-000001", ...)
        number = corpus.assign(_row=1)["_row"].cumsum()
        corpus = corpus.assign(**{id_col: number.map(lambda n: f"doc-{n:06d}", meta=(id_col, "object"))})
    return corpus


def _read_files(source, *, blocksize, text_col, id_col):
    _, dd = _import_dask()
    paths = [str(p) for p in source] if isinstance(source, (list, tuple)) else [str(source)]
    first = paths[0]
    local = Path(first)
    if local.is_dir():
        if any(local.glob("*.txt")) or any(local.glob("*.md")):  # articles (+ a metadata.csv sidecar)
            return _from_corpus_loader(first, text_col=text_col, id_col=id_col)
        if any(local.glob("*.parquet")):
            return dd.read_parquet(first)
        if any(local.glob("*.csv")):
            return _read_csv([str(local / "*.csv")], blocksize=blocksize, text_col=text_col, id_col=id_col)
        return _from_corpus_loader(first, text_col=text_col, id_col=id_col)
    suffix = Path(first.split("*")[-1] if "*" in first else first).suffix.lower()
    if suffix == ".parquet" or first.endswith("*"):
        return dd.read_parquet(paths if len(paths) > 1 else first)
    if suffix in (".csv", ".tsv"):
        return _read_csv(paths, blocksize=blocksize, text_col=text_col, id_col=id_col,
                         sep="\t" if suffix == ".tsv" else ",")
    return _from_corpus_loader(first, text_col=text_col, id_col=id_col)


def _read_csv(paths, *, blocksize, text_col, id_col, sep=","):
    _, dd = _import_dask()
    # Article text holds newlines inside quoted fields, so a CSV file can only be cut into byte
    # blocks when the caller says it is safe (blocksize=...); by default one file = one partition.
    return dd.read_csv(paths, sep=sep, blocksize=blocksize, dtype={text_col: "object", id_col: "object"},
                       keep_default_na=False, na_values=[""])


def _from_corpus_loader(source, *, text_col, id_col):
    """Formats dask cannot split (a folder of .txt files, JSONL) are read here and then partitioned."""
    _, dd = _import_dask()
    from .corpus import load_corpus

    corpus = load_corpus(source, text_col=text_col, id_col=id_col)
    return dd.from_pandas(corpus, npartitions=max(1, min(len(corpus) // 500 + 1, 64)), sort=False)


# --------------------------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------------------------

def extract_quotes_dask(source, *, scheduler=None, npartitions=None, blocksize=None, n_workers=2,
                        compute=True, progress=True, text_col="text", id_col="doc_id", **options):
    """Extract quotes with dask: one ``extract_quotes`` per partition, on a local or remote cluster.

    ``source`` is a Parquet file, folder or glob (``"corpus/*.parquet"``), CSV/TSV file(s) or glob,
    a dask DataFrame or a pandas DataFrame (other formats are read with ``load_corpus`` and then
    split). ``npartitions`` repartitions; ``blocksize`` (e.g. ``"64MB"``) cuts CSV files into byte
    blocks, safe only when no text field contains a newline (default: one partition per file).

    ``scheduler``: None starts a ``distributed.LocalCluster`` (``n_workers`` processes, one
    thread each) and closes it afterwards; a string address such as ``"tcp://10.0.0.5:8786"``
    connects to a running scheduler; a ``distributed.Client`` is used as it is; "threads",
    "processes" or "sync" use dask's local schedulers without ``distributed``.

    With ``compute=True`` (default) returns a pandas quote table (columns as
    ``extract_quotes``: doc_id, quote_id, type, start, end, text, fragments, para, sent, cue,
    cue_start, cue_end, speaker, speaker_start, speaker_end, speaker_name, speaker_id,
    speaker_kind, speaker_role, stance, rule, confidence, flags), in corpus order, with
    corpus-wide ``speaker_id``. With ``compute=False`` returns the lazy dask DataFrame of
    per-partition quote tables (``speaker_id`` resolved within partitions only; run
    ``tk.resolve_speakers`` on the computed result). Other options (include_terms, aliases) go
    to ``extract_quotes``.

    Duplicate doc_ids are detected within a partition only.

        >>> quotes = tk.extract_quotes_dask("corpus/*.parquet", scheduler="tcp://10.0.0.5:8786")
        >>> lazy = tk.extract_quotes_dask("corpus.parquet", compute=False)
    """
    dask, _ = _import_dask()
    # keep the engine's column dtypes (dask would turn object columns into pyarrow strings)
    with dask.config.set({"dataframe.convert-string": False}):
        return _extract_quotes_dask(source, scheduler=scheduler, npartitions=npartitions, blocksize=blocksize,
                                    n_workers=n_workers, compute=compute, progress=progress, text_col=text_col,
                                    id_col=id_col, **options)


def _extract_quotes_dask(source, *, scheduler, npartitions, blocksize, n_workers, compute, progress, text_col,
                         id_col, **options):
    dask, _ = _import_dask()
    corpus_options = {"text_col": text_col, "id_col": id_col}
    corpus_options.update({k: options.pop(k) for k in _CORPUS_OPTIONS if k in options})
    corpus = _read_corpus(source, npartitions=npartitions, blocksize=blocksize, text_col=text_col, id_col=id_col)
    if text_col not in corpus.columns:
        raise KeyError(f"{source!r} has no text column {text_col!r} (columns found: {list(corpus.columns)}); "
                       f"pass text_col= to name it")
    meta = _quote_meta(options)
    quotes = corpus.map_partitions(_extract_partition, corpus_options, options, meta=meta)
    if not compute:
        return quotes

    if isinstance(scheduler, str) and scheduler in _LOCAL_SCHEDULERS:
        parts = dask.compute(*quotes.to_delayed(), scheduler=scheduler)
    else:
        parts = _compute_on_cluster(quotes, scheduler=scheduler, n_workers=n_workers, progress=progress)
    return _finish(parts, meta, options.get("aliases"))


def _compute_on_cluster(quotes, *, scheduler, n_workers, progress):
    distributed = _import_distributed()
    from .scale import progress_bar

    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    elif isinstance(scheduler, distributed.Client):
        client = scheduler
    else:
        client = distributed.Client(scheduler)
    try:
        futures = client.compute(quotes.to_delayed())
        bar = progress_bar(total=len(futures), unit="partition", enabled=progress, desc="quotes")
        try:
            for _ in distributed.as_completed(futures):
                bar.update(1)
        finally:
            bar.close()
        return client.gather(futures)
    finally:
        if client is not scheduler:
            client.close()
        if cluster is not None:
            cluster.close()


def _finish(parts, meta, aliases):
    from .speakers import resolve_speakers

    non_empty = [p for p in parts if len(p)]
    quotes = pd.concat(non_empty, ignore_index=True) if non_empty else meta.copy()
    return resolve_speakers(quotes, aliases=aliases).reset_index(drop=True)
