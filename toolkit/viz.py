"""Charts and an HTML article view for quote tables, readable when projected in a workshop room.

Every ``plot_*`` function takes a table from :mod:`toolkit.analysis` (or the quote table itself, where
its docstring says so), draws on ``ax`` (a new figure when ``ax=None``) and returns the matplotlib
Axes; none calls ``plt.show()``. Titles and axis labels are always set, fonts are at least 11 pt and
the colours come from the Okabe-Ito palette, which stays distinguishable with colour-blindness.

    >>> import toolkit as tk
    >>> ax = tk.plot_top_speakers(tk.top_speakers(quotes, n=10))            # doctest: +SKIP
    >>> ax.figure.savefig("top_speakers.png", dpi=150)                      # doctest: +SKIP
    >>> tk.show_quotes(corpus, quotes, doc_id="ledger-2026-01-14-port-plan")  # doctest: +SKIP
"""
from __future__ import annotations

import html
import itertools
import json
import textwrap
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .analysis import UNATTRIBUTED, UNNAMED, quote_lengths, top_speakers
from ._common import require_columns

__all__ = [
    "OKABE_ITO",
    "plot_top_speakers",
    "plot_share_of_voice",
    "plot_speaker_timeline",
    "plot_speaker_heatmap",
    "plot_distinctive_terms",
    "plot_cue_profile",
    "plot_quote_network",
    "plot_quote_lengths",
    "show_quotes",
    "QuoteView",
]

# Okabe & Ito (2008), "Color Universal Design"; yellow last because it is faint on white
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
GREY = "#999999"
LIGHT_GREY = "#CCCCCC"
KIND_COLORS = {"person": "#0072B2", "organization": "#E69F00", "unnamed source": "#009E73", "unknown": GREY}
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, SMALL_SIZE = 15, 13, 12, 11
_LINESTYLES = ["-", "--", "-.", ":"]
_LIGHT_COLOURS = {"#E69F00", "#56B4E9", "#F0E442", LIGHT_GREY, "#BBBBBB", "#DDDDDD"}
# the pooled rows of the analysis tables ("(unattributed)", "(unnamed source)"): grey and hatched
_POOL_STYLE = {UNATTRIBUTED: ("#999999", "//"), UNNAMED: ("#BBBBBB", "..")}
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _new_axes(ax, figsize):
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _finish(ax, title, xlabel, ylabel):
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left", pad=12)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.xaxis.get_offset_text().set_fontsize(TICK_SIZE)
    ax.yaxis.get_offset_text().set_fontsize(TICK_SIZE)
    return ax


