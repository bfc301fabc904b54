"""The ``who-says-what`` command line (also ``python -m toolkit``).

    who-says-what quotes articles/ -o quotes.jsonl          # find and attribute every quotation
    who-says-what quotes corpus.csv -o quotes.parquet --aliases my_aliases.csv
    who-says-what evaluate gold.jsonl quotes.jsonl --types direct,mixed
    who-says-what demo --out outputs                        # the whole job on the bundled corpus

Exit codes: 0 success, 1 a demo step failed (e.g. a notebook raised), 2 bad input or arguments.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["main", "write_table", "DEMO_STEPS", "DemoRun"]

OUTPUT_TYPES = (".jsonl", ".csv", ".parquet")
# Quote-table columns that hold character offsets or counters: written as JSON ints, never floats.
INTEGER_COLUMNS = ("start", "end", "para", "sent", "cue_start", "cue_end", "speaker_start", "speaker_end",
                   "chars", "quotes", "documents", "words")
REPO = Path(__file__).resolve().parent.parent


class CliError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


# --------------------------------------------------------------------------- writing tables

def _json_value(value):
    """A value JSON can hold: None for missing, plain ints/floats, lists for arrays."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0):
        return [_json_value(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records_for_json(frame):
    for record in frame.to_dict("records"):
        row = {key: _json_value(value) for key, value in record.items()}
        for key in INTEGER_COLUMNS:
            if isinstance(row.get(key), float):
                row[key] = int(row[key])
        yield row


def _is_list_column(series):
    return series.dtype == object and series.map(lambda v: isinstance(v, (list, tuple, dict))
                                                 or hasattr(v, "ndim") and getattr(v, "ndim", 0) > 0).any()


def _flat_for_csv(frame):
    """List cells (fragments, variants...) become JSON text so the CSV reads back unambiguously."""
    out = frame.copy()
    for column in out.columns:
        if _is_list_column(out[column]):
            out[column] = out[column].map(lambda v: json.dumps(_json_value(v), ensure_ascii=False)
                                          if v is not None and not (isinstance(v, float) and math.isnan(v)) else None)
    for column in INTEGER_COLUMNS:
        if column in out.columns and out[column].dtype.kind == "f":
            out[column] = out[column].astype("Int64")
    return out


def write_table(frame, path):
    """Write a DataFrame as .jsonl (one row a line, JSON null for missing, ints for offsets), .csv
    (list cells as JSON text) or .parquet, chosen by the file suffix. Returns the path.

    >>> write_table(quotes, "outputs/quotes.jsonl")
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_TYPES:
        raise CliError(f"cannot write {path}: unknown output type {suffix or '(no suffix)'!r}; "
                       f"expected a file ending in {', '.join(OUTPUT_TYPES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            for row in _records_for_json(frame):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif suffix == ".csv":
        _flat_for_csv(frame).to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def _documents_report_path(output):
    return output.with_name(f"{output.stem}.documents.csv")


def _merge_flags(*values):
    flags = []
    for value in values:
        if isinstance(value, str):
            flags.extend(f for f in value.split(";") if f and f not in flags)
    return ";".join(flags)


# --------------------------------------------------------------------------- the pipeline

def _load_corpus(source):
    from .corpus import load_corpus
    try:
        return load_corpus(source)
    except (OSError, ValueError, KeyError, UnicodeError) as err:
        message = str(err.args[0] if isinstance(err, KeyError) and err.args else err)
        where = "" if str(source) in message else f" {source}"
        expected = "" if "expected" in message.lower() or "supported" in message.lower() else (
            " (expected a folder of .txt/.md files, or a .txt, .csv, .tsv, .jsonl or .parquet file)")
        raise CliError(f"cannot read the corpus{where}: {message}{expected}") from None


def _load_aliases(path):
    if path is None:
        return None
    if not Path(path).is_file():
        raise CliError(f"alias table not found: {path} (expected a CSV file with columns alias,name)")
    from . import speakers
    if hasattr(speakers, "load_aliases"):
        try:
            return speakers.load_aliases(path)
        except (OSError, ValueError, KeyError) as err:
            raise CliError(f"cannot read the alias table {path}: {err} "
                           f"(expected a CSV file with columns alias,name)") from None
    return path


def _extract(corpus, *, include_terms=False, include_stances=False, aliases=None, n_jobs=1, progress=False):
    """Quote table and documents report (with the corpus's problems merged in)."""
    from .quotes import extract_quotes
    quotes, documents = extract_quotes(corpus, include_terms=include_terms, include_stances=include_stances,
                                       aliases=aliases, return_documents=True, n_jobs=n_jobs, progress=progress)
    if "problems" in corpus.columns and len(documents):
        corpus_problems = dict(zip(corpus["doc_id"].astype(str), corpus["problems"]))
        documents = documents.assign(problems=[
            _merge_flags(corpus_problems.get(str(doc_id), ""), problems)
            for doc_id, problems in zip(documents["doc_id"], documents["problems"])])
    return quotes, documents


def _accounting(corpus, documents, quotes, output):
    processed = int((documents["status"] != "error").sum()) if "status" in documents.columns else len(documents)
    flagged = int((documents["problems"].fillna("") != "").sum()) if "problems" in documents.columns else 0
    return (f"{len(corpus)} documents read, {processed} processed, {flagged} flagged (problems), "
            f"{len(quotes)} quotes written to {output}")


def _command_quotes(args):
    output = Path(args.output)
    if output.suffix.lower() not in OUTPUT_TYPES:
        raise CliError(f"cannot write {output}: unknown output type {output.suffix or '(no suffix)'!r}; "
                       f"expected a file ending in {', '.join(OUTPUT_TYPES)}")
    aliases = _load_aliases(args.aliases)
    if args.engine == "dask":
        return _quotes_with_dask(args, output, aliases)
    if args.stream or _input_megabytes(args.input) > STREAM_ABOVE_MB:
        return _quotes_streamed(args, output, aliases)
    corpus = _load_corpus(args.input)
    quotes, documents = _extract(corpus, include_terms=args.include_terms, include_stances=args.include_stances,
                                 aliases=aliases, n_jobs=args.jobs, progress=not args.quiet)
    write_table(quotes, output)
    report = write_table(documents, _documents_report_path(output))
    if not args.quiet:
        print(_accounting(corpus, documents, quotes, output), file=sys.stderr)
        print(f"documents report: {report}", file=sys.stderr)
    return 0


STREAM_ABOVE_MB = 200


def _input_megabytes(source):
    path = Path(source)
    if path.is_file():
        return path.stat().st_size / 1e6
    if path.is_dir():
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 1e6
    return 0.0


def _quotes_streamed(args, output, aliases):
    """Chunk by chunk, for corpora larger than memory; speaker ids resolved in a second pass over the file."""
    from .scale import extract_quotes_stream, summary_line
    try:
        summary = extract_quotes_stream(args.input, out=output, n_jobs=args.jobs, progress=not args.quiet,
                                        include_terms=args.include_terms, include_stances=args.include_stances,
                                        aliases=aliases)
    except (OSError, ValueError, KeyError) as err:
        raise CliError(f"cannot read the corpus {args.input}: {err.args[0] if err.args else err}") from None
    if not args.quiet:
        print(summary_line(summary), file=sys.stderr)
        print(f"documents report: {summary['documents_out']}", file=sys.stderr)
    return 0


def _quotes_with_dask(args, output, aliases):
    from .cluster import extract_quotes_dask
    try:
        quotes = extract_quotes_dask(args.input, scheduler=args.scheduler, progress=not args.quiet,
                                     include_terms=args.include_terms, include_stances=args.include_stances,
                                     aliases=aliases)
    except (OSError, ValueError, KeyError, ImportError) as err:
        raise CliError(f"cannot run the dask engine on {args.input}: {err.args[0] if err.args else err}") from None
    write_table(quotes, output)
    if not args.quiet:
        print(f"{len(quotes)} quotes written to {output} (dask)", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- evaluate

def _read_predictions(path):
    path = Path(path)
    if not path.is_file():
        raise CliError(f"predictions file not found: {path} (expected .jsonl, .csv or .parquet quotes)")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        return path
    if suffix == ".csv":
        return pd.read_csv(path, dtype={"doc_id": str})
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise CliError(f"cannot read predictions {path}: unknown type {suffix!r}; expected .jsonl, .csv or .parquet")


def _command_evaluate(args):
    from .evaluate import score
    if not Path(args.gold).is_file():
        raise CliError(f"gold file not found: {args.gold} (expected a .jsonl file, one document a line, "
                       f"or one .json document)")
    predictions = _read_predictions(args.pred)
    try:
        table = score(args.gold, predictions, types=args.types, strict_only=args.strict_only)
    except (ValueError, KeyError, TypeError) as err:
        raise CliError(f"cannot score {args.pred} against {args.gold}: {err}") from None
    if args.json:
        print(json.dumps([dict(row) for row in _records_for_json(table)]))
    else:
        print(table.to_string(index=False))
    return 0


# --------------------------------------------------------------------------- demo

@dataclass
class DemoRun:
    """What the demo steps share: where to read and write, and the tables made so far."""
    repo: Path
    out: Path
    notebooks: bool = True
    corpus: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None
    documents: pd.DataFrame | None = None
    speakers: pd.DataFrame | None = None
    accuracy: pd.DataFrame | None = None
    written: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    @property
    def sample(self):
        return self.repo / "data" / "sample"

    def write(self, frame, name):
        self.written.append(write_table(frame, self.out / name))


def demo_load_corpus(run):
    if not run.sample.is_dir():
        raise CliError(f"bundled corpus not found: {run.sample} (the demo runs from a checkout of the "
                       f"who-says-what repository, with data/sample next to the toolkit package)")
    run.corpus = _load_corpus(run.sample)
    run.write(run.corpus.drop(columns=["text"]), "corpus.csv")


def demo_extract_quotes(run):
    run.quotes, run.documents = _extract(run.corpus)
    run.write(run.quotes, "quotes.csv")
    run.write(run.documents, "documents.csv")


def demo_speakers(run):
    from .speakers import speakers
    run.speakers = speakers(run.quotes)
    run.write(run.speakers, "speakers.csv")


def demo_accuracy(run):
    from .evaluate import score
    gold = run.sample / "gold.jsonl"
    if not gold.is_file():
        print(f"note: {gold} not found; accuracy.csv not written", file=sys.stderr)
        return
    run.accuracy = score(gold, run.quotes)
    run.write(run.accuracy, "accuracy.csv")


def demo_analysis(run):
    from .analysis import who_says_what
    run.write(who_says_what(run.quotes, corpus=run.corpus), "who_says_what.csv")
    run.write(who_says_what(run.quotes, corpus=run.corpus, by="source"), "who_says_what_by_outlet.csv")


def _demo_charts(quotes, corpus):
    """(file name, function drawing the chart on an Axes) for every chart the demo saves."""
    from . import analysis, viz
    by_outlet = analysis.who_says_what(quotes, corpus=corpus, by="source")
    pair = analysis.top_speakers(quotes, n=2, kind="person")
    names = dict(zip(pair["speaker_id"], pair["speaker_name"]))
    return [
        ("top_speakers.png", lambda ax: viz.plot_top_speakers(analysis.top_speakers(quotes, n=10), ax=ax)),
        ("share_of_voice_by_outlet.png", lambda ax: viz.plot_share_of_voice(by_outlet, n=6, ax=ax)),
        ("speaker_outlet_heatmap.png", lambda ax: viz.plot_speaker_heatmap(by_outlet, n=10, ax=ax)),
        ("speaker_timeline.png", lambda ax: viz.plot_speaker_timeline(
            analysis.speaker_timeline(quotes, corpus=corpus, freq="M", n=5, kind="person"), ax=ax)),
        ("distinctive_terms.png", lambda ax: viz.plot_distinctive_terms(
            analysis.distinctive_terms(quotes, groups=list(names), n=10, min_count=2), labels=names, ax=ax)),
        ("cue_profile.png", lambda ax: viz.plot_cue_profile(analysis.cue_profile(quotes), n=10, ax=ax)),
        ("quote_network.png", lambda ax: viz.plot_quote_network(
            analysis.quote_network(quotes, corpus=corpus), min_weight=2, ax=ax)),
        ("quote_lengths.png", lambda ax: viz.plot_quote_lengths(quotes, ax=ax)),
    ]


def demo_charts(run):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = run.out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for name, draw in _demo_charts(run.quotes, run.corpus):
        figure, ax = plt.subplots(figsize=(10, 6.5))
        try:
            draw(ax)
            figure.tight_layout()
            figure.savefig(folder / name, dpi=120)
            run.written.append(folder / name)
        except Exception as err:  # one chart failing must not lose the others
            run.failures.append(f"chart {name} failed: {type(err).__name__}: {err}")
        finally:
            plt.close(figure)


def demo_notebooks(run):
    """Execute every notebooks/NN-*.ipynb in order (cwd = notebooks/) and save each as HTML."""
    if not run.notebooks:
        return
    import nbformat
    from nbclient import NotebookClient
    from nbformat.validator import MissingIDFieldWarning
    from nbconvert import HTMLExporter

    folder = run.repo / "notebooks"
    target = run.out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingIDFieldWarning)   # notebooks authored without cell ids
            notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(folder)}})
        try:
            client.execute()
            status = "ok"
        except Exception as err:  # a failing cell: keep the partial notebook, report, go on
            detail = f"{err.ename}: {err.evalue}" if hasattr(err, "ename") else f"{type(err).__name__}: {err}"
            run.failures.append(f"{path.name} failed: {detail}")
            status = "FAILED"
        html, _ = HTMLExporter().from_notebook_node(notebook)
        output = target / f"{path.stem}.html"
        output.write_text(html, encoding="utf-8")
        run.written.append(output)
        print(f"  notebook {path.name}: {status} ({time.perf_counter() - started:.0f} s) -> {output}",
              file=sys.stderr)


