"""Throughput benchmark: how fast the whole pipeline runs, and how its cost grows with corpus size.

Builds synthetic corpora by recombining the paragraphs of the bundled articles (data/sample;
deterministic seed) at several sizes, writes each as Parquet and JSONL in a temporary folder, and
runs the pipeline (load + extract_quotes + speaker resolution) in three modes, each in a fresh
subprocess:

    serial     tk.load_corpus(parquet) then tk.extract_quotes(corpus)
    parallel   tk.load_corpus(parquet) then tk.extract_quotes_parallel(corpus, n_jobs=JOBS)  (--jobs, 2)
    stream     tk.extract_quotes_stream(parquet, out=quotes.parquet)  (chunks of 1000 documents;
               --stream-jobs processes, default 1)

It prints a Markdown table (size, docs, MB, mode, seconds, docs/s, MB/s, peak RSS MB) and, per
mode, the ratio of time per MB at the largest size to time per MB at the smallest (target <= 1.2).
Peak RSS is the largest resident set of any process of the run (the run itself and its worker
processes), from resource.getrusage.

    python benchmarks/throughput.py                       # sizes 1000,10000,100000
    python benchmarks/throughput.py --sizes 1000,10000
    python benchmarks/throughput.py --big                 # adds ~1 GB, streaming only
    python benchmarks/throughput.py --sizes "" --big --stream-jobs 2
    python benchmarks/throughput.py --profile             # cProfile of the serial 1k run
    python benchmarks/throughput.py --pure-python         # without the compiled engine (toolkit/_speedups)

The first line printed names the engine that ran: "compiled" or "pure Python (why)".
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
SEED = 20260301
BIG_BYTES = 1_000_000_000
MODES = ("serial", "parallel", "stream")


# --------------------------------------------------------------------------------------------
# synthetic corpora
# --------------------------------------------------------------------------------------------

def _articles():
    sys.path.insert(0, str(REPO))
    import pandas as pd

    import toolkit.corpus as corpus_module

    corpus = corpus_module.load_corpus(SAMPLE)
    articles = []
    for row in corpus.itertuples(index=False):
        paragraphs = [p for p in row.text.split("\n\n") if p.strip()]
        if len(paragraphs) >= 3:
            articles.append({"paragraphs": paragraphs,
                             "source": None if pd.isna(row.source) else str(row.source),
                             "date": None if pd.isna(row.date) else str(row.date)[:10]})
    if not articles:
        raise SystemExit(f"no articles with paragraphs found in {SAMPLE}")
    return articles


def synthetic_documents(articles, *, seed=SEED):
    """Endless deterministic stream of articles: a headline and a run of paragraphs from one article,
    then a run of paragraphs from another (so quotes keep their attribution context)."""
    rng = random.Random(seed)
    number = 0
    while True:
        first, second = rng.choice(articles), rng.choice(articles)
        body = first["paragraphs"][1:]
        start = rng.randrange(len(body))
        run = body[start:start + rng.randint(3, len(body))]
        extra_start = rng.randrange(1, len(second["paragraphs"]))
        extra = second["paragraphs"][extra_start:extra_start + rng.randint(1, 4)]
        number += 1
        yield {
            "doc_id": f"syn-{number:07d}",
            "text": "\n\n".join([first["paragraphs"][0], *run, *extra]) + "\n",
            "source": first["source"],
            "date": first["date"],
        }


def write_corpus(folder: Path, documents, *, n_docs=None, n_bytes=None, batch=1000):
    """Write documents to <folder>/corpus.parquet and corpus.jsonl batch by batch; returns (docs, bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("doc_id", pa.string()), ("text", pa.string()), ("source", pa.string()),
                        ("date", pa.string())])
    written_docs = written_bytes = 0
    with pq.ParquetWriter(folder / "corpus.parquet", schema) as parquet, \
            open(folder / "corpus.jsonl", "w", encoding="utf-8") as jsonl:
        rows = []
        for document in documents:
            rows.append(document)
            written_docs += 1
            written_bytes += len(document["text"].encode("utf-8"))
            done = (n_docs is not None and written_docs >= n_docs) or (n_bytes is not None and written_bytes >= n_bytes)
            if len(rows) == batch or done:
                parquet.write_table(pa.Table.from_pylist(rows, schema=schema))
                jsonl.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                rows = []
            if done:
                break
    return written_docs, written_bytes


# --------------------------------------------------------------------------------------------
# one measured run (executed in a fresh subprocess)
# --------------------------------------------------------------------------------------------

def run_mode(mode: str, corpus_path: str, out_dir: str, jobs: int) -> dict:
    sys.path.insert(0, str(REPO))
    import toolkit.corpus as corpus_module
    import toolkit.quotes as quotes_module
    import toolkit.scale as scale

    started = time.perf_counter()
    if mode == "serial":
        corpus = corpus_module.load_corpus(corpus_path)
        quotes = quotes_module.extract_quotes(corpus)
        n_quotes = len(quotes)
    elif mode == "parallel":
        corpus = corpus_module.load_corpus(corpus_path)
        quotes = scale.extract_quotes_parallel(corpus, n_jobs=jobs, progress=False)
        n_quotes = len(quotes)
    elif mode == "stream":
        summary = scale.extract_quotes_stream(corpus_path, out=str(Path(out_dir) / "quotes.parquet"),
                                              chunksize=1000, n_jobs=jobs, progress=False)
        n_quotes = summary["quotes"]
    else:
        raise SystemExit(f"unknown mode {mode!r}; expected one of {MODES}")
    seconds = time.perf_counter() - started
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"seconds": seconds, "quotes": n_quotes, "peak_rss_mb": peak_kb / 1024}


