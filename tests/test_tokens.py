"""Tests for toolkit/tokens.py: paragraphs, sentences, tokens, quote normalisation."""
from pathlib import Path

import nltk
import pandas as pd
import pytest

from toolkit import tokens
from toolkit.tokens import (
    default_splitter,
    normalize_quotes,
    paragraph_spans,
    paragraphs,
    sentence_spans,
    sentences,
    tokenize,
    train_sentence_splitter,
    word_spans,
)

REPO = Path(__file__).resolve().parents[1]
SEED_ARTICLE = REPO.parent / "shared" / "fixtures" / "seed_article.txt"
SAMPLE_DIR = REPO / "data" / "sample"

NEWS = (
    "Harbor Commissioner Dana Okafor said on Tuesday that the port would delay the vote.\n"
    "\n"
    "“We are not going to rush this. The public deserves answers,” Okafor said at a 7 p.m. news "
    "conference. She added that Rep. Luis Ortega and Sen. Mary Beth Hale had asked for more time.\n"
    "\n"
    "The delay angered Dockworkers Local 12. \"Every week we wait is a week of lost wages,\" said "
    "its president, Pete Kowalczyk. He said the union would picket the U.S. Maritime Administration "
    "office in Washington on Jan. 5.\n"
    "\n\n"
    "Critics, including Dr. Anne-Marie O’Brien of Coastal Watch Inc., said the plan ignored the "
    "marsh. “It’s a wetland, not a parking lot,” she said.\n"
)


def _news_corpus():
    return pd.DataFrame(
        {
            "doc_id": ["port-1", "port-2", "blank"],
            "text": [NEWS, NEWS.replace("\n", "\r\n"), "   \n"],
            "source": ["Ledger", "Ledger", "Ledger"],
        }
    )


def _assert_round_trip(frame, texts):
    assert len(frame) > 0
    for row in frame.itertuples(index=False):
        assert texts[row.doc_id][row.start : row.end] == row.text
        assert row.text == row.text.strip()
        assert row.start < row.end


# --------------------------------------------------------------------------- offsets


def test_offsets_round_trip_on_news_paragraphs():
    corpus = _news_corpus()
    texts = dict(zip(corpus["doc_id"], corpus["text"]))
    paras, sents, toks = paragraphs(corpus), sentences(corpus), tokenize(corpus)
    for frame in (paras, sents, toks):
        _assert_round_trip(frame, texts)
    assert list(paras.columns) == ["doc_id", "para", "start", "end", "text"]
    assert list(sents.columns) == ["doc_id", "para", "sent", "start", "end", "text", "in_quote_at_end"]
    assert list(toks.columns) == ["doc_id", "para", "sent", "token_i", "start", "end", "text"]
    assert paras.groupby("doc_id").size().to_dict() == {"port-1": 4, "port-2": 4}
    # CRLF and LF versions of the same text give the same sentences and tokens.
    by_doc = sents.groupby("doc_id")["text"].apply(list)
    assert [s.replace("\r\n", "\n") for s in by_doc["port-2"]] == by_doc["port-1"]
    tok_by_doc = toks.groupby("doc_id")["text"].apply(list)
    assert tok_by_doc["port-1"] == tok_by_doc["port-2"]


def test_numbering_is_document_wide_and_sentences_stay_in_paragraphs():
    corpus = _news_corpus()
    sents, toks, paras = sentences(corpus), tokenize(corpus), paragraphs(corpus)
    for doc_id, group in sents.groupby("doc_id"):
        assert group["sent"].tolist() == list(range(len(group)))
        doc_paras = paras[paras["doc_id"] == doc_id].set_index("para")
        for row in group.itertuples():
            assert doc_paras.loc[row.para, "start"] <= row.start
            assert row.end <= doc_paras.loc[row.para, "end"]
    for _, group in toks.groupby("doc_id"):
        assert group["token_i"].tolist() == list(range(len(group)))
        assert group["start"].is_monotonic_increasing
    # Every token lies inside the sentence it is assigned to.
    merged = toks.merge(sents, on=["doc_id", "sent"], suffixes=("", "_sent"))
    assert ((merged["start"] >= merged["start_sent"]) & (merged["end"] <= merged["end_sent"])).all()
    assert (merged["para"] == merged["para_sent"]).all()


