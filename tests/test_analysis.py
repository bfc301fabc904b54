"""Corpus-level analysis tables (toolkit.analysis) on hand-built quote tables and, when present, the real pipeline."""
import math

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from toolkit import analysis as an
from toolkit.tokens import stopwords

# ---------------------------------------------------------------------------------------------
# a small, realistic corpus and its quote table, with offsets computed (never counted by hand)
# ---------------------------------------------------------------------------------------------

ARTICLES = {
    "ledger-port-03": ("The Coastal Ledger", "2026-03-04", "port",
        "Port expansion faces fresh opposition\n\n"
        "“The dredging will wreck the estuary and the oyster beds with it,” said Mara Quist, who chairs the "
        "harbour residents’ association.\n\n"
        "Port director Tomas Reyes insisted the project was safe. “We have modelled every tide for ten years,” "
        "Reyes said. “The estuary will be fine.”\n\n"
        "Quist said Reyes had “never once walked the mudflats”.\n\n"
        "Officials said the permit decision would come in April."),
    "herald-port-04": ("Northern Herald", "2026-04-10", "port",
        "Harbour board delays dredging vote\n\n"
        "\"The board needs more time to read the estuary studies,\" Reyes told reporters on Tuesday.\n\n"
        "Mara Quist claimed the delay was a tactic. \"They are hoping we get tired,\" she said. "
        "\"We will not get tired.\"\n\n"
        "\"Jobs come first,\" said the dock workers' union in a statement."),
    "herald-strike-04": ("Northern Herald", "2026-04-22", "strike",
        "Nurses walk out at St. Anne's\n\n"
        "\"We are exhausted and the wards are unsafe,\" said nurse Lena Ortiz.\n\n"
        "Hospital chief Dr. Paul Brandt admitted staffing was short. \"We are hiring as fast as we can,\" Brandt said.\n\n"
        "\"Nobody listens until we strike,\" a nurse said.\n\n"
        "Ortiz said Brandt \"knows exactly how thin the night shifts are\"."),
    "ledger-strike-06": ("The Coastal Ledger", "2026-06-02", "strike",
        "Strike enters third week\n\n"
        "“The wards are unsafe at night, and the patients know it,” Ortiz said.\n\n"
        "“We are hiring nurses every week,” Brandt said.\n\n"
        "“Unsafe wards, exhausted nurses,” read a placard.\n\n"
        "“The port can wait, the wards cannot,” Quist said at the rally."),
}


def _find(text, snippet, after=0):
    at = text.find(snippet, after)
    assert at >= 0, f"snippet not found: {snippet!r}"
    assert text.find(snippet, at + 1) < 0 or after, f"snippet not unique: {snippet!r}"
    return at, at + len(snippet)


def _nearest(text, snippet, start, end):
    """Offset of the occurrence of snippet closest to the quote [start, end) and outside it, or -1."""
    found, at = [], text.find(snippet)
    while at >= 0:
        if at + len(snippet) <= start or at >= end:
            found.append((min(abs(start - at - len(snippet)), abs(at - end)), at))
        at = text.find(snippet, at + 1)
    return min(found)[1] if found else -1