def measure(mode: str, corpus_path: Path, out_dir: Path, jobs: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--run", mode, str(corpus_path), str(out_dir),
               str(jobs)]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"{mode} run on {corpus_path} failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------

def markdown_table(rows) -> str:
    lines = ["| size | docs | MB | mode | seconds | docs/s | MB/s | peak RSS MB |",
             "|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['docs']:,} | {r['mb']:.1f} | {r['mode']} | {r['seconds']:.1f} | "
                     f"{r['docs'] / r['seconds']:,.0f} | {r['mb'] / r['seconds']:.2f} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def scaling_ratios(rows) -> str:
    lines = []
    for mode in dict.fromkeys(r["mode"] for r in rows):
        runs = sorted((r for r in rows if r["mode"] == mode and r["size"] != "big"), key=lambda r: r["docs"])
        if len(runs) < 2:
            continue
        small, large = runs[0], runs[-1]
        ratio = (large["seconds"] / large["mb"]) / (small["seconds"] / small["mb"])
        lines.append(f"- {mode}: time per MB at {large['docs']:,} docs / at {small['docs']:,} docs = "
                     f"{ratio:.2f} (target <= 1.2)")
    return "\n".join(lines)


def profile_serial(folder: Path, *, top=25):
    sys.path.insert(0, str(REPO))
    import toolkit.corpus as corpus_module
    import toolkit.quotes as quotes_module

    profiler = cProfile.Profile()
    profiler.enable()
    corpus = corpus_module.load_corpus(folder / "corpus.parquet")
    quotes_module.extract_quotes(corpus)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(top)
        print(f"\n## cProfile, serial run on 1,000 documents, top {top} by {order}\n")
        print("```\n" + stream.getvalue().strip() + "\n```")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma list of corpus sizes in documents")
    parser.add_argument("--modes", default=",".join(MODES), help="comma list of modes: serial,parallel,stream")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel mode (default 2)")
    parser.add_argument("--stream-jobs", type=int, default=1, help="processes for the stream mode (default 1)")
    parser.add_argument("--big", action="store_true", help="also stream a ~1 GB corpus")
    parser.add_argument("--profile", action="store_true", help="cProfile the serial run on 1,000 documents")
    parser.add_argument("--pure-python", action="store_true",
                        help="run the pure-Python engine even where the compiled one is built")
    parser.add_argument("--keep", metavar="DIR", help="build corpora in DIR and keep them")
    parser.add_argument("--run", nargs=4, metavar=("MODE", "CORPUS", "OUT", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run:
        mode, corpus_path, out_dir, jobs = args.run
        print(json.dumps(run_mode(mode, corpus_path, out_dir, int(jobs))))
        return 0

    if args.pure_python:
        os.environ["WHO_SAYS_WHAT_PURE_PYTHON"] = "1"       # (inherited by the measured subprocesses)
    sys.path.insert(0, str(REPO))
    import toolkit._speedups as speedups

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    articles = _articles()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wsw-throughput-"))
    print(f"# throughput: {' '.join(['python benchmarks/throughput.py', *(argv or sys.argv[1:])])}\n")
    print(f"engine: {speedups.engine()}\n")
    print(f"corpora in {work}; {len(articles)} bundled articles recombined (seed {SEED}); "
          f"{os.cpu_count()} cores\n", file=sys.stderr)

    if args.profile:
        folder = work / "profile-1000"
        write_corpus(folder, synthetic_documents(articles), n_docs=1000)
        profile_serial(folder)
        return 0

    plan = [(str(size), {"n_docs": size}, modes) for size in sizes]
    if args.big:
        plan.append(("big", {"n_bytes": BIG_BYTES}, ["stream"]))
    rows = []
    for label, limit, run_modes in plan:
        folder = work / f"corpus-{label}"
        docs, nbytes = write_corpus(folder, synthetic_documents(articles), **limit)
        for mode in run_modes:
            out_dir = folder / f"out-{mode}"
            out_dir.mkdir(exist_ok=True)
            jobs = args.stream_jobs if mode == "stream" else args.jobs
            result = measure(mode, folder / "corpus.parquet", out_dir, jobs)
            if mode != "serial" and jobs != 1:
                mode = f"{mode} ({jobs} jobs)"
            rows.append({"size": label, "docs": docs, "mb": nbytes / 1e6, "mode": mode, **result})
            print(f"  {label:>7} {mode:<8} {result['seconds']:8.1f} s  {nbytes / 1e6 / result['seconds']:6.2f} MB/s"
                  f"  {result['peak_rss_mb']:6.0f} MB  {result['quotes']:,} quotes", file=sys.stderr)
    print(markdown_table(rows))
    ratios = scaling_ratios(rows)
    if ratios:
        print("\nCost growth (time per MB, largest vs smallest size):\n" + ratios)
    return 0


if __name__ == "__main__":
    sys.exit(main())
