"""Charts (toolkit.viz): the data behind each chart equals the analysis table; labels, legends, fonts; HTML escaping."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from toolkit import analysis as an
from toolkit import viz

from test_analysis import corpus, quotes, sample  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _labelled(ax):
    assert ax.get_title(loc="left") or ax.get_title()
    assert ax.get_xlabel()
    assert ax.get_ylabel() or ax.get_yticklabels() == []


def _readable(ax, minimum=11):
    ax.figure.canvas.draw()
    small = [(t.get_text(), t.get_fontsize()) for t in ax.figure.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < minimum]
    assert not small, f"text smaller than {minimum} pt: {small[:5]}"


def _no_overlap(labels):
    boxes = [t.get_window_extent() for t in labels if t.get_visible() and t.get_text().strip()]
    for a, b in zip(boxes, boxes[1:]):
        assert not a.overlaps(b), "tick labels overlap"


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _ticks(labels):
    return [t.get_text().replace("\n", " ") for t in labels]


# ---------------------------------------------------------------------------------------------

def test_top_speakers_bars_equal_the_table(quotes):
    table = an.top_speakers(quotes, n=6)
    ax = viz.plot_top_speakers(table)
    assert isinstance(ax, plt.Axes)
    assert [b.get_width() for b in _bars(ax)] == table["quotes"].tolist()
    assert _ticks(ax.get_yticklabels()) == table["speaker_name"].tolist()
    _labelled(ax)
    assert ax.get_legend() is not None            # several kinds -> legend of kinds
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(legend) == set(table["speaker_kind"])
    colours = {matplotlib.colors.to_hex(b.get_facecolor()) for b in _bars(ax)}
    assert colours <= {c.lower() for c in viz.KIND_COLORS.values()}
    _readable(ax)
    _no_overlap(ax.get_yticklabels())


def test_top_speakers_accepts_the_quote_table_and_an_axes(quotes):
    fig, ax = plt.subplots()
    returned = viz.plot_top_speakers(quotes, n=3, ax=ax)
    assert returned is ax
    expected = an.top_speakers(quotes, n=3)
    assert [b.get_width() for b in _bars(ax)] == expected["quotes"].tolist()
    words = viz.plot_top_speakers(an.top_speakers(quotes), value="words")
    assert [b.get_width() for b in _bars(words)] == sorted(an.top_speakers(quotes)["words"], reverse=True)
    assert "Words" in words.get_xlabel()


def test_share_of_voice_segments_equal_the_shares(quotes, corpus):
    table = an.who_says_what(quotes, corpus=corpus, by="source")
    ax = viz.plot_share_of_voice(table, n=3)
    outlets = _ticks(ax.get_yticklabels())
    assert set(outlets) == set(table["source"])
    totals = table.groupby("speaker_id")["words"].sum().sort_values(ascending=False, kind="stable")
    leaders = [s for s in totals.index if s != an.UNATTRIBUTED][:3]
    names = table.drop_duplicates("speaker_id").set_index("speaker_id")["speaker_name"]
    containers = ax.containers
    # named leaders first, then the other speakers pooled, then the unattributed quotes (hatched)
    assert [c.get_label() for c in containers] == [names[s] for s in leaders] + ["Other speakers", an.UNATTRIBUTED]
    assert containers[-1][0].get_hatch() == "//"
    for container, speaker in zip(containers, leaders + ["__other__", an.UNATTRIBUTED]):
        if speaker == "__other__":
            continue
        for outlet, bar in zip(outlets, container):
            row = table[(table["source"] == outlet) & (table["speaker_id"] == speaker)]
            expected = 100 * row["share_of_voice"].sum()
            assert bar.get_width() == pytest.approx(expected)
    for i in range(len(outlets)):                 # every outlet's bar reaches 100 %
        assert sum(c[i].get_width() for c in containers) == pytest.approx(100)
    assert ax.get_legend() is not None
    _labelled(ax)
    _readable(ax)


def test_speaker_heatmap_cells_equal_the_counts(quotes, corpus):
    table = an.who_says_what(quotes, corpus=corpus, by="source")
    ax = viz.plot_speaker_heatmap(table, n=5)
    image = ax.get_images()[0].get_array()
    rows = _ticks(ax.get_yticklabels())
    columns = _ticks(ax.get_xticklabels())
    assert len(rows) == 5
    for i, name in enumerate(rows):
        for j, outlet in enumerate(columns):
            expected = table[(table["speaker_name"] == name) & (table["source"] == outlet)]["quotes"].sum()
            assert image[i, j] == expected
    cells = [t.get_text() for t in ax.texts]
    assert cells == [f"{v:,.0f}" for v in np.asarray(image).ravel()]
    _labelled(ax)
    _readable(ax)
    _no_overlap(ax.get_xticklabels())


def test_speaker_timeline_lines_equal_the_table(quotes, corpus):
    table = an.speaker_timeline(quotes, corpus=corpus, n=3)
    ax = viz.plot_speaker_timeline(table)
    lines = ax.get_lines()
    assert len(lines) == 3
    for line, (speaker, rows) in zip(lines, table.groupby("speaker_id", sort=False)):
        assert line.get_label() == rows["speaker_name"].iloc[0]
        assert list(line.get_ydata()) == rows.sort_values("period")["quotes"].tolist()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(dict.fromkeys(table["speaker_name"]))
    assert "month" in ax.get_ylabel()
    assert len({(l.get_color(), l.get_marker()) for l in lines}) == 3
    _labelled(ax)
    _readable(ax)


def test_distinctive_terms_two_sided_bars(quotes):
    terms = an.distinctive_terms(quotes, groups=["lena-ortiz", "paul-brandt"], min_count=1, n=5)
    ax = viz.plot_distinctive_terms(terms, labels={"lena-ortiz": "Lena Ortiz", "paul-brandt": "Paul Brandt"})
    widths = [b.get_width() for b in _bars(ax)]
    left = terms[terms["group"] == "lena-ortiz"]
    right = terms[terms["group"] == "paul-brandt"]
    assert widths[:len(left)] == pytest.approx((-left["z"]).tolist())
    assert sorted(widths[len(left):]) == pytest.approx(sorted(right["z"]))
    assert [t.get_text() for t in ax.texts] == left["term"].tolist() + right["term"].tolist()[::-1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["typical of Lena Ortiz", "typical of Paul Brandt"]
    _labelled(ax)
    _readable(ax)
    with pytest.raises(ValueError, match="groups="):
        viz.plot_distinctive_terms(an.distinctive_terms(quotes, min_count=1))


def test_cue_profile_bars_equal_the_shares(quotes):
    profile = an.cue_profile(quotes)
    ax = viz.plot_cue_profile(profile, n=4)
    speakers = _ticks(ax.get_yticklabels())
    assert speakers == list(dict.fromkeys(profile["speaker_name"]))[:4]
    for container in ax.containers:
        stance = container.get_label()
        for name, bar in zip(speakers, container):
            expected = profile[(profile["speaker_name"] == name) & (profile["stance"] == stance)]["share"].sum()
            assert bar.get_width() == pytest.approx(100 * expected)
    assert {t.get_text() for t in ax.get_legend().get_texts()} == set(
        profile[profile["speaker_name"].isin(speakers)]["stance"])
    _labelled(ax)
    _readable(ax)


def test_quote_network_draws_every_edge(quotes):
    edges = an.quote_network(quotes)
    ax = viz.plot_quote_network(edges)
    names = set(edges["source_name"]) | set(edges["target_name"])
    boxes = [t for t in ax.texts if t.get_text()]
    assert {t.get_text().replace("\n", " ") for t in boxes} == names
    together = (edges["relation"] == "quoted_with").sum()
    about = (edges["relation"] == "speaks_about").sum()
    assert len(ax.get_lines()) == together
    arrows = [t for t in ax.texts if t.get_text() == "" and getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == about
    assert ax.get_legend() is not None
    _readable(ax)
    # no two name boxes overlap, and all stay inside the axes
    renderer = ax.figure.canvas.get_renderer()
    extents = [t.get_bbox_patch().get_window_extent(renderer) for t in boxes]
    frame = ax.get_window_extent(renderer)
    for i, a in enumerate(extents):
        assert frame.x0 - 1 <= a.x0 and a.x1 <= frame.x1 + 1 and frame.y0 - 1 <= a.y0 and a.y1 <= frame.y1 + 1
        assert not any(a.overlaps(b) for b in extents[i + 1:])
    # the layout is seeded: two drawings put the nodes at the same place
    again = viz.plot_quote_network(edges)
    assert np.allclose([t.get_position() for t in boxes], [t.get_position() for t in again.texts if t.get_text()])
    only = viz.plot_quote_network(edges, relation="speaks_about")
    assert len(only.get_lines()) == 0


def test_quote_lengths_histogram_counts_every_quote(quotes):
    ax = viz.plot_quote_lengths(quotes, bin_width=2)
    assert sum(b.get_height() for b in _bars(ax)) == len(quotes)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["direct", "indirect", "mixed"]
    lengths = an.quote_lengths(quotes)
    direct = [b.get_height() for b in ax.containers[0]]
    assert sum(direct) == (lengths["type"] == "direct").sum()
    _labelled(ax)
    _readable(ax)


def test_plot_functions_name_the_table_they_need(quotes):
    with pytest.raises(KeyError, match="speaker_timeline"):
        viz.plot_speaker_timeline(an.top_speakers(quotes))
    with pytest.raises(KeyError, match="cue_profile"):
        viz.plot_cue_profile(an.top_speakers(quotes))


# ---------------------------------------------------------------------------------------------
# show_quotes
# ---------------------------------------------------------------------------------------------

def test_show_quotes_highlights_every_quote_piece(quotes, corpus):
    view = viz.show_quotes(corpus, quotes, doc_id="ledger-port-03")
    assert view._repr_html_() == view.data
    doc_quotes = quotes[quotes["doc_id"] == "ledger-port-03"]
    pieces = sum(len(f) for f in doc_quotes["fragments"])
    assert view.data.count("<mark") == pieces
    assert "Mara Quist (2)" in view.data and "Tomas Reyes (2)" in view.data   # legend with counts
    assert view.data.count("<u ") == doc_quotes["cue_start"].dropna().nunique()
    # the interrupting cue sits between the two marked pieces, not inside them
    assert "</mark>” <u" in view.data


def test_show_quotes_escapes_corpus_text_and_speaker_names():
    text = 'Headline <em>bold</em>\n\n"Drop the <script>alert(1)</script> tag," said Eve <img src=x onerror=alert(2)>.'
    content = "Drop the <script>alert(1)</script> tag,"
    start = text.index(content)
    mention = "Eve <img src=x onerror=alert(2)>"
    q = pd.DataFrame([{
        "doc_id": "evil", "quote_id": "evil:0", "type": "direct", "start": start, "end": start + len(content),
        "text": content, "fragments": [[start, start + len(content)]], "cue": "said",
        "cue_start": text.index("said"), "cue_end": text.index("said") + 4, "speaker": mention,
        "speaker_start": text.index(mention), "speaker_end": text.index(mention) + len(mention),
        "speaker_name": "Eve <script>steal()</script>", "speaker_id": "eve", "speaker_kind": "person"}])
    html = viz.show_quotes(text, q, doc_id="evil").data
    assert "<script>" not in html and "<img" not in html and "<em>" not in html
    assert "Headline &lt;em&gt;bold&lt;/em&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Eve &lt;script&gt;steal()&lt;/script&gt;" in html          # legend
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_show_quotes_rejects_offsets_from_another_text(quotes, corpus):
    other = corpus.set_index("doc_id").loc["herald-port-04", "text"]
    with pytest.raises(ValueError, match="do not match"):
        viz.show_quotes(other, quotes, doc_id="ledger-port-03")
    with pytest.raises(KeyError, match="nowhere"):
        viz.show_quotes(corpus, quotes, doc_id="nowhere")
    with pytest.raises(ValueError, match="doc_id="):
        viz.show_quotes(corpus, quotes)


def test_show_quotes_accepts_a_corpus_row_and_saves(quotes, corpus, tmp_path):
    row = corpus.iloc[2]
    view = viz.show_quotes(row, quotes)
    assert view.doc_id == row["doc_id"]
    assert view.data.count("<mark") == sum(len(f) for f in quotes[quotes["doc_id"] == row["doc_id"]]["fragments"])
    saved = view.save(tmp_path / "doc.html").read_text(encoding="utf-8")
    assert "<meta charset=\"utf-8\">" in saved and view.data in saved


# ---------------------------------------------------------------------------------------------
# the real pipeline, when the engine and the bundled corpus exist
# ---------------------------------------------------------------------------------------------

def test_every_chart_renders_on_the_bundled_corpus(tmp_path, sample):
    corpus, quotes = sample
    top = an.top_speakers(quotes, n=10)
    people = an.top_speakers(quotes, n=2, kind="person")["speaker_id"].tolist()
    charts = {
        "top": viz.plot_top_speakers(top),
        "share": viz.plot_share_of_voice(an.who_says_what(quotes, corpus=corpus, by="source")),
        "heatmap": viz.plot_speaker_heatmap(an.who_says_what(quotes, corpus=corpus, by="source")),
        "timeline": viz.plot_speaker_timeline(an.speaker_timeline(quotes, corpus=corpus, n=5)),
        "terms": viz.plot_distinctive_terms(an.distinctive_terms(quotes, groups=people, min_count=2)),
        "cues": viz.plot_cue_profile(an.cue_profile(quotes)),
        "network": viz.plot_quote_network(an.quote_network(quotes), min_weight=2),
        "lengths": viz.plot_quote_lengths(quotes),
    }
    assert [b.get_width() for b in _bars(charts["top"])] == top["quotes"].tolist()
    for name, ax in charts.items():
        _readable(ax)
        ax.figure.savefig(tmp_path / f"{name}.png")
    doc = corpus["doc_id"].iloc[0]
    assert viz.show_quotes(corpus, quotes, doc_id=doc).data.count("<mark") >= (quotes["doc_id"] == doc).sum()