def test_round_trip_on_seed_article():
    if not SEED_ARTICLE.exists():
        pytest.skip("seed article fixture absent")
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    corpus = pd.DataFrame({"doc_id": ["seed"], "text": [text]})
    texts = {"seed": text}
    for frame in (paragraphs(corpus), sentences(corpus), tokenize(corpus)):
        _assert_round_trip(frame, texts)
    # The fixture has no blank lines, so each line is a paragraph.
    assert len(paragraphs(corpus)) == len([line for line in text.splitlines() if line.strip()])


def test_round_trip_on_bundled_sample():
    files = sorted(SAMPLE_DIR.glob("*.txt")) if SAMPLE_DIR.is_dir() else []
    if not files:
        pytest.skip("data/sample/*.txt absent")
    texts = {f.stem: f.read_text(encoding="utf-8") for f in files}
    corpus = pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())})
    for frame in (paragraphs(corpus), sentences(corpus), tokenize(corpus)):
        _assert_round_trip(frame, texts)


# --------------------------------------------------------------------------- paragraphs


def test_paragraphs_single_newlines_when_no_blank_line():
    text = "First line of the story.\nSecond paragraph here.\r\n  Third one, indented.  \n"
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "First line of the story.",
        "Second paragraph here.",
        "Third one, indented.",
    ]


def test_paragraphs_blank_lines_keep_wrapped_lines_together():
    text = "A wrapped\nparagraph of news.\r\n \r\n\r\nNext paragraph.\n\t\nLast."
    assert [text[s:e] for s, e in paragraph_spans(text)] == [
        "A wrapped\nparagraph of news.",
        "Next paragraph.",
        "Last.",
    ]


def test_crlf_sentences_do_not_include_carriage_returns():
    text = "Police arrived at 9 a.m. on Monday.\r\n\r\n“Nobody was hurt,” Lt. Col. Ruiz said. The road reopened.\r\n"
    sents = sentences(text)
    assert not any("\r" in s or "\n" in s for s in sents["text"])
    assert sents["text"].tolist() == [
        "Police arrived at 9 a.m. on Monday.",
        "“Nobody was hurt,” Lt. Col. Ruiz said.",
        "The road reopened.",
    ]
    assert sents["para"].tolist() == [0, 1, 1]


# --------------------------------------------------------------------------- sentence splitting


ABBREVIATION_SENTENCES = [
    "The bill was filed by Rep. Ana Diaz on Monday.",
    "The bill was backed by Sen. Tom Reed on Monday.",
    "The plan was signed by Gov. Kathy Hochul last week.",
    "The order came from Gen. Mark Milley that night.",
    "The report reached Lt. Col. Sarah Quinn before dawn.",
    "The mayor thanked Mr. Kowalczyk for his time.",
    "The mayor thanked Mrs. Lindqvist for her time.",
    "The mayor thanked Ms. Ruiz for her time.",
    "The patient was seen by Dr. Patel in the morning.",
    "The march went down St. Mary Street at noon.",
    "The speech by Martin Luther King Jr. was replayed.",
    "The firm said U.S. Steel would bid.",
    "The envoy said U.K. Foreign Office staff would attend.",
    "The envoy said U.N. Security Council members would meet.",
    "The supplier, Acme Inc. Holdings, declined to comment.",
    "Shares of Harbor Corp. Group rose sharply.",
    "The contract went to Dredge Co. Marine last year.",
    "The tug belongs to Tide Ltd. North, a local company.",
    "The ship docked at berth No. 5 in the afternoon.",
    "The meeting started at 10 a.m. Tuesday and ran late.",
    "The vote is set for 7 p.m. Thursday at City Hall.",
    "The case Smith vs. Jones was settled.",
    "The hearing was set for Jan. 5 at City Hall.",
    "The deadline moved to Sept. 30 after the vote.",
    "The photo showed John F. Kennedy on the dock.",
    "The memo was written by J. R. Tolland in 1998.",
]


@pytest.mark.parametrize("sentence", ABBREVIATION_SENTENCES)
def test_no_split_after_abbreviations_and_initials(sentence):
    text = sentence + " Then the crowd left."
    assert default_splitter().split(text) == [sentence, "Then the crowd left."]


