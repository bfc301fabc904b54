"""Whole-pipeline speed on real text: load_corpus + extract_quotes (with speaker resolution), CPU time per core.

    python benchmarks/pipeline_speed.py                      # the dev splits in ../shared/eval, if present
    python benchmarks/pipeline_speed.py my_corpus.jsonl      # anything load_corpus reads

Prints MB, seconds of CPU time (best of --repeat runs, one process, serial) and MB/s for each input,
after a line naming the engine ("compiled", or "pure Python (why)"; WHO_SAYS_WHAT_PURE_PYTHON=1
runs the pure-Python one).
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

import toolkit as tk
import toolkit._speedups as speedups

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"


def _as_parquet(path: Path, folder: Path) -> Path:
    """Gold JSONL files carry annotations; keep only doc_id and text so the engine sees the bare corpus."""
    if path.suffix != ".jsonl":
        return path
    rows = [{"doc_id": str(d["doc_id"]), "text": d["text"]}
            for d in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if d]
    target = folder / f"{path.parent.name}-{path.stem}.parquet"
    pd.DataFrame(rows).to_parquet(target)
    return target


def measure(source, repeat):
    best, corpus = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        corpus = tk.load_corpus(source)
        tk.extract_quotes(corpus, progress=False)
        best = min(best, time.process_time() - started)
    return corpus["text"].str.len().sum() / 1e6, len(corpus), best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inputs = args.inputs or sorted(SHARED_EVAL.glob("*/dev.jsonl"))
    if not inputs:
        parser.error(f"no input given and no dev splits found in {SHARED_EVAL}")
    print(f"engine: {speedups.engine()}\n")
    print("| input | docs | MB | CPU seconds | MB/s per core |\n|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for path in inputs:
            mb, docs, seconds = measure(_as_parquet(path, Path(folder)), args.repeat)
            print(f"| {path.parent.name}/{path.name} | {docs:,} | {mb:.2f} | {seconds:.2f} | {mb / seconds:.2f} |")


if __name__ == "__main__":
    main()