# (doc_id, quoted content or [pieces], type, speaker mention, speaker_name, speaker_id, kind, cue, stance)
QUOTES = [
    ("ledger-port-03", "The dredging will wreck the estuary and the oyster beds with it,", "direct",
     "Mara Quist", "Mara Quist", "mara-quist", "person", "said", "neutral"),
    ("ledger-port-03", "the project was safe", "indirect",
     "Port director Tomas Reyes", "Tomas Reyes", "tomas-reyes", "person", "insisted", "assertive"),
    ("ledger-port-03", ["We have modelled every tide for ten years,", "The estuary will be fine."], "direct",
     "Reyes", "Tomas Reyes", "tomas-reyes", "person", "said", "neutral"),
    ("ledger-port-03", "Reyes had “never once walked the mudflats”", "mixed",
     "Quist", "Quist", "mara-quist", "person", "said", "neutral"),
    ("ledger-port-03", "the permit decision would come in April", "indirect",
     "Officials", "officials", "officials", "unnamed source", "said", "neutral"),
    ("herald-port-04", "The board needs more time to read the estuary studies,", "direct",
     "Reyes", "Reyes", "tomas-reyes", "person", "told", "neutral"),
    ("herald-port-04", "the delay was a tactic", "indirect",
     "Mara Quist", "Mara Quist", "mara-quist", "person", "claimed", "assertive"),
    ("herald-port-04", ["They are hoping we get tired,", "We will not get tired."], "direct",
     "she", "Mara Quist", "mara-quist", "person", "said", "neutral"),
    ("herald-port-04", "Jobs come first,", "direct",
     "the dock workers' union", "dock workers' union", "dock-workers-union", "organization", "said", "neutral"),
    ("herald-strike-04", "We are exhausted and the wards are unsafe,", "direct",
     "nurse Lena Ortiz", "Lena Ortiz", "lena-ortiz", "person", "said", "neutral"),
    ("herald-strike-04", "staffing was short", "indirect",
     "Hospital chief Dr. Paul Brandt", "Paul Brandt", "paul-brandt", "person", "admitted", "concede"),
    ("herald-strike-04", "We are hiring as fast as we can,", "direct",
     "Brandt", "Paul Brandt", "paul-brandt", "person", "said", "neutral"),
    ("herald-strike-04", "Nobody listens until we strike,", "direct",
     "a nurse", "a nurse", "a-nurse", "unnamed source", "said", "neutral"),
    ("herald-strike-04", "Brandt \"knows exactly how thin the night shifts are\"", "mixed",
     "Ortiz", "Lena Ortiz", "lena-ortiz", "person", "said", "neutral"),
    ("ledger-strike-06", "The wards are unsafe at night, and the patients know it,", "direct",
     "Ortiz", "Ortiz", "lena-ortiz", "person", "said", "neutral"),
    ("ledger-strike-06", "We are hiring nurses every week,", "direct",
     "Brandt", "Brandt", "paul-brandt", "person", "said", "neutral"),
    ("ledger-strike-06", "Unsafe wards, exhausted nurses,", "direct",
     None, None, None, None, "read", None),
    ("ledger-strike-06", "The port can wait, the wards cannot,", "direct",
     "Quist", "Quist", "mara-quist", "person", "said", "neutral"),
]


def make_corpus():
    rows = [{"doc_id": d, "text": text, "title": text.split("\n", 1)[0], "source": source,
             "date": pd.Timestamp(date), "url": f"https://example.org/{d}", "author": None, "story": story,
             "problems": ""} for d, (source, date, story, text) in ARTICLES.items()]
    return pd.DataFrame(rows)


def make_quotes():
    rows, counter = [], {}
    for doc_id, content, qtype, mention, name, sid, kind, cue, stance in QUOTES:
        text = ARTICLES[doc_id][3]
        pieces = content if isinstance(content, list) else [content]
        fragments = [list(_find(text, p)) for p in pieces]
        start, end = fragments[0][0], fragments[-1][1]
        k = counter.get(doc_id, 0)
        counter[doc_id] = k + 1
        if len(fragments) > 1:          # interrupted: the cue and speaker sit between the pieces
            gap_start, gap_end = fragments[0][1], fragments[1][0]
            gap = text[gap_start:gap_end]
            cue_at = gap_start + gap.index(f" {cue}") + 1
            speaker_at = gap_start + gap.index(mention)
        else:
            cue_at = _nearest(text, f" {cue} ", start, end) + 1 if cue else -1
            speaker_at = _nearest(text, mention, start, end) if mention else -1
        rows.append({
            "doc_id": doc_id, "quote_id": f"{doc_id}:{k}", "type": qtype, "start": start, "end": end,
            "text": text[start:end], "fragments": fragments, "para": 0, "sent": 0,
            "cue": cue, "cue_start": cue_at if cue_at > 0 else None, "cue_end": cue_at + len(cue) if cue_at > 0 else None,
            "speaker": mention, "speaker_start": speaker_at if speaker_at >= 0 else None,
            "speaker_end": speaker_at + len(mention) if speaker_at >= 0 else None,
            "speaker_name": name, "speaker_id": sid, "speaker_kind": kind, "speaker_role": None,
            "stance": stance, "rule": "test", "confidence": 0.9, "flags": "",
        })
    quotes = pd.DataFrame(rows)
    # quote ids follow text order within a document, as the engine's do
    quotes = quotes.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)
    quotes["quote_id"] = quotes["doc_id"] + ":" + quotes.groupby("doc_id").cumcount().astype(str)
    return quotes


