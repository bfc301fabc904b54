"""Accuracy benchmark: run the command line on every gold corpus and score it.

    python benchmarks/accuracy.py                 # every dataset found
    python benchmarks/accuracy.py --only polnear --only seed

For each dataset the documents (doc_id and text only, so the engine never sees the annotations) are
written to a temporary JSONL, `python -m toolkit quotes` extracts the quotes, and the predictions
are scored with the reference scorer (`<repo>/../shared/scorer/score_quotes.py`) when it is there,
else with `toolkit.evaluate.score` (same matching rule). Prints a Markdown table; `seconds` is the
wall time of the extraction run (start-up included).

The evaluation corpora under `../shared` are for research only: this script reads them in place and
writes nothing into the project.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REFERENCE_SCORER = SHARED / "scorer" / "score_quotes.py"


@dataclass(frozen=True)
class Dataset:
    name: str               # for --only
    label: str              # as printed
    gold: Path
    runs: tuple             # ((types or None, strict_only), ...): one table row each
    keep: object = None     # a test on gold documents: score only those it accepts
    options: tuple = ()     # extra options for `python -m toolkit quotes`


DATASETS = [
    Dataset("polnear", "PolNeAR dev", SHARED / "eval" / "polnear" / "dev.jsonl",
            (("direct,mixed", False), (None, False))),
    # PolNeAR inferred a quotation's type from double quote marks, so in its documents that mark quotations
    # with two apostrophes (''like this'', the NYT archive style) every quotation is typed indirect and a
    # direct quote read from those marks counts against direct+mixed; this row leaves those documents out
    Dataset("polnear-double-marks", "PolNeAR dev, docs without '' marks", SHARED / "eval" / "polnear" / "dev.jsonl",
            (("direct,mixed", False),), keep=lambda document: "''" not in document["text"]),
    # PolNeAR marks every attribution (PARC style), stances with a noun-phrase or infinitive object too:
    # the same documents with the option that reports those
    Dataset("polnear-stances", "PolNeAR dev, --include-stances", SHARED / "eval" / "polnear" / "dev.jsonl",
            ((None, False),), options=("--include-stances",)),
    Dataset("pdnc", "PDNC dev", SHARED / "eval" / "pdnc" / "dev.jsonl", (("direct", False),)),
    Dataset("seed", "seed fixture", SHARED / "fixtures" / "seed_article.gold.json", ((None, True),)),
    Dataset("sample", "bundled gold", REPO / "data" / "sample" / "gold.jsonl", ((None, False),)),
]
FIGURES = ["gold", "pred", "quote_p", "quote_r", "quote_f1", "e2e_p", "e2e_r", "e2e_f1"]


def read_gold_documents(path):
    """Gold documents from JSONL, or from one JSON document (the seed fixture)."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else [data]
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def extract(documents, workdir, name, options=()):
    """Run `python -m toolkit quotes` on the bare texts; return (predictions path, seconds)."""
    corpus = workdir / f"{name}.corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for doc in documents:
            handle.write(json.dumps({"doc_id": str(doc["doc_id"]), "text": doc["text"]}, ensure_ascii=False) + "\n")
    predictions = workdir / f"{name}.quotes.jsonl"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "toolkit", "quotes", str(corpus), "-o", str(predictions), "--quiet",
                    *options], cwd=REPO, check=True)
    return predictions, time.perf_counter() - started


def score(gold_jsonl, predictions, types, strict_only):
    if REFERENCE_SCORER.exists():
        command = [sys.executable, str(REFERENCE_SCORER), str(gold_jsonl), str(predictions)]
        command += ["--types", types] if types else []
        command += ["--strict-only"] if strict_only else []
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(result.stdout.splitlines()[0])
    sys.path.insert(0, str(REPO))
    from toolkit.evaluate import score as toolkit_score
    return toolkit_score(gold_jsonl, predictions, types=types, strict_only=strict_only).iloc[0].to_dict()


def benchmark(datasets, workdir):
    rows = []
    for dataset in datasets:
        if not dataset.gold.exists():
            print(f"skipped {dataset.label}: {dataset.gold} not found", file=sys.stderr)
            continue
        documents = read_gold_documents(dataset.gold)
        if dataset.keep is not None:
            documents = [d for d in documents if dataset.keep(d)]
        gold_jsonl = workdir / f"{dataset.name}.gold.jsonl"   # the reference scorer reads JSONL only
        gold_jsonl.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
        try:
            predictions, seconds = extract(documents, workdir, dataset.name, dataset.options)
        except subprocess.CalledProcessError as err:
            print(f"failed {dataset.label}: the extraction exited with code {err.returncode}", file=sys.stderr)
            continue
        for types, strict_only in dataset.runs:
            figures = score(gold_jsonl, predictions, types, strict_only)
            label = (types or "all") + (" (strict only)" if strict_only else "")
            rows.append({"dataset": dataset.label, "types": label, **{k: figures[k] for k in FIGURES},
                         "seconds": seconds})
    return rows


def markdown(rows):
    header = ["dataset", "types", "gold", "pred", "quote P", "quote R", "quote F1", "e2e P", "e2e R", "e2e F1",
              "seconds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    for row in rows:
        cells = [row["dataset"], row["types"], str(row["gold"]), str(row["pred"])]
        cells += [f"{row[k]:.3f}" for k in ("quote_p", "quote_r", "quote_f1", "e2e_p", "e2e_r", "e2e_f1")]
        cells.append(f"{row['seconds']:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[d.name for d in DATASETS], metavar="NAME",
                        help=f"run only this dataset (repeatable): {', '.join(d.name for d in DATASETS)}")
    args = parser.parse_args(argv)
    chosen = [d for d in DATASETS if not args.only or d.name in args.only]
    with tempfile.TemporaryDirectory(prefix="wsw-accuracy-") as workdir:
        rows = benchmark(chosen, Path(workdir))
    scorer = "the reference scorer" if REFERENCE_SCORER.exists() else "toolkit.evaluate.score"
    print(f"Scored with {scorer}.\n")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