def demo_summary(run):
    quotes = run.quotes
    by_type = quotes["type"].value_counts().to_dict() if len(quotes) else {}
    print(f"{len(run.corpus)} documents, {len(quotes)} quotes "
          f"({', '.join(f'{n} {t}' for t, n in by_type.items())})")
    if run.speakers is not None and len(run.speakers):
        columns = [c for c in ("speaker_name", "kind", "quotes", "documents", "words") if c in run.speakers.columns]
        print("\nTop 10 speakers")
        print(run.speakers.head(10)[columns].to_string(index=False))
    if run.accuracy is not None:
        overall = run.accuracy.iloc[0]
        print(f"\nAccuracy on data/sample/gold.jsonl: quote F1 {overall['quote_f1']:.3f}, "
              f"end-to-end F1 {overall['e2e_f1']:.3f}")
    print(f"\n{len(run.written)} files written under {run.out}")


DEMO_STEPS = [demo_load_corpus, demo_extract_quotes, demo_speakers, demo_accuracy, demo_analysis, demo_charts,
              demo_notebooks, demo_summary]


def _command_demo(args):
    run = DemoRun(repo=REPO, out=Path(args.out), notebooks=not args.no_notebooks)
    run.out.mkdir(parents=True, exist_ok=True)
    for step in DEMO_STEPS:
        step(run)
    for failure in run.failures:
        print(f"who-says-what: demo: {failure}", file=sys.stderr)
    return 1 if run.failures else 0