@pytest.fixture
def corpus():
    return make_corpus()


@pytest.fixture
def quotes():
    return make_quotes()


def test_fixture_offsets_slice_the_documents(quotes, corpus):
    texts = dict(zip(corpus["doc_id"], corpus["text"]))
    for row in quotes.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text


# ---------------------------------------------------------------------------------------------
# who_says_what / top_speakers
# ---------------------------------------------------------------------------------------------

def _expected_counts(quotes):
    ids = quotes["speaker_id"].fillna(an.UNATTRIBUTED)
    return ids.value_counts().to_dict()


def test_who_says_what_counts_every_quote_once(quotes):
    table = an.who_says_what(quotes)
    assert list(table.columns) == ["speaker_id", "speaker_name", "speaker_kind", "quotes", "words",
                                   "share_of_voice", "documents"]
    assert table["quotes"].sum() == len(quotes)
    assert dict(zip(table["speaker_id"], table["quotes"])) == _expected_counts(quotes)
    assert table["share_of_voice"].sum() == pytest.approx(1.0)
    assert table["quotes"].is_monotonic_decreasing


def test_unattributed_quotes_are_kept_not_dropped(quotes):
    table = an.who_says_what(quotes).set_index("speaker_id")
    assert table.loc[an.UNATTRIBUTED, "quotes"] == quotes["speaker_id"].isna().sum() == 1
    assert table.loc[an.UNATTRIBUTED, "speaker_name"] == an.UNATTRIBUTED
    assert table.loc[an.UNATTRIBUTED, "speaker_kind"] == "unknown"


def test_nameless_unnamed_sources_are_pooled_apart_from_unattributed(quotes):
    anonymous = quotes.copy()
    officials = anonymous["speaker_id"] == "officials"
    anonymous.loc[officials, ["speaker_id", "speaker_name"]] = None
    table = an.who_says_what(anonymous).set_index("speaker_id")
    assert table.loc[an.UNNAMED, "quotes"] == officials.sum()
    assert table.loc[an.UNNAMED, "speaker_kind"] == "unnamed source"
    assert table.loc[an.UNATTRIBUTED, "quotes"] == 1
    assert an.UNNAMED not in set(an.quote_network(anonymous)["source"])


def test_speaker_name_is_the_most_common_and_fullest_form(quotes):
    table = an.who_says_what(quotes).set_index("speaker_id")
    # "Mara Quist" x3 beats "Quist" x2; "Lena Ortiz" x2 beats "Ortiz" x1; "Tomas Reyes" x2 beats "Reyes" x1
    assert table.loc["mara-quist", "speaker_name"] == "Mara Quist"
    assert table.loc["lena-ortiz", "speaker_name"] == "Lena Ortiz"
    assert table.loc["tomas-reyes", "speaker_name"] == "Tomas Reyes"


def test_words_count_only_the_quoted_pieces(quotes):
    table = an.who_says_what(quotes).set_index("speaker_id")
    # Reyes: "the project was safe" (4), "We have modelled every tide for ten years," (8) +
    # "The estuary will be fine." (5) -- the interrupting "Reyes said." is not his words --,
    # "The board needs more time to read the estuary studies," (10)
    assert table.loc["tomas-reyes", "words"] == 4 + 8 + 5 + 10
    lengths = an.quote_lengths(quotes).set_index("quote_id")
    interrupted = quotes[quotes["fragments"].map(len) == 2]
    for row in interrupted.itertuples():
        whole = len(row.text.split())
        assert lengths.loc[row.quote_id, "words"] < whole


