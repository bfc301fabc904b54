"""Bad input never stops a run: every document comes back with a status, offsets stay valid."""
import pandas as pd

import toolkit as tk

ARTICLE = (
    "<p>Harbor officials said on Tuesday that the dredging would begin in March.</p>\r\n"
    "<p>“We have waited long enough,” said Marcus O’Brien, the authority’s chief executive. "
    "“The ships are not getting any smaller.”</p>\r\n"
    "<div class=\"quote\">Dr. Anika Bose, a marine ecologist, warned that the plan was “a gamble with the bay.”</div>\r\n"
    "\r\n"
)


def _check_offsets(corpus, quotes):
    texts = dict(zip(corpus["doc_id"], corpus["text"]))
    for row in quotes.itertuples():
        text = texts[row.doc_id]
        assert text[row.start:row.end] == row.text
        if not pd.isna(row.speaker_start):
            assert text[int(row.speaker_start):int(row.speaker_end)] == row.speaker


def test_html_markup_and_windows_line_endings_keep_offsets_and_speakers():
    corpus = pd.DataFrame({"doc_id": ["html"], "text": [ARTICLE]})
    quotes = tk.extract_quotes(corpus)
    _check_offsets(corpus, quotes)
    direct = quotes[quotes["type"] == "direct"]
    assert direct["speaker_name"].tolist() == ["Marcus O’Brien"]
    assert "<p>" not in " ".join(quotes["text"])


def test_a_five_megabyte_document_and_junk_documents_all_come_back_accounted_for():
    big = ARTICLE * (5_000_000 // len(ARTICLE) + 1)
    corpus = pd.DataFrame({
        "doc_id": ["big", "empty", "marks", "unbalanced", "none"],
        "text": [big, "", "“”„“«»\"\"''", "“" * 5000 + " he said " + "”" * 3, None],
    })
    quotes, documents = tk.extract_quotes(corpus, return_documents=True)
    assert documents["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert documents.set_index("doc_id").loc["big", "status"] == "ok"
    assert set(documents.set_index("doc_id").loc[["empty", "none"], "status"]) == {"empty"}
    assert documents.set_index("doc_id").loc["big", "quotes"] >= 2 * (len(big) // len(ARTICLE))
    _check_offsets(corpus.fillna(""), quotes)