# --------------------------------------------------------------------------- entry point

def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from ._speedups import engine

    try:
        number = version("who-says-what")
    except PackageNotFoundError:      # (run from a checkout that is not installed)
        number = "unknown version"
    return f"who-says-what {number} (quote engine: {engine()})"


def build_parser():
    parser = argparse.ArgumentParser(prog="who-says-what", description="Find who says what in a news corpus.")
    parser.add_argument("--version", action="version", version=_version(),
                        help="show the version and which quote engine runs (compiled or pure Python)")
    commands = parser.add_subparsers(dest="command", required=True)

    quotes = commands.add_parser("quotes", help="find and attribute the quotations in a corpus")
    quotes.add_argument("input", help="a folder of .txt/.md articles, or a .txt, .csv, .tsv, .jsonl or .parquet file")
    quotes.add_argument("-o", "--output", required=True, help="quote table: .jsonl, .csv or .parquet")
    quotes.add_argument("--include-terms", action="store_true", help="also list quoted terms (scare quotes, titles)")
    quotes.add_argument("--include-stances", action="store_true",
                        help="also list stances with a noun-phrase or to-infinitive object (\"endorsed Sanders\", "
                             "\"refused to comment\"), as annotation schemes such as PolNeAR's count them")
    quotes.add_argument("--aliases", metavar="CSV", help="alias table (columns alias,name) to merge or split speakers")
    quotes.add_argument("--quiet", action="store_true", help="print nothing but errors (no progress bar)")
    quotes.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="worker processes (default 1; -1 uses every core); the output is the same")
    quotes.add_argument("--stream", action="store_true",
                        help=f"read the input chunk by chunk, for corpora bigger than memory "
                             f"(automatic above {STREAM_ABOVE_MB} MB)")
    quotes.add_argument("--engine", choices=("pandas", "dask"), default="pandas",
                        help="pandas (this machine, default) or dask (a cluster)")
    quotes.add_argument("--scheduler", metavar="ADDRESS",
                        help="dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    quotes.set_defaults(handler=_command_quotes)

    evaluate = commands.add_parser("evaluate", help="score a quote table against gold annotations")
    evaluate.add_argument("gold", help="gold JSONL (one document a line) or one JSON document")
    evaluate.add_argument("pred", help="predicted quotes: .jsonl, .csv or .parquet")
    evaluate.add_argument("--types", help="comma list of quote types, e.g. direct,mixed")
    evaluate.add_argument("--strict-only", action="store_true", help="ignore gold quotes marked strict=false")
    evaluate.add_argument("--json", action="store_true", help="print the table as JSON records")
    evaluate.set_defaults(handler=_command_evaluate)

    demo = commands.add_parser("demo", help="run everything on the bundled corpus")
    demo.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    demo.add_argument("--no-notebooks", action="store_true", help="skip executing the notebooks")
    demo.set_defaults(handler=_command_demo)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a demo step failed, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.handler(args)
    except CliError as err:
        print(f"who-says-what: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