def test_share_of_voice_per_outlet_sums_to_one(quotes, corpus):
    table = an.who_says_what(quotes, corpus=corpus, by="source")
    assert list(table.columns[:2]) == ["source", "speaker_id"]
    sums = table.groupby("source")["share_of_voice"].sum()
    assert sums.to_dict() == pytest.approx({"The Coastal Ledger": 1.0, "Northern Herald": 1.0})
    herald = table[table["source"] == "Northern Herald"].set_index("speaker_id")
    herald_quotes = quotes[quotes["doc_id"].str.startswith("herald")]
    assert herald["quotes"].sum() == len(herald_quotes)
    assert herald.loc["mara-quist", "documents"] == 1
    # the alias "outlet" means the corpus column "source"
    pd.testing.assert_frame_equal(an.who_says_what(quotes, corpus=corpus, by="outlet"), table)


def test_by_month_and_story(quotes, corpus):
    table = an.who_says_what(quotes, corpus=corpus, by=["story", "month"])
    assert set(table["month"]) == {"2026-03", "2026-04", "2026-06"}
    quist = table[table["speaker_id"] == "mara-quist"]
    assert dict(zip(zip(quist["story"], quist["month"]), quist["quotes"])) == {
        ("port", "2026-03"): 2, ("port", "2026-04"): 2, ("strike", "2026-06"): 1}


def test_by_a_quote_column_needs_no_corpus(quotes):
    table = an.who_says_what(quotes, by="type")
    assert table.groupby("type")["quotes"].sum().to_dict() == quotes["type"].value_counts().to_dict()


def test_grouping_by_metadata_without_corpus_is_a_clear_error(quotes):
    with pytest.raises(ValueError, match="corpus="):
        an.who_says_what(quotes, by="source")
    with pytest.raises(KeyError, match="'section'"):
        an.who_says_what(quotes, corpus=make_corpus(), by="section")


def test_quotes_from_documents_missing_in_corpus_are_counted_as_unknown(quotes, corpus):
    partial = corpus[corpus["doc_id"] != "ledger-strike-06"]
    with pytest.warns(UserWarning, match="not in the corpus"):
        table = an.who_says_what(quotes, corpus=partial, by="source")
    assert table["quotes"].sum() == len(quotes)
    assert table.loc[table["source"] == "(unknown)", "quotes"].sum() == (quotes["doc_id"] == "ledger-strike-06").sum()


def test_inputs_are_not_mutated(quotes, corpus):
    q0, c0 = quotes.copy(), corpus.copy()
    an.who_says_what(quotes, corpus=corpus, by=["source", "month"])
    an.speaker_timeline(quotes, corpus=corpus)
    an.distinctive_terms(quotes, min_count=1)
    an.quote_network(quotes, corpus=corpus)
    an.cue_profile(quotes)
    an.keyword_in_context(quotes, "wards")
    pd.testing.assert_frame_equal(quotes, q0)
    pd.testing.assert_frame_equal(corpus, c0)


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="'text'"):
        an.who_says_what(pd.DataFrame({"doc_id": ["a"], "speaker_id": ["x"]}))


def test_top_speakers_ranks_and_filters_by_kind(quotes):
    top = an.top_speakers(quotes, n=3)
    counts = _expected_counts(quotes)
    assert top["quotes"].tolist() == sorted(counts.values(), reverse=True)[:3]
    assert top["speaker_id"].iloc[0] == "mara-quist"
    people = an.top_speakers(quotes, n=None, kind="person")
    assert set(people["speaker_kind"]) == {"person"}
    assert len(people) == 4
    others = an.top_speakers(quotes, n=None, kind=["organization", "unnamed source"])
    assert set(others["speaker_id"]) == {"dock-workers-union", "officials", "a-nurse"}
    by_words = an.top_speakers(quotes, n=None, rank_by="words")
    assert by_words["words"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="unknown speaker kind"):
        an.top_speakers(quotes, kind="people")


def test_empty_quote_table_gives_empty_tables():
    empty = make_quotes().iloc[0:0]
    assert an.who_says_what(empty).empty
    assert an.top_speakers(empty).empty
    assert an.cue_profile(empty).empty
    assert an.keyword_in_context(empty, "port").empty
    assert an.quote_network(empty).empty


# ---------------------------------------------------------------------------------------------
# speaker_timeline
# ---------------------------------------------------------------------------------------------