def test_split_after_abbreviation_followed_by_sentence_starter():
    # Documented choice: an abbreviation followed by a capitalised frequent sentence starter ends the sentence.
    assert default_splitter().split("He has lived in the U.S. The next day he left.") == [
        "He has lived in the U.S.",
        "The next day he left.",
    ]
    assert default_splitter().split("The vote ended at 5 p.m. It failed.") == ["The vote ended at 5 p.m.", "It failed."]
    # ...but a title is never the end of a sentence, even before a word like "He".
    assert default_splitter().split("Vice Premier He met Mr. He Lifeng in Beijing.") == [
        "Vice Premier He met Mr. He Lifeng in Beijing."
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He said, “We won.” Then he left.", ["He said, “We won.”", "Then he left."]),
        ('He said, "We won." Then he left.', ['He said, "We won."', "Then he left."]),
        ("She asked, “Why now?” Nobody answered.", ["She asked, “Why now?”", "Nobody answered."]),
    ],
)
def test_sentence_end_inside_quotes(text, expected):
    assert default_splitter().split(text) == expected


def test_sentence_spans_are_document_offsets():
    text = "Headline of the day\n\nMr. Lee spoke first. He left early."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Headline of the day", "Mr. Lee spoke first.", "He left early."]


def test_train_sentence_splitter_learns_corpus_abbreviation():
    towns = ["Kingston", "Sudbury", "Windsor", "Barrie", "Guelph", "Oshawa", "Hamilton", "London"]
    texts = [
        f"The council in {town}, Ont. voted on Tuesday to close the plant. Workers in {town}, Ont. "
        "said they would appeal. Mayors across the province met in Ottawa last week."
        for town in towns
    ]
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    probe = "Residents of Timmins, Ont. protested on Friday. Police said nobody was hurt."
    # Without training, "Ont." is taken for a sentence end.
    assert len(default_splitter().split(probe)) == 3
    trained = train_sentence_splitter(corpus)
    assert "ont" in trained.abbreviations
    assert trained.split(probe) == [
        "Residents of Timmins, Ont. protested on Friday.",
        "Police said nobody was hurt.",
    ]
    # The toolkit's own abbreviations are kept, and the splitter plugs into the tables.
    assert trained.split("Rep. Ana Diaz spoke. She left.") == ["Rep. Ana Diaz spoke.", "She left."]
    assert sentences(probe, splitter=trained)["text"].tolist() == trained.split(probe)


def test_train_sentence_splitter_extra_abbreviations():
    trained = train_sentence_splitter(["A plain text. Nothing special."], extra_abbreviations=["Sask.", "alta"])
    assert {"sask", "alta"} <= trained.abbreviations
    assert trained.split("They drove to Regina, Sask. on Monday.") == ["They drove to Regina, Sask. on Monday."]


# --------------------------------------------------------------------------- quote state


def test_in_quote_at_end_on_multi_sentence_quote():
    text = (
        "“Putin is testing us. The West must answer. It has not,” Zelensky said. Aides agreed.\n\n"
        "“This is only the start. We will keep going.\n\n"
        "“We have no other choice,” he said."
    )
    sents = sentences(text)
    assert sents["in_quote_at_end"].tolist() == [True, True, False, False, True, True, False]


@pytest.mark.parametrize(
    "text",
    [
        'Kowalczyk said: "Every week counts. We will picket." Police watched.',
        "Le maire a dit : « Nous attendons. Nous voterons. » La salle applaudit.",
        "Er sagte: „Wir warten. Wir stimmen ab.“ Der Saal klatschte.",
    ],
)
def test_in_quote_at_end_with_other_quote_marks(text):
    sents = sentences(text)
    assert sents["in_quote_at_end"].tolist() == [True, False, False]


def test_straight_quotes_with_apostrophes_do_not_confuse_quote_state():
    text = "\"It's the workers' port. We won't leave,\" he said. \"Never.\" The crowd cheered."
    sents = sentences(text)
    assert sents["in_quote_at_end"].tolist() == [True, False, False, False]


# --------------------------------------------------------------------------- tokens


def test_tokens_keep_curly_and_straight_quote_marks():
    text = "“We won,” she said. \"We won,\" he said. ‘Fine,’ said O’Brien."
    toks = tokenize(text)
    tok_texts = toks["text"].tolist()
    assert {"“", "”", '"', "‘", "’"} <= set(tok_texts)
    assert "``" not in tok_texts and "''" not in tok_texts
    assert (toks["doc_id"] == "text").all()


