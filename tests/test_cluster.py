"""The dask engine on a LocalCluster with 2 workers gives the same quotes as the pandas path."""
import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")
quotes_module = pytest.importorskip("toolkit.quotes")
from toolkit.cluster import extract_quotes_dask  # noqa: E402
from toolkit.corpus import load_corpus  # noqa: E402

SYNTHETIC = {
    "port-1": ("Harbor plan unveiled\n\n\u201cWe will not sign a deal that puts families at risk,\u201d Health "
               "Minister Dana Okafor said on Tuesday.\n\nThe union said the plan would cost 400 jobs.\n"),
    "port-2": ("Vote delayed\n\n\u201cEvery week we wait costs the region money,\u201d Okafor said. Marco Reyes, "
               "the union\u2019s president, disagreed: \u201cWe need the time.\u201d\n"),
    "strike-1": ("Nurses walk out\n\n\u201cWe are exhausted,\u201d said Priya D\u2019Souza, a nurse. "
                 "\u201cAnd we are not alone.\u201d\n\nOfficials said talks would resume on Monday.\n"),
    "budget-1": ("Budget fight\n\n\"The numbers do not add up,\" Sen. Ruth Abara said. Reyes said he agreed.\n"),
}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Same values as plain Python objects, so dtype spellings (object vs str) do not matter."""
    def value(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (list, tuple, np.ndarray)):
            return tuple(tuple(int(x) for x in pair) for pair in v)
        return v.item() if isinstance(v, np.generic) else v
    return pd.DataFrame({c: [value(v) for v in frame[c]] for c in frame.columns}, dtype=object)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask-corpus")
    if SAMPLE.exists():
        corpus = load_corpus(SAMPLE)
    else:
        corpus = load_corpus(pd.DataFrame({"doc_id": list(SYNTHETIC), "text": list(SYNTHETIC.values())}))
    path = folder / "corpus.parquet"
    corpus[["doc_id", "text", "title", "source"]].to_parquet(path, index=False, row_group_size=12)
    return path


def test_local_cluster_equals_pandas_path(corpus_file):
    expected = quotes_module.extract_quotes(load_corpus(corpus_file))
    assert len(expected) > 0
    got = extract_quotes_dask(corpus_file, npartitions=3, n_workers=2, progress=False)
    assert list(got.columns) == list(expected.columns)
    got = _plain(got.sort_values("quote_id").reset_index(drop=True))
    expected = _plain(expected.sort_values("quote_id").reset_index(drop=True))
    pd.testing.assert_frame_equal(got, expected)


def test_lazy_result_and_local_scheduler(corpus_file):
    lazy = extract_quotes_dask(corpus_file, npartitions=2, compute=False)
    assert lazy.npartitions == 2
    assert list(lazy.columns) == list(quotes_module.extract_quotes("\u201cYes,\u201d she said.").columns)
    threaded = extract_quotes_dask(corpus_file, npartitions=2, scheduler="sync")
    expected = quotes_module.extract_quotes(load_corpus(corpus_file))
    pd.testing.assert_frame_equal(_plain(threaded), _plain(expected))


def test_missing_text_column_is_named(tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"doc_id": ["a"], "body": ["\u201cHi,\u201d she said."]}).to_parquet(path)
    with pytest.raises(KeyError, match="body"):
        extract_quotes_dask(path, scheduler="sync")


def test_csv_input_and_generated_ids_match_load_corpus(tmp_path):
    corpus = pd.DataFrame({"body": list(SYNTHETIC.values())})
    path = tmp_path / "articles.csv"
    corpus.to_csv(path, index=False)  # article text with newlines inside quoted fields
    expected = quotes_module.extract_quotes(load_corpus(path, text_col="body"))
    got = extract_quotes_dask(path, scheduler="sync", text_col="body")
    assert got["doc_id"].str.startswith("doc-").all()
    pd.testing.assert_frame_equal(_plain(got), _plain(expected))