def test_speaker_timeline_fills_quiet_months_with_zero(quotes, corpus):
    line = an.speaker_timeline(quotes, corpus=corpus, freq="M", n=2)
    assert list(line.columns) == ["period", "speaker_id", "speaker_name", "speaker_kind", "quotes", "words"]
    months = sorted(line["period"].unique())
    assert [m.strftime("%Y-%m") for m in pd.to_datetime(months)] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    top_two = an.top_speakers(quotes, n=2)["speaker_id"].tolist()
    assert list(dict.fromkeys(line["speaker_id"])) == top_two
    assert len(line) == 2 * 4
    quist = line[line["speaker_id"] == "mara-quist"]
    assert dict(zip(quist["period"].dt.strftime("%Y-%m"), quist["quotes"])) == {
        "2026-03": 2, "2026-04": 2, "2026-05": 0, "2026-06": 1}
    assert line["quotes"].sum() == quotes["speaker_id"].isin(top_two).sum()


def test_speaker_timeline_of_one_kind(quotes, corpus):
    line = an.speaker_timeline(quotes, corpus=corpus, n=None, kind="unnamed source")
    assert set(line["speaker_id"]) == {"officials", "a-nurse"}
    assert line["quotes"].sum() == (quotes["speaker_kind"] == "unnamed source").sum()
    with pytest.raises(ValueError, match="speaker kind"):
        an.speaker_timeline(quotes, corpus=corpus, kind="people")


def test_speaker_timeline_by_week_and_undated(quotes, corpus):
    weekly = an.speaker_timeline(quotes, corpus=corpus, freq="W", n=None)
    assert (weekly["period"].dt.day_of_week == 0).all()          # weeks start on Monday
    assert weekly["quotes"].sum() == len(quotes)
    undated = corpus.assign(date=corpus["date"].where(corpus["doc_id"] != "ledger-port-03"))
    with pytest.warns(UserWarning, match="ledger-port-03"):
        line = an.speaker_timeline(quotes, corpus=undated, n=None)
    assert line.attrs["undated_quotes"] == (quotes["doc_id"] == "ledger-port-03").sum()
    assert line["quotes"].sum() + line.attrs["undated_quotes"] == len(quotes)
    with pytest.raises(ValueError, match="freq"):
        an.speaker_timeline(quotes, corpus=corpus, freq="fortnight")
    with pytest.raises(ValueError, match="corpus="):
        an.speaker_timeline(quotes)


# ---------------------------------------------------------------------------------------------
# distinctive_terms
# ---------------------------------------------------------------------------------------------

def test_distinctive_terms_separate_the_two_stories(quotes, corpus):
    terms = an.distinctive_terms(quotes, group="story", corpus=corpus, n=5, min_count=2)
    assert list(terms.columns) == ["group", "term", "count", "z"]
    port = terms[terms["group"] == "port"]["term"].tolist()
    strike = terms[terms["group"] == "strike"]["term"].tolist()
    assert "estuary" in port and "wards" in strike
    assert not set(port) & set(strike)
    assert (terms["z"] > 0).all()
    assert terms.groupby("group")["z"].apply(lambda z: z.is_monotonic_decreasing).all()
    stop = stopwords()
    assert not set(terms["term"]) & stop


def test_distinctive_terms_head_to_head_and_counts(quotes):
    terms = an.distinctive_terms(quotes, groups=["lena-ortiz", "paul-brandt"], min_count=2, n=10)
    assert list(dict.fromkeys(terms["group"])) == ["lena-ortiz", "paul-brandt"]
    ortiz = terms[terms["group"] == "lena-ortiz"].set_index("term")
    brandt = terms[terms["group"] == "paul-brandt"].set_index("term")
    assert ortiz.loc["unsafe", "count"] == 2 and "hiring" in brandt.index
    # "wards" is Ortiz's, "hiring" Brandt's; neither appears on the other side
    assert "hiring" not in ortiz.index and "wards" not in brandt.index