def _legend(ax, handles=None, labels=None, *, title=None, outside=False, **kwargs):
    options = dict(fontsize=SMALL_SIZE, title_fontsize=SMALL_SIZE + 1, frameon=False)
    if outside:
        options.update(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    options.update(kwargs)
    if handles is None:
        return ax.legend(title=title, **options)
    return ax.legend(handles, labels, title=title, **options)


def _wrap(label, width=28):
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def _require(table, columns, function, made_by):
    require_columns(table, columns, what=f"table given to {function} (expected the table made by {made_by})")


def _color_cycle(n):
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def _value_label(value):
    return {"quotes": "Number of quotes", "words": "Words quoted", "share_of_voice": "Share of quoted words",
            "documents": "Articles quoting the speaker"}.get(value, value.replace("_", " ").capitalize())


def _group_label(group):
    return {"source": "outlet"}.get(str(group), str(group).replace("_", " "))


def _is_pool(speaker_id):
    return isinstance(speaker_id, str) and speaker_id.startswith("(") and speaker_id.endswith(")")


def _is_quote_table(table):
    return "quote_id" in table.columns or ("text" in table.columns and "start" in table.columns)


# ---------------------------------------------------------------------------------------------
# who dominates
# ---------------------------------------------------------------------------------------------

def plot_top_speakers(table: pd.DataFrame, *, n: int = 10, value: str = "quotes", ax=None):
    """Horizontal bars of the most quoted speakers, coloured by kind (person, organization, ...).

    ``table``: the output of :func:`toolkit.analysis.top_speakers` (or ``who_says_what`` without
    ``by``); the quote table itself is also accepted and ranked with ``top_speakers(quotes, n=n)``.
    ``value``: the column drawn (``"quotes"``, ``"words"``, ``"share_of_voice"``, ``"documents"``).
    The first ``n`` rows are drawn, the largest on top, each bar labelled with its value.

        >>> plot_top_speakers(top_speakers(quotes, n=10))   # doctest: +SKIP
    """
    if _is_quote_table(table):
        table = top_speakers(table, n=n, rank_by="words" if value == "words" else "quotes")
    _require(table, ["speaker_name", value], "plot_top_speakers", "toolkit.top_speakers()")
    data = table.sort_values(value, ascending=False, kind="stable").head(n)
    ax = _new_axes(ax, (9, 0.45 * len(data) + 1.8))
    kinds = data["speaker_kind"].tolist() if "speaker_kind" in data.columns else ["unknown"] * len(data)
    y = np.arange(len(data))
    bars = ax.barh(y, data[value].to_numpy(), color=[KIND_COLORS.get(k, GREY) for k in kinds], height=0.7)
    ids = data["speaker_id"] if "speaker_id" in data.columns else data["speaker_name"]
    for bar, speaker in zip(bars, ids):
        if _is_pool(speaker):
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    ax.set_yticks(y, [_wrap(name) for name in data["speaker_name"]])
    ax.invert_yaxis()
    fmt = "{:.0%}" if value == "share_of_voice" else "{:,.0f}"
    ax.bar_label(bars, labels=[fmt.format(v) for v in data[value]], padding=4, fontsize=SMALL_SIZE)
    top = float(data[value].max()) if len(data) else 1.0
    ax.set_xlim(0, top * 1.15 if top > 0 else 1)
    if value == "share_of_voice":
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    present = list(dict.fromkeys(kinds))
    if len(present) > 1:
        _legend(ax, [Patch(color=KIND_COLORS.get(k, GREY)) for k in present], present, title="Speaker kind",
                loc="lower right")
    return _finish(ax, f"Who is quoted most (top {len(data)})", _value_label(value), "Speaker")


def plot_share_of_voice(table: pd.DataFrame, *, by: str | None = None, n: int = 6, ax=None):
    """Stacked horizontal bars: each outlet's (or other group's) quoted words split by speaker.

    ``table``: the output of ``who_says_what(quotes, corpus=corpus, by="source")`` (any single ``by``
    column works; ``by=`` names it when the table has several). The ``n`` speakers with the most
    words overall get their own colour; the rest are pooled as "Other speakers"; unnamed sources
    without a name and unattributed quotes come last, hatched grey. Bar lengths are
    ``share_of_voice`` in percent, so every bar reaches 100%.

        >>> plot_share_of_voice(who_says_what(quotes, corpus=corpus, by="source"))   # doctest: +SKIP
    """
    _require(table, ["speaker_id", "speaker_name", "words", "share_of_voice"], "plot_share_of_voice",
             'toolkit.who_says_what(quotes, corpus=corpus, by="source")')
    group = by or next((c for c in table.columns if c not in ("speaker_id", "speaker_name", "speaker_kind")), None)
    if group not in table.columns or group in ("quotes", "words"):
        raise KeyError("plot_share_of_voice needs a grouping column: make the table with "
                       'who_says_what(quotes, corpus=corpus, by="source")')
    totals = table.groupby("speaker_id", sort=False)["words"].sum().sort_values(ascending=False, kind="stable")
    named = [s for s in totals.index if not _is_pool(s)]
    leaders = named[:n]
    pools = [s for s in (UNNAMED, UNATTRIBUTED) if s in totals.index]
    names = table.drop_duplicates("speaker_id").set_index("speaker_id")["speaker_name"]
    data = table.assign(segment=table["speaker_id"].where(table["speaker_id"].isin(leaders + pools), "__other__"))
    shares = data.pivot_table(index=group, columns="segment", values="share_of_voice", aggfunc="sum",
                              fill_value=0.0, sort=False)
    segments = leaders + (["__other__"] if "__other__" in shares.columns else []) + pools
    shares = shares.reindex(columns=segments, fill_value=0.0)
    groups = sorted(shares.index, key=str)
    shares = shares.loc[groups]
    ax = _new_axes(ax, (11, 0.7 * len(groups) + 2.2))
    y = np.arange(len(groups))
    left = np.zeros(len(groups))
    styles = [(c, None) for c in _color_cycle(len(leaders))] + [(LIGHT_GREY, None)] * ("__other__" in segments)
    styles += [_POOL_STYLE[p] for p in pools]
    for segment, (colour, hatch) in zip(segments, styles):
        widths = shares[segment].to_numpy() * 100
        label = "Other speakers" if segment == "__other__" else names[segment]
        bars = ax.barh(y, widths, left=left, color=colour, label=label, height=0.65, edgecolor="white",
                       linewidth=0.8, hatch=hatch)
        text_colour = "black" if colour in _LIGHT_COLOURS else "white"
        ax.bar_label(bars, labels=[f"{w:.0f}%" if w >= 7 else "" for w in widths], label_type="center",
                     fontsize=SMALL_SIZE, color=text_colour,
                     bbox=dict(boxstyle="round,pad=0.1", facecolor=colour, edgecolor="none") if hatch else None)
        left += widths
    ax.set_yticks(y, [_wrap(g, 22) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.spines[["top", "right"]].set_visible(False)
    _legend(ax, title="Speaker", outside=True)
    return _finish(ax, f"Share of voice by {_group_label(group)}: who gets the quoted words",
                   f"Share of all quoted words in the {_group_label(group)}", _group_label(group).capitalize())


def plot_speaker_heatmap(table: pd.DataFrame, *, by: str | None = None, value: str = "quotes", n: int = 12,
                         ax=None):
    """Heatmap of speakers (rows) by outlet or other group (columns), each cell annotated.

    ``table``: the output of ``who_says_what(quotes, corpus=corpus, by="source")``. ``value``:
    ``"quotes"``, ``"words"`` or ``"share_of_voice"``. Rows are the ``n`` speakers with the largest
    total, largest first; empty cells are 0. Colour map: cividis (readable with colour-blindness and
    in grey-scale).

        >>> plot_speaker_heatmap(who_says_what(quotes, corpus=corpus, by="source"))   # doctest: +SKIP
    """
    _require(table, ["speaker_id", "speaker_name", value], "plot_speaker_heatmap",
             'toolkit.who_says_what(quotes, corpus=corpus, by="source")')
    group = by or next((c for c in table.columns if c not in ("speaker_id", "speaker_name", "speaker_kind")), None)
    if group not in table.columns or group in ("quotes", "words"):
        raise KeyError("plot_speaker_heatmap needs a grouping column: make the table with "
                       'who_says_what(quotes, corpus=corpus, by="source")')
    totals = table.groupby("speaker_id", sort=False)[value].sum().sort_values(ascending=False, kind="stable")
    rows = totals.index[:n].tolist()
    names = table.drop_duplicates("speaker_id").set_index("speaker_id")["speaker_name"]
    grid = (table[table["speaker_id"].isin(rows)]
            .pivot_table(index="speaker_id", columns=group, values=value, aggfunc="sum", fill_value=0)
            .reindex(index=rows, fill_value=0))
    grid = grid[sorted(grid.columns, key=str)]
    ax = _new_axes(ax, (1.6 * len(grid.columns) + 4.5, 0.5 * len(rows) + 2.5))
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="cividis", aspect="auto", vmin=0)
    ax.set_xticks(np.arange(len(grid.columns)), [_wrap(c, 14) for c in grid.columns])
    ax.set_yticks(np.arange(len(rows)), [_wrap(names[r]) for r in rows])
    ax.tick_params(axis="x", top=True, bottom=False, labeltop=True, labelbottom=False)
    ax.xaxis.set_label_position("top")
    ax.xaxis.labelpad = 10
    threshold = values.max() / 2 if values.size else 0
    for (i, j), v in np.ndenumerate(values):
        text = f"{v:.0%}" if value == "share_of_voice" else f"{v:,.0f}"
        ax.text(j, i, text, ha="center", va="center", fontsize=SMALL_SIZE,
                color="black" if v > threshold else "white")
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    colorbar.set_label(_value_label(value), fontsize=LABEL_SIZE)
    colorbar.ax.tick_params(labelsize=TICK_SIZE)
    if value == "share_of_voice":
        colorbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return _finish(ax, f"Who is quoted where: {_value_label(value).lower()} by {_group_label(group)}",
                   _group_label(group).capitalize(), "Speaker")


def plot_speaker_timeline(table: pd.DataFrame, *, value: str = "quotes", ax=None):
    """One line per speaker: quotes (or words) per month or week.

    ``table``: the output of :func:`toolkit.analysis.speaker_timeline` (``period`` x ``speaker``,
    zeros included). Lines differ by colour, line style and marker, so they stay apart in grey-scale.

        >>> plot_speaker_timeline(speaker_timeline(quotes, corpus=corpus, n=5))   # doctest: +SKIP
    """
    _require(table, ["period", "speaker_id", "speaker_name", value], "plot_speaker_timeline",
             "toolkit.speaker_timeline()")
    ax = _new_axes(ax, (11, 5))
    speakers = list(dict.fromkeys(table["speaker_id"]))
    named = iter(range(len(speakers)))
    for speaker in speakers:
        rows = table[table["speaker_id"] == speaker].sort_values("period")
        if _is_pool(speaker):
            style = dict(color=_POOL_STYLE.get(speaker, (GREY, None))[0], linestyle=":", marker="x")
        else:
            i = next(named)
            style = dict(color=OKABE_ITO[i % len(OKABE_ITO)], linestyle=_LINESTYLES[(i // len(OKABE_ITO)) % 4],
                         marker=_MARKERS[i % len(_MARKERS)])
        ax.plot(rows["period"].to_numpy(), rows[value].to_numpy(), label=rows["speaker_name"].iloc[0],
                linewidth=2.2, markersize=7, **style)
    periods = pd.to_datetime(pd.Series(table["period"].unique())).sort_values()
    weekly = len(periods) > 1 and periods.diff().dt.days.median() <= 8
    unit = "week" if weekly else "month"
    if unit == "month" and len(periods) <= 14:
        locator = mdates.MonthLocator()
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    # a year change reads "Jan\n2026" rather than a bare "2026"
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
        locator, zero_formats=["", "%b\n%Y", "%b", "%b-%d", "%H:%M", "%H:%M"]))
    ax.yaxis.set_major_locator(MaxNLocator(integer=value in ("quotes", "words")))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    _legend(ax, title="Speaker", outside=True)
    return _finish(ax, f"When are they quoted? {_value_label(value).lower()} per {unit}", unit.capitalize(),
                   f"{_value_label(value)} per {unit}")


# ---------------------------------------------------------------------------------------------
# what they say and how they are introduced
# ---------------------------------------------------------------------------------------------

def plot_distinctive_terms(table: pd.DataFrame, *, groups=None, labels=None, n: int = 10, ax=None):
    """Two-sided bars: the words most typical of one group (left) against another (right).

    ``table``: the output of :func:`toolkit.analysis.distinctive_terms`, best made head-to-head with
    ``distinctive_terms(quotes, groups=[a, b])``. ``groups``: the two group values to draw (default:
    the two groups of the table). ``labels``: a dict mapping group values to display names (e.g.
    speaker ids to names). Bar length is the z-score; the word is written on the empty side.

        >>> terms = distinctive_terms(quotes, groups=["dana-okafor", "helen-marchetti"])
        >>> plot_distinctive_terms(terms, labels={"dana-okafor": "Dana Okafor", "helen-marchetti": "Helen Marchetti"})  # doctest: +SKIP
    """
    _require(table, ["group", "term", "z"], "plot_distinctive_terms", "toolkit.distinctive_terms()")
    present = list(dict.fromkeys(table["group"].astype(str)))
    chosen = [str(g) for g in groups] if groups is not None else present
    if len(chosen) != 2:
        raise ValueError(f"plot_distinctive_terms draws two groups; the table has {len(present)} "
                         f"({present[:6]}...): pass groups=[a, b]")
    missing = [g for g in chosen if g not in present]
    if missing:
        raise ValueError(f"no distinctive terms for group {missing}; groups in the table: {present[:10]}")
    labels = {str(k): v for k, v in (labels or {}).items()}
    left_group, right_group = chosen
    left = table[table["group"].astype(str) == left_group].nlargest(n, "z")
    right = table[table["group"].astype(str) == right_group].nlargest(n, "z")
    ax = _new_axes(ax, (10, 0.42 * (len(left) + len(right)) + 2))
    left_name, right_name = labels.get(left_group, left_group), labels.get(right_group, right_group)
    # rows from top: left group's strongest first, then right group's weakest to strongest
    y_left = np.arange(len(left))
    y_right = len(left) + np.arange(len(right))
    colours = (OKABE_ITO[0], OKABE_ITO[1])
    ax.barh(y_left, -left["z"].to_numpy(), color=colours[0], height=0.7, label=f"typical of {left_name}")
    ax.barh(y_right, right["z"].to_numpy()[::-1], color=colours[1], height=0.7, label=f"typical of {right_name}")
    pad = 0.02 * max(table["z"].max(), 1e-9)
    for y, term in zip(y_left, left["term"]):
        ax.text(pad, y, term, ha="left", va="center", fontsize=TICK_SIZE)
    for y, term in zip(y_right, right["term"].to_numpy()[::-1]):
        ax.text(-pad, y, term, ha="right", va="center", fontsize=TICK_SIZE)
    limit = max(left["z"].max() if len(left) else 0, right["z"].max() if len(right) else 0, 1e-9) * 1.15
    ax.set_xlim(-limit, limit)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks([])
    ax.set_ylim(len(left) + len(right) - 0.4, -0.6)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(t):g}" for t in ticks])
    ax.set_xlim(-limit, limit)
    _legend(ax, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(f"Words that set {left_name} and {right_name} apart", fontsize=TITLE_SIZE, loc="left", pad=36)
    ax.set_xlabel(f"z-score of the log-odds ratio (← {left_name} | {right_name} →)", fontsize=LABEL_SIZE)
    ax.set_ylabel("Word", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    return ax


# the same stance keeps the same colour in every chart; neutral is grey so marked framing stands out
STANCE_COLORS = {"neutral": LIGHT_GREY, "marked": "#E69F00", "warn": "#009E73", "deny": "#D55E00",
                 "concede": "#CC79A7", "emotive": "#56B4E9", "question": "#0072B2", "belief": "#000000",
                 "unknown": GREY}


def _stance_colours(stances):
    colours = {}
    spare = iter([c for c in OKABE_ITO if c not in STANCE_COLORS.values()] + [GREY] * len(stances))
    for stance in stances:
        if stance in STANCE_COLORS:
            colours[stance] = STANCE_COLORS[stance]
        elif stance.startswith("("):
            colours[stance] = "white"
        else:
            colours[stance] = next(spare)
    return colours


def plot_cue_profile(table: pd.DataFrame, *, n: int = 10, ax=None):
    """Stacked bars per speaker: shares of neutral ("said") and marked ("claimed", "admitted"...) cues.

    ``table``: the output of :func:`toolkit.analysis.cue_profile`. The ``n`` most quoted speakers are
    drawn, most quoted on top, with the number of quotes at the end of each bar. Neutral cues are grey
    so that marked framing stands out; quotes without a cue are white with hatching.

        >>> plot_cue_profile(cue_profile(quotes), n=8)   # doctest: +SKIP
    """
    _require(table, ["speaker_id", "speaker_name", "stance", "quotes", "share"], "plot_cue_profile",
             "toolkit.cue_profile()")
    totals = table.groupby("speaker_id", sort=False)["quotes"].sum().sort_values(ascending=False, kind="stable")
    speakers = totals.index[:n].tolist()
    names = table.drop_duplicates("speaker_id").set_index("speaker_id")["speaker_name"]
    data = table[table["speaker_id"].isin(speakers)]
    frequency = data.groupby("stance")["quotes"].sum().sort_values(ascending=False, kind="stable")
    stances = (["neutral"] if "neutral" in frequency.index else []) + [
        s for s in frequency.index if s != "neutral" and not s.startswith("(")] + [
        s for s in frequency.index if s.startswith("(")]
    colours = _stance_colours(stances)
    shares = data.pivot_table(index="speaker_id", columns="stance", values="share", aggfunc="sum",
                              fill_value=0.0).reindex(index=speakers, columns=stances, fill_value=0.0)
    ax = _new_axes(ax, (11, 0.5 * len(speakers) + 2.2))
    y = np.arange(len(speakers))
    left = np.zeros(len(speakers))
    for stance in stances:
        widths = shares[stance].to_numpy() * 100
        ax.barh(y, widths, left=left, color=colours[stance], label=stance, height=0.65, edgecolor="#555555",
                linewidth=0.6, hatch="//" if stance.startswith("(") else None)
        left += widths
    for yi, speaker in zip(y, speakers):
        ax.text(101, yi, f"n={totals[speaker]}", va="center", ha="left", fontsize=SMALL_SIZE)
    ax.set_yticks(y, [_wrap(names[s]) for s in speakers])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.spines[["top", "right"]].set_visible(False)
    _legend(ax, title="Stance of the cue", outside=True, bbox_to_anchor=(1.08, 1.0))
    return _finish(ax, "How speakers are introduced: the reporting verbs' stance",
                   "Share of the speaker's quotes", "Speaker")


def plot_quote_lengths(quotes: pd.DataFrame, *, by: str = "type", bin_width: int = 5, ax=None):
    """Histogram of quote lengths in words, stacked by quote type (direct, indirect, mixed).

    ``quotes``: the quote table from ``extract_quotes`` (or the output of
    :func:`toolkit.analysis.quote_lengths`). ``by``: the column that splits the bars (``None`` for
    one colour). Words are counted inside the quoted pieces only.

        >>> plot_quote_lengths(quotes)   # doctest: +SKIP
    """
    lengths = quotes if "words" in quotes.columns else quote_lengths(quotes)
    ax = _new_axes(ax, (10, 5))
    words = lengths["words"].to_numpy()
    top = int(words.max()) if len(words) else bin_width
    bins = np.arange(0, top + bin_width + 1, bin_width)
    if by is not None and by in lengths.columns:
        keys = lengths[by].fillna("(none)").astype(str)
        order = [k for k in ("direct", "indirect", "mixed") if k in set(keys)] + sorted(set(keys) - {"direct", "indirect", "mixed"})
        series = [words[(keys == k).to_numpy()] for k in order]
        ax.hist(series, bins=bins, stacked=True, label=order, color=_color_cycle(len(order)),
                edgecolor="white", linewidth=0.6)
        _legend(ax, title=str(by).capitalize())
    else:
        ax.hist(words, bins=bins, color=OKABE_ITO[0], edgecolor="white", linewidth=0.6)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    median = float(np.median(words)) if len(words) else 0.0
    return _finish(ax, f"How long are the quotes? (median {median:.0f} words)", "Words in the quote",
                   "Number of quotes")


# ---------------------------------------------------------------------------------------------
# the network
# ---------------------------------------------------------------------------------------------

def _spread_boxes(ax, labels, positions, *, rounds=400, gap=8.0):
    """Move node boxes (text artists) apart until none overlap, inside the axes; update ``positions``."""
    figure = ax.figure
    figure.canvas.draw()                 # settle the layout first: boxes are measured in pixels
    renderer = figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    boxes = [label.get_bbox_patch().get_window_extent(renderer) for label in labels]
    half = np.array([[box.width / 2, box.height / 2] for box in boxes])
    centres = np.array([[(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2] for box in boxes])
    low = np.array([frame.x0, frame.y0]) + half
    high = np.maximum(np.array([frame.x1, frame.y1]) - half, low)
    centres = np.clip(centres, low, high)
    for _ in range(rounds):
        moved = False
        for i, j in itertools.combinations(range(len(labels)), 2):
            delta = centres[i] - centres[j]
            overlap = half[i] + half[j] + gap - np.abs(delta)
            if (overlap <= 0).any():
                continue
            axis = 0 if overlap[0] / (half[i, 0] + half[j, 0]) < overlap[1] / (half[i, 1] + half[j, 1]) else 1
            sign = 1.0 if delta[axis] > 0 or (delta[axis] == 0 and i < j) else -1.0
            centres[i, axis] += sign * overlap[axis] / 2
            centres[j, axis] -= sign * overlap[axis] / 2
            centres[i] = np.clip(centres[i], low[i], high[i])
            centres[j] = np.clip(centres[j], low[j], high[j])
            moved = True
        if not moved:
            break
    to_data = ax.transData.inverted()
    for label, node, box, centre in zip(labels, positions, boxes, centres):
        anchor = np.array(label.get_position())
        shift = centre - np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
        position = to_data.transform(ax.transData.transform(anchor) + shift)
        label.set_position(tuple(position))
        positions[node] = np.asarray(position)


def _spread_evenly(values):
    """Half raw, half rank-based coordinates in [0, 1]: clusters open up, the order is kept."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or np.ptp(values) == 0:
        return np.full(len(values), 0.5)
    raw = (values - values.min()) / np.ptp(values)
    ranks = values.argsort(kind="stable").argsort(kind="stable") / (len(values) - 1)
    return 0.5 * raw + 0.5 * ranks


def plot_quote_network(edges: pd.DataFrame, *, relation: str | None = None, min_weight: int = 1,
                       max_nodes: int = 20, seed: int = 7, ax=None):
    """The quote network: speakers as labelled boxes, "quoted_with" as grey lines, "speaks_about" as arrows.

    ``edges``: the output of :func:`toolkit.analysis.quote_network`. ``relation``: draw only
    ``"quoted_with"`` or ``"speaks_about"``; ``min_weight``: drop lighter edges; ``max_nodes``: keep the
    speakers with the most (weighted) links. Layout: networkx spring layout with a fixed ``seed`` (the
    same picture every run), then boxes nudged apart so no two names overlap. Line width grows with the
    weight; a darker box means more links.

        >>> plot_quote_network(quote_network(quotes), min_weight=2)   # doctest: +SKIP
    """
    import networkx as nx

    _require(edges, ["source", "target", "relation", "weight"], "plot_quote_network", "toolkit.quote_network()")
    data = edges[edges["weight"] >= min_weight]
    if relation is not None:
        if relation not in ("quoted_with", "speaks_about"):
            raise ValueError(f"relation must be 'quoted_with' or 'speaks_about', not {relation!r}")
        data = data[data["relation"] == relation]
    names = {}
    for column, name_column in (("source", "source_name"), ("target", "target_name")):
        labels = data[name_column] if name_column in data.columns else data[column]
        names.update(zip(data[column], labels))
    strength = pd.concat([data.groupby("source")["weight"].sum(), data.groupby("target")["weight"].sum()])
    strength = strength.groupby(level=0).sum().sort_values(ascending=False, kind="stable")
    keep = set(strength.index[:max_nodes])
    data = data[data["source"].isin(keep) & data["target"].isin(keep)]
    nodes = [n for n in strength.index if n in keep]

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for s, t, w in zip(data["source"], data["target"], data["weight"]):
        previous = graph.get_edge_data(s, t, {"weight": 0})["weight"]
        graph.add_edge(s, t, weight=previous + w)
    positions = nx.spring_layout(graph, seed=seed, weight=None, iterations=300,
                                 k=2.5 / max(np.sqrt(len(nodes)), 1)) if nodes else {}
    if nodes:                       # use the whole frame: spread dense clusters, keep the arrangement
        xy = np.array([positions[n] for n in nodes])
        xy = np.column_stack([_spread_evenly(xy[:, 0]), _spread_evenly(xy[:, 1])])
        positions = {n: xy[i] for i, n in enumerate(nodes)}

    ax = _new_axes(ax, (12, 9))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.08, 1.08)
    shown = list(dict.fromkeys(data["relation"]))
    handles = {"quoted_with": Line2D([], [], color=GREY, linewidth=3, label="quoted in the same article"),
               "speaks_about": Line2D([], [], color=OKABE_ITO[5], linewidth=2, marker=">", markersize=8,
                                      label="quote mentions the other speaker")}
    if shown:
        _legend(ax, [handles[r] for r in shown], [handles[r].get_label() for r in shown], loc="lower left",
                bbox_to_anchor=(0, 1.0), ncol=2)
    _finish(ax, "Who is quoted with whom, and who speaks about whom",
            "spring layout: speakers quoted together sit close; darker box = more links", "")
    ax.set_title(ax.get_title(loc="left"), fontsize=TITLE_SIZE, loc="left", pad=34)
    top = float(strength[nodes].max()) if nodes else 1.0
    labels = []
    for node in nodes:
        share = float(strength[node]) / top
        face = _tint(OKABE_ITO[0], 0.85 - 0.85 * share)
        labels.append(ax.text(*positions[node], _wrap(names.get(node, node), 18), ha="center", va="center",
                              fontsize=SMALL_SIZE + 1, zorder=4, color="white" if share > 0.6 else "black",
                              fontweight="bold" if share > 0.6 else "normal",
                              bbox=dict(boxstyle="round,pad=0.3", facecolor=face, edgecolor=OKABE_ITO[0])))
    _spread_boxes(ax, labels, positions)
    box_of = dict(zip(nodes, labels))
    heaviest = max(float(data["weight"].max()) if len(data) else 1.0, 1.0)
    for s, t, rel, w in zip(data["source"], data["target"], data["relation"], data["weight"]):
        width = 1.0 + 5.0 * w / heaviest
        if rel == "speaks_about":
            ax.annotate("", xy=positions[t], xytext=positions[s], zorder=5,
                        arrowprops=dict(arrowstyle="-|>", color=OKABE_ITO[5], lw=1 + width * 0.5, mutation_scale=22,
                                        connectionstyle="arc3,rad=0.2", patchA=box_of[s].get_bbox_patch(),
                                        patchB=box_of[t].get_bbox_patch(), shrinkA=2, shrinkB=2))
        else:
            (x0, y0), (x1, y1) = positions[s], positions[t]
            ax.plot([x0, x1], [y0, y1], color=GREY, linewidth=width, alpha=0.6, zorder=1,
                    solid_capstyle="round")
    return ax


# ---------------------------------------------------------------------------------------------
# one article, with its quotes highlighted
# ---------------------------------------------------------------------------------------------

class QuoteView:
    """HTML of one article with its quotes highlighted; Jupyter displays it, ``.data`` holds the string."""

    def __init__(self, data: str, doc_id=None):
        self.data = data
        self.doc_id = doc_id

    def _repr_html_(self):
        return self.data

    def __repr__(self):
        return f"<QuoteView of {self.doc_id!r}: {len(self.data):,} characters of HTML; display it in Jupyter>"

    def save(self, path):
        """Write a stand-alone HTML page (UTF-8) to ``path`` and return the path."""
        path = Path(path)
        title = html.escape(str(self.doc_id or "quotes"))
        path.write_text(f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
                        f"<body>{self.data}</body></html>\n", encoding="utf-8")
        return path


def _tint(colour, amount=0.6):
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    mixed = rgb + (255 - rgb) * amount
    return "#" + "".join(f"{int(round(v)):02x}" for v in mixed)


def _document(text_or_doc, doc_id):
    if isinstance(text_or_doc, str):
        return text_or_doc, doc_id, None
    if isinstance(text_or_doc, pd.DataFrame):
        corpus = text_or_doc
        if "text" not in corpus.columns:
            raise KeyError(f"show_quotes: the corpus has no 'text' column (columns: {', '.join(map(str, corpus.columns))})")
        if doc_id is None:
            if len(corpus) != 1:
                raise ValueError("show_quotes: the corpus has several documents; say which one with doc_id=")
            row = corpus.iloc[0]
        else:
            match = corpus[corpus["doc_id"].astype(str) == str(doc_id)] if "doc_id" in corpus.columns else corpus.iloc[0:0]
            if match.empty:
                raise KeyError(f"show_quotes: no document with doc_id {doc_id!r} in the corpus")
            row = match.iloc[0]
    elif hasattr(text_or_doc, "get"):       # a corpus row (Series) or a dict
        row = text_or_doc
    else:
        raise TypeError(f"show_quotes expects a text, a corpus DataFrame or a corpus row, got {type(text_or_doc).__name__}")
    text = row.get("text")
    if not isinstance(text, str):
        raise ValueError(f"show_quotes: document {row.get('doc_id', doc_id)!r} has no text")
    found = row.get("doc_id", None)
    title = row.get("title", None)
    return text, (doc_id if doc_id is not None else found), title


def _int_or_none(value):
    try:
        if value is None or pd.isna(value):
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def show_quotes(text_or_doc, quotes: pd.DataFrame, *, doc_id=None) -> QuoteView:
    """One article with its quotes highlighted in the speaker's colour, cues underlined, a legend.

    ``text_or_doc``: the article text (str), a corpus DataFrame (pick the article with ``doc_id=``)
    or one corpus row. ``quotes``: the quote table (rows of other documents are ignored when
    ``doc_id`` is known). Quote pieces are ``<mark>``-ed in the speaker's colour (hover for speaker,
    type and quote_id), the speaker mention is bold, the cue underlined. All corpus text — article,
    speaker names, cues — is HTML-escaped. Raises ValueError when a quote's offsets do not slice its
    text out of this document (wrong document or text changed since extraction).

    Returns a :class:`QuoteView`: Jupyter shows it; ``.data`` is the HTML string; ``.save(path)``.

        >>> show_quotes(corpus, quotes, doc_id="ledger-2026-01-14-port-plan")   # doctest: +SKIP
    """
    text, doc_id, title = _document(text_or_doc, doc_id)
    table = quotes
    if doc_id is not None and "doc_id" in table.columns:
        table = table[table["doc_id"].astype(str) == str(doc_id)]
    elif "doc_id" in table.columns and table["doc_id"].nunique() > 1:
        raise ValueError("show_quotes: the quote table covers several documents; pass doc_id=")
    for column in ("start", "end"):
        if column not in table.columns:
            raise KeyError(f"show_quotes: the quote table has no {column!r} column")

    records = table.to_dict("records")
    bad = [r.get("quote_id", i) for i, r in enumerate(records)
           if "text" in r and isinstance(r["text"], str) and text[int(r["start"]):int(r["end"])] != r["text"]]
    if bad:
        raise ValueError(f"show_quotes: {len(bad)} quotes do not match the text of document {doc_id!r} "
                         f"(e.g. {bad[:3]}): offsets from another document or another version of the text?")

    # one colour per speaker, most quoted first
    def speaker_of(r):
        for key in ("speaker_id", "speaker_name"):
            value = r.get(key)
            if isinstance(value, str) and value.strip():
                return value
        return UNATTRIBUTED

    def name_of(r):
        value = r.get("speaker_name")
        return value if isinstance(value, str) and value.strip() else speaker_of(r)

    order = pd.Series([speaker_of(r) for r in records], dtype="object").value_counts(sort=True)
    named = [s for s in order.index if s != UNATTRIBUTED]
    colour = {s: _tint(c) for s, c in zip(named, itertools.cycle(OKABE_ITO[:7] + [OKABE_ITO[7]]))}
    colour[UNATTRIBUTED] = "#dddddd"
    names = {}
    for r in records:
        names.setdefault(speaker_of(r), name_of(r))

    spans = []            # (start, end, kind, payload); kind order: quote < speaker < cue
    for r in records:
        who = speaker_of(r)
        fragments = r.get("fragments")
        if isinstance(fragments, str):
            try:
                fragments = json.loads(fragments)
            except ValueError:
                fragments = None
        try:
            pieces = [(int(s), int(e)) for s, e in fragments] if fragments is not None and not isinstance(fragments, float) else []
        except (TypeError, ValueError):
            pieces = []
        pieces = pieces or [(int(r["start"]), int(r["end"]))]
        tip = " · ".join(str(x) for x in (names[who], r.get("type"), r.get("quote_id")) if isinstance(x, str) and x)
        for s, e in pieces:
            spans.append((s, e, 0, (colour[who], tip)))
        for kind, key in ((1, "speaker"), (2, "cue")):
            s, e = _int_or_none(r.get(f"{key}_start")), _int_or_none(r.get(f"{key}_end"))
            if s is not None and e is not None and 0 <= s < e <= len(text):
                spans.append((s, e, kind, colour[who]))

    cuts = sorted({0, len(text), *[p for s, e, _, _ in spans for p in (s, e) if 0 <= p <= len(text)]})
    starts = sorted(spans, key=lambda x: x[0])
    active, pointer, segments = [], 0, []      # segments: (quote span or None, inner html)
    for a, b in zip(cuts, cuts[1:]):
        while pointer < len(starts) and starts[pointer][0] <= a:
            active.append(starts[pointer])
            pointer += 1
        active = [sp for sp in active if sp[1] > a]
        piece = html.escape(text[a:b])
        quote = next((sp for sp in reversed(active) if sp[2] == 0), None)
        speaker = next((sp for sp in active if sp[2] == 1), None)
        cue = next((sp for sp in active if sp[2] == 2), None)
        if cue is not None:
            piece = f'<u style="text-decoration-thickness:2px;text-underline-offset:3px">{piece}</u>'
        if speaker is not None:
            piece = f'<b style="border-bottom:3px solid {speaker[3]}">{piece}</b>'
        segments.append((quote, piece))
    parts = []
    for quote, group in itertools.groupby(segments, key=lambda seg: seg[0]):
        inner = "".join(piece for _, piece in group)
        if quote is None:
            parts.append(inner)
        else:
            background, tip = quote[3]
            parts.append(f'<mark style="background:{background};color:inherit;padding:0 1px" '
                         f'title="{html.escape(tip, quote=True)}">{inner}</mark>')

    legend_items = "".join(
        f'<span style="background:{colour[s]};padding:1px 6px;margin:2px 4px 2px 0;border-radius:3px;'
        f'display:inline-block">{html.escape(str(names[s]))} ({int(order[s])})</span>'
        for s in list(named) + ([UNATTRIBUTED] if UNATTRIBUTED in order.index else []))
    heading = f"<div style=\"font-weight:bold;font-size:1.1em;margin-bottom:4px\">{html.escape(str(title))}</div>" \
        if isinstance(title, str) and title.strip() else ""
    caption = html.escape(f"{doc_id} · " if doc_id is not None else "") + f"{len(records)} quotes"
    markup = (
        '<div class="wsw-show-quotes" style="font-family:Georgia,serif;font-size:15px;line-height:1.6;max-width:52em">'
        f'{heading}<div style="font-family:sans-serif;font-size:13px;color:#444;margin-bottom:6px">{caption}. '
        'Highlight = quoted words (colour = speaker); <b>bold</b> = speaker mention; <u>underline</u> = cue.</div>'
        f'<div class="wsw-legend" style="font-family:sans-serif;font-size:13px;margin-bottom:10px">{legend_items}</div>'
        f'<div class="wsw-text" style="white-space:pre-wrap">{"".join(parts)}</div></div>'
    )
    return QuoteView(markup, doc_id=doc_id)