def test_tokenize_falls_back_when_nltk_cannot_align(monkeypatch):
    def refuse(_sentence):
        raise ValueError("substring not found")

    monkeypatch.setattr(tokens._word_tokenizer, "span_tokenize", refuse)
    text = "“It’s over,” said Rep. O’Brien. Long-range strikes followed."
    toks = tokenize(text)
    _assert_round_trip(toks, {"text": text})
    assert "O’Brien" in toks["text"].tolist() and "Long-range" in toks["text"].tolist()
    assert toks["sent"].tolist()[-1] == 1


def test_word_spans():
    text = "Don’t rebuild O'Brien's long-range pier, 2 km."
    assert [text[s:e] for s, e in word_spans(text)] == [
        "Don’t", "rebuild", "O'Brien's", "long-range", "pier", ",", "2", "km", ".",
    ]


# --------------------------------------------------------------------------- normalize_quotes


def test_normalize_quotes_straight():
    text = "«Oui», dit-il. „Ja“, ‚nein‘. ‹Non›. “Yes,” O’Brien said, ‘don’t.’ ″ ‟"
    result = normalize_quotes(text)
    assert len(result) == len(text)
    assert result == "\"Oui\", dit-il. \"Ja\", 'nein'. 'Non'. \"Yes,\" O'Brien said, 'don't.' \" \""


def test_normalize_quotes_curly_chooses_open_and_close():
    text = "He said \"don't\" and 'no' to O'Brien in the '90s. «Oui»."
    result = normalize_quotes(text, style="curly")
    assert len(result) == len(text)
    assert result == "He said “don’t” and ‘no’ to O’Brien in the ’90s. “Oui”."


def test_normalize_quotes_on_dataframe_returns_copy():
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "text": ["“Hi,” he said.", None]})
    before = corpus.copy()
    result = normalize_quotes(corpus)
    pd.testing.assert_frame_equal(corpus, before)
    assert result["text"].iloc[0] == '"Hi," he said.'
    assert pd.isna(result["text"].iloc[1])
    with pytest.raises(ValueError, match="style"):
        normalize_quotes("x", style="fancy")


# --------------------------------------------------------------------------- input handling


def test_missing_column_is_named():
    with pytest.raises(KeyError, match="doc_id"):
        sentences(pd.DataFrame({"text": ["Hello."]}))
    with pytest.raises(KeyError, match="'text'"):
        tokenize(pd.DataFrame({"doc_id": ["a"], "body": ["Hello."]}))
    with pytest.raises(KeyError, match="'text'"):
        normalize_quotes(pd.DataFrame({"doc_id": ["a"]}))


def test_empty_texts_give_no_rows_and_inputs_are_not_mutated():
    corpus = pd.DataFrame({"doc_id": ["e", "n", "w", "ok"], "text": ["", None, " \n\t ", "One. Two."]})
    before = corpus.copy()
    for func in (paragraphs, sentences, tokenize):
        result = func(corpus)
        assert set(result["doc_id"]) == {"ok"}
    assert len(sentences("")) == 0 and len(tokenize("")) == 0 and len(paragraphs("")) == 0
    assert list(tokenize("").columns) == ["doc_id", "para", "sent", "token_i", "start", "end", "text"]
    pd.testing.assert_frame_equal(corpus, before)


def test_non_text_value_names_the_document():
    with pytest.raises(TypeError, match="doc-7"):
        sentences(pd.DataFrame({"doc_id": ["doc-7"], "text": [42]}))


def test_works_without_any_nltk_data(monkeypatch, tmp_path):
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    default_splitter.cache_clear()
    try:
        sents = sentences(NEWS)
        toks = tokenize(NEWS)
        trained = train_sentence_splitter([NEWS])
        assert len(sents) > 5 and len(toks) > 50
        assert trained.split("Dr. Patel spoke. He left.") == ["Dr. Patel spoke.", "He left."]
    finally:
        default_splitter.cache_clear()


def test_stopwords_ship_with_the_package_and_leave_content_words():
    from toolkit.tokens import stopwords

    words = stopwords()
    assert {"the", "and", "of", "she", "was"} <= words
    assert not {"minister", "strike", "budget", "union"} & words