def test_distinctive_terms_score_matches_the_formula():
    # two groups, known counts: check z for one word against Monroe et al. (2008), eq. 16-20
    q = pd.DataFrame({"doc_id": ["d1", "d2"], "text": ["tide tide tide estuary", "tide wards wards wards"],
                      "speaker_id": ["a", "b"]})
    terms = an.distinctive_terms(q, min_count=1, n=None, prior=1.0)
    y_a, y_b, total_w, n_a, n_b, n = 3, 1, 4, 4, 4, 8      # "tide"
    a_w, a_0 = total_w, n
    delta = (math.log((y_a + a_w) / (n_a + a_0 - y_a - a_w)) - math.log((y_b + a_w) / (n_b + a_0 - y_b - a_w)))
    z = delta / math.sqrt(1 / (y_a + a_w) + 1 / (y_b + a_w))
    got = terms[(terms["group"] == "a") & (terms["term"] == "tide")]["z"].item()
    assert got == pytest.approx(z)


def test_distinctive_terms_errors(quotes):
    with pytest.raises(ValueError, match="nobody"):
        an.distinctive_terms(quotes, groups=["mara-quist", "nobody"])
    with pytest.raises(ValueError, match="two"):
        an.distinctive_terms(quotes, groups=["mara-quist"])


def test_stopword_list_is_shipped_and_sized():
    stop = stopwords()
    assert 250 <= len(stop) <= 450
    assert {"the", "and", "which", "would", "their"} <= stop
    assert not {"estuary", "strike", "nurses", "port"} & stop


# ---------------------------------------------------------------------------------------------
# quote_network
# ---------------------------------------------------------------------------------------------

def test_quote_network_edges(quotes, corpus):
    edges = an.quote_network(quotes, corpus=corpus)
    assert list(edges.columns) == ["source", "source_name", "target", "target_name", "relation", "weight",
                                   "documents", "outlets"]
    together = edges[edges["relation"] == "quoted_with"].set_index(["source", "target"])
    # Quist and Reyes are quoted in both port articles
    assert together.loc[("mara-quist", "tomas-reyes"), "weight"] == 2
    assert together.loc[("mara-quist", "tomas-reyes"), "outlets"] == ["Northern Herald", "The Coastal Ledger"]
    assert together.loc[("lena-ortiz", "paul-brandt"), "weight"] == 2
    assert together.loc[("mara-quist", "paul-brandt"), "documents"] == ["ledger-strike-06"]
    assert an.UNATTRIBUTED not in set(edges["source"]) | set(edges["target"])
    about = edges[edges["relation"] == "speaks_about"]
    pairs = set(zip(about["source"], about["target"]))
    # Quist's mixed quote names Reyes by surname; Ortiz's names Brandt
    assert pairs == {("mara-quist", "tomas-reyes"), ("lena-ortiz", "paul-brandt")}


def test_quote_network_ambiguous_surname_is_not_guessed():
    q = pd.DataFrame({
        "doc_id": ["d1", "d1", "d2"], "text": ["Ask Chen about it.", "fine", "fine"],
        "speaker_id": ["ana-ruiz", "wei-chen", "li-chen"],
        "speaker_name": ["Ana Ruiz", "Wei Chen", "Li Chen"], "speaker_kind": ["person"] * 3})
    edges = an.quote_network(q)
    assert (edges["relation"] == "speaks_about").sum() == 0
    q.loc[0, "text"] = "Ask Wei Chen about it."
    edges = an.quote_network(q)
    assert edges[edges["relation"] == "speaks_about"][["source", "target"]].values.tolist() == [["ana-ruiz", "wei-chen"]]
    # a speaker mis-named with a common word is never a target of every capitalised sentence
    q.loc[2, ["speaker_id", "speaker_name"]] = ["the", "The"]
    q.loc[0, "text"] = "The port can wait."
    assert (an.quote_network(q)["relation"] == "speaks_about").sum() == 0


# ---------------------------------------------------------------------------------------------
# cue_profile / keyword_in_context
# ---------------------------------------------------------------------------------------------

def test_cue_profile_shares_and_cues(quotes):
    profile = an.cue_profile(quotes)
    assert list(profile.columns) == ["speaker_id", "speaker_name", "speaker_kind", "stance", "quotes", "share",
                                     "top_cues"]
    assert profile.groupby("speaker_id")["share"].sum().to_dict() == pytest.approx(
        {s: 1.0 for s in profile["speaker_id"].unique()})
    quist = profile[profile["speaker_id"] == "mara-quist"].set_index("stance")
    assert quist.loc["neutral", "quotes"] == 4 and quist.loc["assertive", "quotes"] == 1
    assert quist.loc["assertive", "top_cues"] == "claimed (1)"
    assert quist.loc["neutral", "top_cues"] == "said (4)"
    assert profile["stance"].iloc[0] == "neutral"
    assert profile["quotes"].sum() == len(quotes)
    brandt = profile[profile["speaker_id"] == "paul-brandt"].set_index("stance")
    assert brandt.loc["concede", "top_cues"] == "admitted (1)"


def test_keyword_in_context(quotes, corpus):
    kwic = an.keyword_in_context(quotes, "wards", width=15)
    assert list(kwic.columns) == ["doc_id", "quote_id", "speaker_name", "left", "keyword", "right", "start", "end"]
    texts = dict(zip(corpus["doc_id"], corpus["text"]))
    for row in kwic.itertuples():
        assert texts[row.doc_id][row.start:row.end].lower() == "wards"
        assert len(row.left) <= 15 and len(row.right) <= 15
    assert len(kwic) == sum(t.lower().count("wards") for t in quotes["text"])
    assert set(kwic["speaker_name"]) == {"Lena Ortiz", an.UNATTRIBUTED, "Mara Quist"}
    # whole words only
    assert an.keyword_in_context(quotes, "ward").empty
    # an interrupting "Reyes said." is not inside the quote
    assert an.keyword_in_context(quotes, "Reyes said").empty
    with pytest.raises(ValueError):
        an.keyword_in_context(quotes, "  ")


# ---------------------------------------------------------------------------------------------
# the real pipeline, when the engine and the bundled corpus exist
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    from conftest import SAMPLE
    if not (SAMPLE / "metadata.csv").exists():
        pytest.skip("data/sample is not there yet")
    try:
        from toolkit.corpus import load_corpus
        from toolkit.quotes import extract_quotes
    except ImportError as error:
        pytest.skip(f"pipeline not available: {error}")
    corpus = load_corpus(SAMPLE)
    return corpus, extract_quotes(corpus)


def test_real_pipeline_tables_are_consistent(sample):
    corpus, quotes = sample
    table = an.who_says_what(quotes, corpus=corpus, by="source")
    assert table["quotes"].sum() == len(quotes)
    assert table.groupby("source")["share_of_voice"].sum().round(6).eq(1).all()
    assert set(table["source"]) <= set(corpus["source"]) | {"(unknown)"}
    line = an.speaker_timeline(quotes, corpus=corpus, n=3)
    assert line["period"].nunique() >= 4
    terms = an.distinctive_terms(quotes, corpus=corpus, group="story", n=5)
    assert terms["group"].nunique() >= 4
    assert not an.quote_network(quotes).empty
    assert an.cue_profile(quotes)["quotes"].sum() == len(quotes)


def _name_tokens(name):
    return set(str(name).replace("’", "'").replace(".", " ").lower().split())


def test_top_speakers_name_the_speakers_gold_says_dominate(sample):
    """The engine's ranking of people agrees with the hand annotation, within the engine's measured error."""
    from conftest import SAMPLE
    if not (SAMPLE / "gold.jsonl").exists():
        pytest.skip("data/sample/gold.jsonl is not there yet")
    from toolkit.evaluate import load_gold, score
    corpus, quotes = sample
    gold_corpus, gold = load_gold(SAMPLE / "gold.jsonl")
    f1 = score((gold_corpus, gold), quotes).set_index("type").loc["all", "e2e_f1"]
    gold_top = an.top_speakers(gold.rename(columns={"speaker_canonical": "speaker_name"}), n=3, kind="person")
    engine_top = an.top_speakers(quotes, n=5, kind="person")
    for name, count in zip(gold_top["speaker_name"], gold_top["quotes"]):
        found = engine_top[[_name_tokens(name) <= _name_tokens(n) for n in engine_top["speaker_name"]]]
        assert len(found) == 1, f"gold's top speaker {name} is not among the engine's top five people"
        tolerance = max(2, math.ceil(count * (1 - f1)))
        assert abs(found["quotes"].item() - count) <= tolerance, (
            f"{name}: engine counts {found['quotes'].item()} quotes, gold {count} (tolerance {tolerance})")
