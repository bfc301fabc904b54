"""Find quotations in news text: direct, indirect and mixed, with their speakers.

    >>> import toolkit as tk
    >>> q = tk.extract_quotes("“The ships are not getting any smaller,” O’Brien said. The union claimed there are no safe wards.")
    >>> q[["type", "text", "speaker"]].values.tolist()
    [['direct', 'The ships are not getting any smaller,', 'O’Brien'], ['indirect', 'there are no safe wards', 'The union']]

Offsets index the original text: ``text == doc_text[start:end]``. Attribution rules are named in
``rule`` (see :data:`toolkit.speakers.SIEVE`).
"""
from __future__ import annotations

import gc
import heapq
import re
from bisect import bisect_right
from contextlib import contextmanager
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter, methodcaller

import pandas as pd

# (the compiled copy of this module, toolkit._speedups.quotes, imports the compiled speakers and
# tokens modules relatively)
from . import speakers as sp

COLUMNS = ["doc_id", "quote_id", "type", "start", "end", "text", "fragments", "para", "sent", "cue",
           "cue_start", "cue_end", "speaker", "speaker_start", "speaker_end", "speaker_name", "speaker_id",
           "speaker_kind", "speaker_role", "stance", "rule", "confidence", "flags"]
DOCUMENT_COLUMNS = ["doc_id", "chars", "quotes", "status", "problems"]

# opening mark -> the marks that may close it (a straight opening mark may close curly: "…” in mixed-up copy)
_CLOSERS = {'"': '"”', "“": "”\"“", "„": "“”\"", "«": "»", "»": "«", "‟": "”", "”": "”"}
_DOUBLE_RE = re.compile(r"[\"“”„‟«»]")
# The patterns below start with a character class rather than a look-behind or an alternation, so
# the regex engine can skip ahead to candidate characters (3-8x faster scans); each matches exactly
# what its plainer form would: a single opening mark at the text start or after a space, bracket,
# dash or double mark; a closing mark after a non-space; a run of sentence-final punctuation.
_SINGLE_OPEN_RE = re.compile(r"[‘'‚](?<![^\s(\[—–\"“„«][‘'‚])(?=[^\s\d’'])")
_SINGLE_CLOSE_RE = re.compile(r"[’'‘](?<=[^\s‘'][’'‘])(?=$|[\s.,;:!?)\]—–\"”»])")
_PARA_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_RE = re.compile(r"\n\s*")
_SENT_END_RE = re.compile(r"[.!?…][.!?…]*[\"”’»)\]']*(?=\s+[\"“„«‘'(\[]?[A-Z0-9]|\s*$)")
_ABBREV_WORDS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt", "Adm",
                 "Rev", "St", "Jr", "Sr", "Mt", "Ft", "Inc", "Corp", "Co", "Ltd", "No", "vs", "Jan", "Feb", "Mar",
                 "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
# an abbreviation, an initial or the last letter of "U.S" right before a full stop
_ABBREV_END_RE = re.compile(r"(?:\b(?:" + "|".join(_ABBREV_WORDS) + r")|\b[A-Z]|(?:[A-Z]\.)+[A-Z])\.$")
# _ABBREV_END_RE read backwards: every match of it ends at the end of the string, so it matches
# when this pattern matches the reversed string at its start (one try instead of a search)
_ABBREV_END_REVERSED_RE = re.compile(r"\.(?:(?:" + "|".join(w[::-1] for w in _ABBREV_WORDS) + r")\b|[A-Z]\b|"
                                     r"[A-Z](?:\.[A-Z])+)")
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ABBREV_TAILS = frozenset(w[-2:] for w in _ABBREV_WORDS)     # (every word has 2 letters or more)
_ABBREV_LAST_CHARS = _ASCII_UPPER | frozenset(w[-1] for w in _ABBREV_WORDS)
_WS = " \t\r\n\f\v"
_NON_SPACE_RE = re.compile(r"\S")


def _abbreviation_ends_at(text, dot, lo):
    """True when the full stop at ``dot`` ends an abbreviation or an initial ("Sen.", "J.",
    "U.S."), as ``_ABBREV_END_RE`` finds in ``text[max(lo, dot - 12):dot + 1]``. Every such
    match puts a capital letter or one of ``_ABBREV_WORDS`` right before the stop, which two cheap
    tests rule out for most sentence ends before the regex runs."""
    lo = max(lo, dot - 12)
    if dot <= lo or not (text[dot - 1] in _ASCII_UPPER or (dot - lo >= 2 and text[dot - 2:dot] in _ABBREV_TAILS
                                                            and text.endswith(_ABBREV_WORDS, lo, dot))):
        return False
    return _ABBREV_END_REVERSED_RE.match(text[lo:dot + 1][::-1]) is not None


_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
_TITLE_CASE_RE = re.compile(r"^[\W\d]*[A-Z][\w’'\-]*(?:[\s:,\-]+(?:(?:a|an|the|of|and|or|in|on|at|to|for|with|from|by)\s+)*[A-Z0-9][\w’'\-]*)*[\W]*$")
_PARTICIPLE_CUT_RE = re.compile(r",[\"”’]?\s+(?:\w+ly\s+)?(?!being\b|according\b|including\b)[a-z]+ing[\s:,]")
_DASH_CUT_RE = re.compile(r"\s(?:[—―–]|--?)\s")
_RELATIVE_CUT_RE = re.compile(r",[\"”’]?\s")
_COMMA_MARK_RE = re.compile(r",[\"”’]")
_CLOSING_MARK_RE = re.compile(r"[\"”’]")
_ACCORDING_CUT_RE = re.compile(r",[\"”’]?\s+according to\b")
# ", a move that could ...": a closing appositive that comments on the whole clause
_SUMMARY_APPOSITIVE_RE = re.compile(
    r",[\"”’]?\s+(?:a|an|the|in\s+a|in\s+an)\s+(?:[\w\-’']+\s+){0,3}?(?:move|step|decision|development|sign|signal|"
    r"reference|nod|dig|jab|swipe|shot|claim|charge|remark|comment|statement|assertion|position|view|stance|"
    r"argument|message|reversal|shift|change|contrast|departure|break|rebuke|warning|threat|suggestion|admission|"
    r"acknowledgment|acknowledgement|concession|sentiment|refrain|theme|echo|allusion|twist|blow|setback|"
    r"boost|victory|defeat|rebuttal|response|reply|retort|jab|barb|broadside|attack|criticism|sign|indication|"
    r"classification|characterization|description|label|term|phrase|slogan|line|pledge|promise|vow|plan|"
    r"proposal|policy|tactic|strategy|practice|reaction|gesture|episode|incident|event|offer|demand|request|"
    r"accusation|allegation|idea|notion|assessment|estimate|prediction|forecast)\b[^,;]*")
_SENTENCE_STARTERS = frozenset("""He She They It We I The This That These Those But And His Her Their Its In On At
A An As After If When While There Some Many Most""".split())
_MIN_QUOTE_WORDS = 5       # a cue-less quoted phrase shorter than this is a term, not a quotation


# ---------------------------------------------------------------------------------------------
# Paragraphs and sentences (private fallbacks; toolkit.tokens is preferred when present)
# ---------------------------------------------------------------------------------------------

try:      # (imported once here: an import inside _paragraph_spans ran for every document)
    from .tokens import paragraph_spans as _tokens_paragraph_spans
except Exception:
    _tokens_paragraph_spans = None


def _paragraph_spans(text):
    if _tokens_paragraph_spans is not None:
        try:
            return _tokens_paragraph_spans(text)      # (a new list of (start, end) tuples)
        except Exception:
            pass
    splitter = _PARA_RE if _PARA_RE.search(text) else _LINE_RE
    spans, pos = [], 0
    for m in splitter.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _sentence_spans(text, paragraphs):
    spans = []
    for ps, pe in paragraphs:
        pos = ps
        for m in _SENT_END_RE.finditer(text, ps, pe):
            # _ABBREV_END_RE ends in "\.$": only a full stop can end an abbreviation
            dot = m.start()
            # (a letter before the stop that is neither a capital nor the last letter of one of
            # _ABBREV_WORDS rules out an abbreviation without the call: most sentence ends)
            if text[dot] == "." and text[dot - 1] in _ABBREV_LAST_CHARS and _abbreviation_ends_at(text, dot, ps):
                continue
            spans.append((pos, m.end()))
            pos = m.end()
            while pos < pe and text[pos] in _WS:
                pos += 1
        if pos < pe:
            spans.append((pos, pe))
    return spans


def _trim(text, s, e):
    # toolkit._common.trim_span(text, s, e, _WS), written out: in the compiled copy the loops run
    # compiled, without a call into the pure-Python helper (about 25,000 calls per 1,000 documents)
    while s < e and text[s] in _WS:
        s += 1
    while e > s and text[e - 1] in _WS:
        e -= 1
    return s, e


def _holds(spans, pos):
    """True when one of the ``(start, end)`` spans holds ``pos`` (a loop: a generator expression
    makes the compiled caller allocate a closure on every call)."""
    for a, b in spans:
        if a <= pos < b:
            return True
    return False


def find_quote_marks(text, paragraphs):
    """Pair quote marks within each paragraph. Returns a list of dicts with ``open_start`` (the
    opening mark), ``close_end`` (just after the closing mark), ``start, end`` (content),
    ``para`` and ``flags`` ("unclosed" when a paragraph ends inside a quote that the next paragraph
    does not reopen). Linear in the text length."""
    found = []
    n_para = len(paragraphs)
    # every _SINGLE_OPEN_RE match opens with one of these marks: a text without any (a third of news
    # texts) needs no single-mark scan per paragraph
    single_marks = "'" in text or "‘" in text or "‚" in text
    for pi, (ps, pe) in enumerate(paragraphs):
        opened = None
        para_quotes = []
        for m in _DOUBLE_RE.finditer(text, ps, pe):
            i, ch = m.start(), m.group()
            # an opening position has a space or an opening bracket, dash or mark before it and no
            # space after; a closing position has no space before and a space or non-letter after
            before = text[i - 1] if i > ps else " "
            after = text[i + 1] if i + 1 < pe else " "
            space_before = before.isspace()
            open_pos = (space_before or before in "([{—–-/:;\"“„«‘'") and not after.isspace()
            close_pos = not space_before and (after.isspace() or not after.isalnum())
            if opened is None:
                if ch in "“„«‟" or (ch == '"' and not (close_pos and not open_pos)) \
                        or (ch in "”»" and open_pos and not close_pos):
                    opened = (i, ch)
                continue
            oi, och = opened
            closes = ch in _CLOSERS[och]
            opens_new = open_pos and not close_pos
            if closes and not (opens_new and ch in ('"', "“") and och != "„"):
                para_quotes.append((oi, i + 1, oi + 1, i, ""))
                opened = None
            elif opens_new and ch in "“„«\"":
                para_quotes.append((oi, i, oi + 1, i, "unclosed"))
                opened = (i, ch)
        if opened is not None:
            oi, och = opened
            nxt = paragraphs[pi + 1][0] if pi + 1 < n_para else None
            continues = nxt is not None and text[nxt] in "\"“„«‘'"
            para_quotes.append((oi, pe, oi + 1, pe, "" if continues else "unclosed"))
        # single-quoted quotations outside double-quoted ones
        covered = None      # (listed at the first single mark: most paragraphs have none)
        for m in _SINGLE_OPEN_RE.finditer(text, ps, pe) if single_marks else ():
            if covered is None:
                covered = [(a, b) for a, b, _s, _e, _f in para_quotes]
            i = m.start()
            if _holds(covered, i):
                continue
            c = _SINGLE_CLOSE_RE.search(text, i + 2, min(pe, i + 600))
            if c is None:
                continue
            j = c.start()
            if _holds(covered, j):
                continue
            para_quotes.append((i, j + 1, i + 1, j, "single"))
            covered.append((i, j + 1))
        para_quotes.sort()
        for oi, ce, s, e, flag in para_quotes:
            s, e = _trim(text, s, e)
            if e <= s:
                continue
            # (a first letter answers most: every str.isalpha() character is a _HAS_LETTER_RE letter)
            if (oi > 0 and text[oi - 1] == "=") or not (text[s].isalpha() or _HAS_LETTER_RE.search(text, s, e)):
                continue      # an HTML attribute value or a bare number, not a quotation
            found.append({"open_start": oi, "close_end": ce, "start": s, "end": e, "para": pi,
                          "para_start": ps, "para_end": pe, "flags": flag if flag != "single" else "",
                          "single": flag == "single",
                          "continues": flag == "" and ce == pe and text[ce - 1] not in "\"”»“'’"})
    return found


# ---------------------------------------------------------------------------------------------
# One document
# ---------------------------------------------------------------------------------------------

class _Document:
    """Per-document state for the sieve: text, paragraphs, sentences, quotes found so far."""

    def __init__(self, text):
        self.text = text
        self.paragraphs = _paragraph_spans(text)
        self.sentences = _sentence_spans(text, self.paragraphs)
        self._sent_starts = [s for s, _e in self.sentences]
        self._para_starts = [s for s, _e in self.paragraphs]
        self.quotes = []
        self.subjects = {}      # (verb_start, floor) -> sp.subject_before(text, verb_start, floor)
        self.forms = sp.cue_forms()      # (read once: the clause functions need it for every cue)

    def sent_index(self, pos):
        i = bisect_right(self._sent_starts, pos) - 1
        return i if i > 0 else 0

    def para_index(self, pos):
        i = bisect_right(self._para_starts, pos) - 1
        return i if i > 0 else 0

    def sentence_end(self, pos, quotes_sorted_starts=None):
        i = self.sent_index(pos)
        return self.sentences[i][1] if self.sentences else len(self.text)

    # helpers used by the sieve ------------------------------------------------------------
    def quote_ends_sentence(self, q):
        """True when the quote closes its sentence ("... fast.”" or "...,” he said")."""
        if q["content_end_char"] in ".!?…" or q["flags"]:
            return True
        after = self.text[q["close_end"]:q["close_end"] + 3].lstrip(" \t")
        return after == "" or after[0] in ".!?\r\n" or after[0] in ",;—–"

    def leading_from_previous_paragraph(self, q):
        pi = q["para"]
        if pi == 0:
            return None
        ps, pe = self.paragraphs[pi - 1]
        fake = dict(q, open_start=pe + 1 if pe < q["open_start"] else q["open_start"],
                    sent_start=self.sentences[self.sent_index(pe - 1)][0] if self.sentences else ps,
                    para_start=ps, prev_para_colon=False)
        fake["open_start"] = pe
        return sp.rule_leading(self, fake)

    def previous_attributed(self, q):
        """The attributed quote this cue-less quote continues, if any."""
        k = q["idx"] - 1
        if k < 0:
            return None
        prev = self.quotes[k]
        if prev.get("attribution") is None or prev.get("type") == "term":
            return None
        same_para = prev["para"] == q["para"]
        if same_para:
            return prev
        if prev["para"] == q["para"] - 1 and q["starts_para"]:
            return prev
        return None

    def dialogue_turn(self, q):
        """In a dialogue (adjacent quote paragraphs by two speakers), the speaker before last."""
        if not q["starts_para"] or q["idx"] < 2:
            return None
        prev = self.quotes[q["idx"] - 1]
        if prev["para"] != q["para"] - 1 or prev.get("continues"):
            return None
        # the last quote of the paragraph before that
        k = q["idx"] - 2
        while k >= 0 and self.quotes[k]["para"] == prev["para"]:
            k -= 1
        if k < 0:
            return None
        before = self.quotes[k]
        if before["para"] != prev["para"] - 1:
            return None
        pa, ba = prev.get("attribution"), before.get("attribution")
        if not pa or not ba or prev.get("speaker_name") is None or before.get("speaker_name") is None:
            return None
        if prev["speaker_name"] == before["speaker_name"]:
            return None
        return before


def _subject_before(doc, verb_start, floor):
    """``sp.subject_before(doc.text, verb_start, floor)``, remembered for the document: a participle
    or coordinated cue looks again for the subject of a cue earlier in its sentence."""
    key = (verb_start, floor)
    subjects = doc.subjects
    if key in subjects:
        return subjects[key]
    found = subjects[key] = sp.subject_before(doc.text, verb_start, floor)
    return found


def _last_word_start(text, end):
    """Start of the last whitespace-separated word of ``text[:end]``, i.e.
    ``end - len(text[:end].split()[-1])`` without splitting the whole prefix (IndexError when
    there is no word, as the split would raise)."""
    word_end = min(end, len(text))
    while word_end > 0 and text[word_end - 1].isspace():
        word_end -= 1
    if word_end == 0:
        raise IndexError("list index out of range")
    start = word_end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return end - (word_end - start)


def _words(text, s, e):
    """Number of words in ``text[s:e]``, counted up to 10 (callers compare it with numbers below 10)."""
    return len(text[s:e].split(None, 9))


_COORDINATED_CUE_RE = re.compile(r",?\s+(?:but|and)\s+(?:\w+ly\s+|also\s+|then\s+|later\s+|has\s+|have\s+|had\s+)*(?="
                                 r"(?:said|says|added|told|noted|argued|claimed|insisted|warned|denied|"
                                 r"admitted|explained|wrote|asked|stressed|suggested)\b)")
_NOT_CLAUSE_START = frozenset("""out up off down away back over about into after before during under
upon through across along around against toward towards like than more less too very also only just
himself herself themselves itself yourself myself ourselves goodbye hello yes not behind beyond within without
among amid amidst despite until since near via per""".split())
_NOUN_CUE_RE = re.compile(r"(?:[’']s|\b(?:the|a|an|his|her|their|its|our|this|whose|new|latest))\s+$", re.I)
def _negated(prev):
    """"not"/"never"/"-n't" among the last words before a cue, with only plain words between
    ("did not say", "never publicly said"; not "not good enough,'' said")."""
    for w in reversed(prev):
        if w in ("not", "never") or w.endswith(("n't", "n’t")):
            return True
        if not w.isalnum():
            return False
    return False


_NOUN_CUE_WORDS = frozenset("the a an his her their its our this whose new latest".split())
_PASSIVE_WORDS = frozenset("is are was were be been being get gets got".split())
_ADJECTIVE_CUE_RE = re.compile(r"\b(?:the|a|an|this|these|those)\s+$", re.I)


_CLAUSE_WITHOUT_THAT = frozenset("""think believe know feel hope expect show find reveal indicate suggest""".split())
_EVIDENCE_LEMMAS = frozenset("show find reveal indicate".split())     # report findings, never speak a quotation
_FINITE_WORDS = frozenset("""is are was were has have had will would can could should may might must do does did
isn't aren't wasn't weren't won't can't don't doesn't didn't ’s 's""".split())


def _looks_like_clause(toks, i):
    """A finite verb within the first words after position ``i`` ("think the tax will fail",
    "polls show Smith leads"): a clause, not a noun phrase ("knows the area"). ``toks`` is a
    :class:`_TokenWindow`."""
    clause_punct = sp._CLAUSE_PUNCT
    for k in range(i, i + 10):
        tok = toks[k]
        if tok is None:
            break
        t = tok[2]
        if t in clause_punct or t == ",":
            return False
        tl = t.lower()
        if tl in _FINITE_WORDS or tl.endswith(("n't", "n’t")) or (k > i and t.islower() and len(t) > 4
                                                                  and tl.endswith("ed")):
            return True
    return False


def stance_needs_that(lemma):
    """Belief and emotive verbs report speech only with an explicit "that" ("hopes that ...")."""
    stance = _LEMMA_STANCE().get(lemma)
    return stance in ("belief", "emotive") or lemma in _THAT_ONLY_LEMMAS


_THAT_ONLY_LEMMAS = frozenset("""show find reveal indicate expect hope want praise thank blame criticize condemn mock
slam blast decline agree offer plan refuse""".split())


@lru_cache(maxsize=None)
def _LEMMA_STANCE():
    return {lemma: stance for lemma, stance in sp.cue_forms().values()}


_CLAUSE_INTRO = frozenset("""in on at during after before to with from via late last this earlier early yesterday
today tonight again also repeatedly publicly privately first then later once recently""".split()) | sp._TIME_WORDS
_CLAUSE_SUBJECT_WORDS = frozenset("""he she they we i it you there had has have was were is are would will could can
should may might must did does""".split())
_OBJECT_TAKING = frozenset("""tell inform assure remind warn advise brief convince persuade promise show teach ask
urge caution notify alert reassure""".split())
_NUMBER_LEAD_RE = re.compile(r"(?:about|around|over|under|only|nearly|almost|roughly|some|up to|more than|less than|"
                             r"fewer than|at least|at most)\s+(?:\$|€|£)?\d", re.I)


def _that_position(toks, lemma, forms):
    """Index of the token opening the reported clause when a complementizer follows the cue after
    a short adjunct ("said in a statement on Monday that ..."); None when there is none. ``toks``
    is a :class:`_TokenWindow`, ``forms`` is ``sp.cue_forms()``."""
    asks = lemma in ("ask", "wonder")
    clause_punct = sp._CLAUSE_PUNCT
    for k in range(16):
        tok = toks[k]
        if tok is None:
            break
        t = tok[2]
        tl = t.lower()
        if tl == "that" or tl == "whether" or (asks and tl in _QUESTION_WORDS):
            first = toks[0][2]
            if k > 0 and first.lower() not in _CLAUSE_INTRO and first != "," \
                    and not first.endswith("ly") and lemma not in _OBJECT_TAKING:
                return None
            return k + 1 if tl == "that" else k
        if tl in _CLAUSE_SUBJECT_WORDS or (tl in forms and not tl.endswith("ing")):
            return None
        if t == "." and k > 0 and len(toks[k - 1][2]) == 1:
            continue      # "a.m.", "p.m."
        if t in clause_punct:      # (quotation marks are clause punctuation too)
            return None
    return None


class _TokenWindow:
    """``tokens_between(text, start, end)`` read lazily: ``window[k]`` is token k or None past the
    end. Most decisions about the words after a cue need only the first few, so the window is
    tokenized a stretch at a time, each stretch ending at a space (a token never spans a space,
    so the stretches give exactly the tokens of the whole window)."""

    __slots__ = ("text", "pos", "end", "tokens")
    STRETCH = 24      # (most cues need 3 tokens or fewer; 24 measured fastest of 16-40)

    def __init__(self, text, start, end):
        self.text, self.pos, self.end, self.tokens = text, start, end, []

    def __getitem__(self, k):
        tokens = self.tokens
        if k < len(tokens):
            return tokens[k]
        while k >= len(tokens) and self.pos < self.end:
            stop = self.end
            if stop - self.pos > self.STRETCH:
                space = self.text.rfind(" ", self.pos + 1, self.pos + self.STRETCH)
                if space > self.pos:
                    stop = space
            tokens.extend(sp.tokens_between(self.text, self.pos, stop))
            self.pos = stop
        return tokens[k] if k < len(tokens) else None


_QUESTION_WORDS = frozenset(("if", "why", "how", "what", "when"))


# verbs that never take a gerund object: "said defeating ISIS is the priority" is a clause
_NO_GERUND_OBJECT = frozenset("say add write argue note insist claim explain stress contend assert".split())


_CONTRACTION_RE = re.compile(r"[’'](?:ll|s|re|ve|d|m)$")


def _clause_after_cue(doc, cue_end, limit, lemma):
    """Start of the reported clause after a cue ("said (that) ...", "told reporters ...")."""
    text = doc.text
    toks = _TokenWindow(text, cue_end, min(limit, cue_end + 110))
    if toks[0] is None:
        return None
    i = _that_position(toks, lemma, doc.forms)
    after_that = i is not None and i > 0 and toks[i - 1][2].lower() == "that"
    if i is None:
        i = 0
        t0 = toks[0][2].lower()
        if lemma == "tell":
            # told reporters / told CNN: skip a short object
            j = 0
            while j < 4 and toks[j] is not None and toks[j][2] not in sp._CLAUSE_PUNCT and toks[j][2] != "," and \
                    (j == 0 or _CONTRACTION_RE.sub("", toks[j][2].lower()) not in sp.PRONOUN_GENDER):   # he’ll
                if toks[j][2].lower() in sp.PRONOUN_GENDER and j == 0:
                    j += 1
                    break
                j += 1
                if toks[j - 1][2].lower() in ("reporters", "me", "him", "her", "us", "them", "journalists", "lawmakers"):
                    break
            i = j
        elif t0 in sp._TIME_WORDS:
            i = 1
        elif t0 in ("on", "last", "this", "late", "early") and toks[1] is not None and toks[1][2].lower() in sp._TIME_WORDS:
            i = 2
        if (token := toks[i]) is not None and token[2] == ",":
            i += 1
    elif after_that and (token := toks[i]) is not None and token[2] == ",":
        i += 1        # "said that, at the request of ..., it has ..."
    token = toks[i]
    if token is None:
        return None
    start, _end, first = token
    fl = first.lower()
    if first in "\"“„«‘'":
        return start
    if after_that:
        return None if first in sp._CLAUSE_PUNCT else start
    if stance_needs_that(lemma) and not (lemma in _CLAUSE_WITHOUT_THAT and _looks_like_clause(toks, i)):
        return None
    numeric = _NUMBER_LEAD_RE.match(text, start) is not None
    if first.islower() and fl.endswith("ing") and fl not in ("during",) and \
            not (lemma in _NO_GERUND_OBJECT and i == 0 and _looks_like_clause(toks, i + 1)
                 and (fl not in ("nothing", "something", "anything", "everything")
                      or ((following := toks[i + 1]) is not None and following[2].lower() in _FINITE_WORDS))):
        return None       # "denied sending troops": a gerund object, not a clause
    if fl in _NOT_CLAUSE_START and not numeric:
        return None
    if first in sp._CLAUSE_PUNCT or first == "," or (fl in ("to", "by", "for", "of", "in", "on", "at", "with",
                                                            "and", "but", "or", "so", "as", "from", "about", "it.")
                                                      and not numeric):
        return None
    if fl in ("it", "this", "so") and (following := toks[i + 1]) is not None and \
            (following[2] in (".", ",") or following[2].lower() in _PREPOSITIONS):
        return None       # "said it in an interview": an object, not a clause
    return start


_TWO_INITIALS_END_RE = re.compile(r"(?:[A-Z]\.){2}$")
_CLOSING_MARKS = frozenset("\"”’»")


def _clause_end(doc, start, para_end, quote_spans):
    """End of the reported clause: the sentence end, skipping sentence marks inside quotes."""
    text = doc.text
    pos = start
    starts = doc.quote_starts
    while True:
        m = _SENT_END_RE.search(text, pos, para_end)
        if m is None:
            return _trim(text, start, para_end)[1]
        e = m.start()
        k = bisect_right(starts, e) - 1
        open_, close = quote_spans[k] if k >= 0 else (-1, -1)      # the last quote opening at or before e
        if open_ <= e < close:      # a sentence mark inside that quote
            if m.end() >= close - 1:
                return close      # the sentence ends with the quote: “... true.”
            pos = close
            if pos >= para_end:
                return _trim(text, start, para_end)[1]
            continue
        if text[e] == "." and _abbreviation_ends_at(text, e, start):      # (only a full stop ends one)
            nxt = text[m.end():m.end() + 12].split(None, 1)
            if not (_TWO_INITIALS_END_RE.search(text[max(start, e - 6):e + 1]) and nxt
                    and nxt[0] in _SENTENCE_STARTERS):
                pos = m.end()
                continue
        end = e
        # keep a closing quote mark that belongs to the clause (the quote closed just before e)
        if not _CLOSING_MARKS.isdisjoint(text[e:m.end()]) and open_ < e < close + 1:
            end = m.end()
        return end


def _semicolon_cut(text, s, e):
    return e


_PASSIVE_RE = re.compile(r"\b(?:is|are|was|were|be|been|being|get|gets|got)\s+(?:\w+ly\s+)?$", re.I)
_BASE_FORM_SUBJECTS = frozenset("""i we you they to would will could can should may might must do did does not n't
never also often still police people staff""".split())
_VERB_START_WORDS = frozenset("""is are was were has have had will would can could should may might must did does
made took gave met sent went came got held put set led ran won lost began spoke wrote told said kept left brought
sought fought thought felt became""".split())
_OBJECT_LEMMAS = frozenset("""call dub label brand term portray characterize liken describe tout decry chant praise
blame criticize condemn denounce mock slam blast thank cite dismiss reject announce declare accuse urge pledge
promise vow recommend propose demand challenge question rebuke ridicule scold lash celebrate cheer welcome laud hail
lambaste defend deny speak ask endorse oppose applaud discuss""".split())
# commitment verbs whose to-infinitive is the attributed content ("vowed to ban ...", "declined to
# comment"): only with include_stances, like plain noun-phrase objects
_INFINITIVE_LEMMAS = frozenset("vow promise pledge propose decline agree offer plan hope refuse seek".split())
# object cues whose plain noun-phrase object is itself the attributed content ("endorsed Sanders",
# "criticized the ruling", "called for a recount"): stances toward a thing, which annotated news
# corpora mark as attributions; "support", "attack", "question" are left out (mostly not stances)
_NP_OBJECT_LEMMAS = frozenset("""endorse oppose criticize praise reject defend tout blast slam condemn mock dismiss
blame deny acknowledge announce discuss cite urge applaud predict call denounce laud lambaste decry ridicule
rebuke hail""".split())
_NP_OBJECT_BAD_START = frozenset("""to by in on at as for of from with about into over under
after before during against than and or but that this it itself himself herself themselves so not""".split())
_COORD_TAIL_RE = re.compile(r"(?:^|[\s,])(?:and|but)\s+(?:(?:also|then|later|still|has|have|had|would|will|\w+ly)\s+)*$")


_RELATIVE_BEFORE_RE = re.compile(r",\s*who\s+(?:(?:also|then|later|has|have|had|\w+ly)\s+)*$")
_RELATIVE_TAIL_RE = re.compile(r"\s*(?:,|\s[—–-])\s*who\s+(?:(?:also|then|later|has|have|had|\w+ly)\s+)*$")
# (", and for raising taxes": a coordinated prepositional object continues the object)
_OBJECT_TAIL_RE = re.compile(r",(?!\s+and\s+(?:for|to|of|on|in|with|about|against)\s)|"
                             r"(?<!,)\s(?:and|but|while|as|even|because|although|though|which|who)\s(?!(?:other|more)\s)"
                             r"|\s[—–-]\s|\s\(")
_NOT_LABEL_WORDS = frozenset("Update Note Correction Editor Watch Read Related Photo Video Q A".split())
_HEADLINE_NAME_RE = re.compile(r"^(?:[A-Z][\w’'.\-]*\s+){0,2}[A-Z][\w’'.\-]*$")


# "... he tweeted about ... Donald Trump: “…”", "HEADLINE - Jane Roe and John Doe: “…”": a name set off by an
# ellipsis or a dash right before the colon of a quotation that closes the paragraph
_COLON_NAME_SEGMENT_RE = re.compile(r"(?:\.\.\.|…|\s[-–—])\s+((?:[A-Z][a-z][\w’'.\-]*\s+){1,2}[A-Z][a-z][\w’'\-]*"
                                    r"(?:\s+and\s+(?:[A-Z][a-z][\w’'.\-]*\s+){1,2}[A-Z][a-z][\w’'\-]*)?)\s*$")
_HEADLINE_COLON_RE = re.compile(r"[ \t]*((?:[A-Z][\w.’'\-]*[ \t]+){0,3}[A-Z][\w.’'\-]*):[ \t]+(?=[\w‘“'\"])")
_HEADLINE_NOT_NAME = frozenset("""A An The Of On In At To For Over And Or Is Are Was Just New Big Top Why How What
Who When Where Watch Breaking Update Updated Exclusive Correction Editorial Opinion Analysis Review Live Video
Photos Report Latest Poll Q""".split())


_POSSESSIVE_END_RE = re.compile(r"(?:[’']s)?\.?$")


def _word_occurs(text, word, lo, hi):
    r"""True when ``word`` occurs in ``text[lo:hi]`` as a whole word: what
    ``re.search(r"(?<![\w’'\-])" + re.escape(word) + r"(?![\w\-])", text[lo:hi])`` finds (the slice
    ends count as boundaries), without compiling a pattern for every name."""
    i = text.find(word, lo, hi)
    while i >= 0:
        j = i + len(word)
        if (i == lo or not (text[i - 1].isalnum() or text[i - 1] in "_’'-")) and \
                (j == hi or not (text[j].isalnum() or text[j] in "_-")):
            return True
        i = text.find(word, i + 1, hi)
    return False


def _headline_colon(doc):
    """A first-paragraph headline "Name: statement" with no quotation marks ("Lynch: No outside
    influence on FBI probe"): the statement is an indirect quote of the named speaker, when the
    name comes back in the article body (labels such as "Breaking:" or "Revealed:" do not)."""
    if not doc.paragraphs:
        return None
    ps, pe = doc.paragraphs[0]
    text = doc.text
    m = _HEADLINE_COLON_RE.match(text, ps, pe)
    if m is None or "\n" in text[ps:pe] or _DOUBLE_RE.search(text, ps, pe) or pe - m.end() < 12:
        return None
    words = m.group(1).split()
    if any(w.rstrip(".") in _HEADLINE_NOT_NAME or w.endswith(("ed", "ing")) for w in words):
        return None
    last = _POSSESSIVE_END_RE.sub("", words[-1])      # "Sanders", "Trump’s" -> "Trump"
    if len(last) < 3 or not _word_occurs(text, last, pe, min(len(text), pe + 3000)):
        return None
    cstart, cend = _trim(text, m.end(), pe)
    if text[cend - 1:cend] == ".":
        cend -= 1
    if _words(text, cstart, cend) < 3:
        return None
    a = sp._attribution("headline_colon", 0.6, (m.end(1), m.end(1) + 1), (m.start(1), m.end(1)))
    return {"start": cstart, "end": cend, "attribution": a}


_HEADLINE_NOT_SUBJECT = frozenset("""After Before When While Why How What Where Who Here There This That These Those
Watch Immediately Just Wow Breaking Exclusive If As Once Now Then""".split())


_TRANSCRIPT_LABEL_RE = re.compile(r"([A-Z][A-Z.’'\-]+(?:[ \t]+[A-Z][A-Z.’'\-]+){0,2}):[ \t]+(?=\S)")
_NOT_SPEAKER_LABELS = frozenset("""UPDATE UPDATED NOTE EDITOR’S EDITOR'S CORRECTION WATCH VIDEO PHOTOS PHOTO READ MORE
RELATED SOURCE SOURCES BREAKING EXCLUSIVE ANALYSIS OPINION WASHINGTON LONDON PARIS MOSCOW BEIJING TRANSCRIPT
Q A QUESTION ANSWER""".split())


def _transcript_turns(doc):
    """Interview transcripts "TAPPER: Do you think ...?" / "FALLIN: I think ...": paragraphs opened
    by an upper-case speaker label are indirect quotes of that label, when the article has at least
    two such turns (rule transcript)."""
    text = doc.text
    turns = []
    for ps, pe in doc.paragraphs:
        if not ("A" <= text[ps] <= "Z"):
            continue
        m = _TRANSCRIPT_LABEL_RE.match(text, ps, pe)
        if m is None or not _NOT_SPEAKER_LABELS.isdisjoint(m.group(1).split()) or len(m.group(1)) < 3:
            continue
        cstart, cend = _trim(text, m.end(), pe)
        if _words(text, cstart, cend) >= 3 and not _DOUBLE_RE.search(text, cstart, cend):
            a = sp._attribution("transcript", 0.7, (m.end(1), m.end(1) + 1), (m.start(1), m.end(1)))
            turns.append({"start": cstart, "end": cend, "attribution": a})
    return turns if len(turns) >= 2 else []


_HEADLINE_SUBJECT_STOP = frozenset("Who Which That To After Before Of For With In On At By And Or But If When As".split())


def _capitalized_words(words):
    """True when every word opens with a capital and none ends with a colon or a comma."""
    for x in words:
        if not x[:1].isupper() or x.endswith((":", ",")):
            return False
    return True


_TITLE_START_RE = re.compile(r"[^\s]+[ \t]+[A-Z‘“'\"]")      # a second word in capitals: maybe a headline


def _headline_verbs(doc):
    """Title-case headline lines "Trump Says He Never Pledged ..." / "New Poll Shows ...": the
    words after a capitalised reporting verb are an indirect quote of the capitalised words before
    it (rule headline_verb)."""
    text = doc.text
    forms = sp.cue_forms()
    out = []
    for ps, pe in doc.paragraphs:
        if pe - ps > 200 or not _TITLE_START_RE.match(text, ps, pe) or text.find("\n", ps, pe) >= 0:
            continue
        words = text[ps:pe].split()
        if not 3 <= len(words) <= 22:
            continue
        n_alpha = n_upper = 0      # words opening with a letter, with a capital
        for w in words:
            if w[0].isalpha():
                n_alpha += 1
                n_upper += w[0].isupper()
        if n_upper < 0.7 * n_alpha:
            continue
        for k, w in enumerate(words[1:7], 1):
            low = w.lower()
            if not w[:1].isupper() or low not in forms or forms[low][0] == low or low.endswith("ing"):
                continue
            subject = words[:k]
            while len(subject) > 1 and subject[-1] in ("Just", "Also", "Now", "Again", "Finally"):
                subject = subject[:-1]      # "Kasich Just Revealed"
            if subject[0] in _HEADLINE_NOT_SUBJECT or subject[0][:1].isdigit() or \
                    not _HEADLINE_SUBJECT_STOP.isdisjoint(subject) or (k + 1 < len(words) and words[k + 1] in
                                                                      ("Of", "By", "About", "As", "For")) or \
                    not _capitalized_words(subject):
                break       # "Woman Who Accused ...", "Obama To Asians Worried About ...", "Accused Of"
            cs = text.index(w, ps + sum(map(len, words[:k])))
            cstart, cend = _trim(text, cs + len(w), pe)
            if text[cend - 1:cend] == ".":
                cend -= 1
            if _words(text, cstart, cend) >= 3:
                pos = ps
                for x in subject:
                    pos = text.index(x, pos) + len(x)
                s0, e0 = _trim(text, ps, pos)
                a = sp._attribution("headline_verb", 0.6, (cs, cs + len(w)), (s0, e0))
                out.append({"start": cstart, "end": cend, "attribution": a})
            break
    return out


def _rule_colon(doc, q):
    """“…” introduced by a colon with no reporting verb ("... campaign message: “It's about me.”",
    headline "Okafor: ‘We will not back down’"): the speaker is the subject before the colon."""
    if q["starts_para"]:
        return None
    text = doc.text
    o = q["open_start"]
    lo = max(q["sent_start"], q["para_start"])
    colon = o - 1      # the last character before the quote that is not white space (no copy of the sentence)
    while colon >= lo and text[colon].isspace():
        colon -= 1
    if colon < lo or text[colon] != ":":
        return None
    prefix = text[lo:colon].strip()
    if _HEADLINE_NAME_RE.match(prefix) and prefix not in _NOT_LABEL_WORDS and (
            lo == q["para_start"] or text[q["para_start"]:lo].rstrip()[-1:] in ".!?\"”'’"):
        # (also a label after a quote: "Clinton: “…” Bush: “…”")
        s0, e0 = _trim(text, lo, colon)
        return sp._attribution("colon", 0.6, (colon, colon + 1), (s0, e0))
    base = max(q["para_start"], lo - 4, colon - 80)
    seg = _COLON_NAME_SEGMENT_RE.search(text[base:colon])
    if seg and (q["close_end"] >= q["para_end"] - 2 or doc.quote_ends_sentence(q)) \
            and not doc.inside_quote(base + seg.start(1)):
        return sp._attribution("colon", 0.55, (colon, colon + 1), (base + seg.start(1), base + seg.end(1)))
    if not doc.quote_ends_sentence(q):
        return None
    subj = _sentence_subject(doc, lo, colon)
    if subj is None:
        return None
    return sp._attribution("colon", 0.6, (colon, colon + 1), subj[:2], subj[2])


# "X said in a statement on Friday." / "X told reporters." closing the sentence before a quotation
_CUE_TAIL_ONLY_RE = re.compile(r"(?:[ \t]+(?:in|on|at|during|via|through|after|before|late|early|last|this|earlier|"
                               r"later|yesterday|today|tonight|to)\b[^,.;:!?\"“”]{0,50}?)?[ \t]*\.[ \t]*$")


def _rule_previous_sentence(doc, q):
    """“X said in a statement. “…”": a quotation opening a sentence right after a sentence that
    ends with a reporting verb and no reported clause belongs to that verb's subject."""
    if q["starts_para"] or not q["starts_sent"] or q["idx"] and doc.quotes[q["idx"] - 1]["para"] == q["para"]:
        return None
    text = doc.text
    si = doc.sent_index(q["open_start"])
    if si == 0 or not doc.sentences:
        return None
    ps, pe = doc.sentences[si - 1]
    ps = max(ps, q["para_start"])
    if pe > q["open_start"] or ps >= pe:
        return None
    last = None
    for m in _cue_matches(text[ps:pe]):
        last = m
    if last is None:
        return None
    cs, ce = ps + last.start(), ps + last.end()
    lemma = sp.cue_forms().get(last.group(), ("",))[0]
    if lemma in _EVIDENCE_LEMMAS or last.group() == lemma or last.group().endswith("ing") or \
            not _CUE_TAIL_ONLY_RE.match(text, ce, pe):
        return None
    subj = sp.subject_before(text, cs, ps)
    if subj is None:
        return None
    return sp._attribution("previous_sentence", 0.7, (cs, ce), subj[:2], subj[2])


_TRAILING_AFTER_RE = re.compile(r"(?:(?:on|in|at|during|late|early|last|this|earlier|later|yesterday|today|tonight|"
                                r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                                r"to|via|through|after|before|while|when|as)\b[^,.;:!?]{0,50})?"
                                r"(?:[.!?]?$|,\s+[a-z]+ing\b)")
_WHO_APPOSITIVE_RE = re.compile(r",\s*who\s+[^,;:]{1,90},\s*$")
_SUBORDINATE_START_RE = re.compile(r"(?:Since|When|After|Although|Though|While|As|If|Because|Before|Until|Once|"
                                   r"Even though|Even as)\s")


_NAMING_LEMMAS = frozenset("call dub label brand title name".split())


_CLAUSE_OPENERS = frozenset("""that because if when while since although though whether once unless as he she
they we i it there you""".split())


def _clause_before_quote(doc, q, a):
    """X said because Obama is popular, “he's a good surrogate”: a clause between the cue and the
    quote makes the sentence a mixed quote, not a lead-in."""
    toks = sp.tokens_between(doc.text, a["cue_end"], q["open_start"])
    return len(toks) >= 4 and toks[-1][2] == "," and toks[0][2].lower() in _CLAUSE_OPENERS


def _names_a_thing(doc, q, a):
    """“a show called “Brokers”": a naming participle right before the quote introduces a name,
    not speech."""
    return _naming_participle(doc.text, a["cue_start"], a["cue_end"], q["open_start"], q["para_start"])


def _naming_participle(text, cs, ce, open_start, floor):
    lemma = sp.cue_forms().get(text[cs:ce], (None,))[0]
    if lemma not in _NAMING_LEMMAS or text[ce:open_start].strip() != "":
        return False
    before = sp.tokens_between(text, max(floor, cs - 60), cs)[-4:]
    words = [t[2].lower() for t in before]
    return not (words and (words[-1] in sp.PRONOUN_GENDER or words[-1] in ("i", "we", "it", "you")
                           or words[-1] in sp._AUX)) and not any(w in ("which", "what", "whom", "who") for w in words)


_TITLE_THEN_NOUN_RE = re.compile(r"[ \t]+[a-z][a-z\-]+\b(?![ \t]*[,.;:])")
def _title_then_noun(text, pos):
    """“Jane the Virgin” star ...: a lower-case noun (not a reporting verb) right after the quote."""
    m = _TITLE_THEN_NOUN_RE.match(text, pos)
    return m is not None and m.group().strip() not in sp.cue_forms() and m.group().strip() not in _NOT_TITLE_FOLLOWERS


_NOT_TITLE_FOLLOWERS = frozenset("""and or but is was are were has have had will would can could should may might
must do does did not he she they we it i you who which that as when while if because""".split())
_TITLE_BEFORE_RE = re.compile(r"(?:\b(?:on|in|at|to|with|of|from|by|for|about)|[’']s)\s+$")


def _trailing_cue_ends_clause(doc, q, a):
    """“… death.” Bernie Sanders called Trump a liar: after a quote that ends its sentence, a
    following subject + verb starts a new sentence unless the verb ends the sentence too."""
    if _ADJECTIVE_CUE_RE.search(doc.text, max(0, a["cue_start"] - 12), a["cue_start"]):
        return False      # “liar,” a charge he denied
    if a["rule"] != "trailing":
        return True
    if q["content_end_char"] not in ".!?" and not _TITLE_BEFORE_RE.search(doc.text, max(0, q["open_start"] - 20),
                                                                            q["open_start"]):
        return True
    toks = sp.tokens_between(doc.text, a["cue_end"], min(q["para_end"], a["cue_end"] + 90))
    if not toks:
        return True
    k = 1 if _LY_ADVERB_RE.fullmatch(toks[0][2]) else 0     # “…!” X wrote sarcastically on Twitter
    if k == len(toks) or toks[k][2] in (".", ",", ";", "!", "?") or toks[k][2].lower() in sp._TIME_WORDS \
            or toks[k][2].lower() in _TRAILING_TAIL_STARTS:
        return True
    lemma = sp.cue_forms().get(doc.text[a["cue_start"]:a["cue_end"]], ("",))[0]
    return lemma in _ADDRESSEE_LEMMAS and _short_object_tail(toks[k:])


_LY_ADVERB_RE = re.compile(r"[a-z][a-z\-]{2,}ly")
# words that may follow a trailing cue without starting a new clause: prepositions of place/time/manner
# (“…” Lopez said about the plan) and subordinators (“…?” Lopez asks as the doors open)
_TRAILING_TAIL_STARTS = frozenset("""on in at during last this to after before of with about from outside inside into
near for through via over amid following as while when because since until once""".split())
_SUBORDINATORS = frozenset("as while when because after before since until once".split())
_ADDRESSEE_LEMMAS = frozenset("tell ask assure remind inform".split())
_OBJECT_TAIL_STOP = frozenset("""that he she they we i it you who which what whether if there this these those""".split())


def _short_object_tail(toks):
    """“…” Lopez told reporters in Boston. / “…?” Todd asked the candidate.: a short addressee phrase
    ending the sentence, not a new clause ("Lopez told reporters the plan would fail")."""
    forms = sp.cue_forms()
    for n, (_s, _e, t) in enumerate(toks[:18]):
        if t in (".", "!", "?", ",", ";") or t in _SUBORDINATORS:
            return n > 0
        tl = t.lower()
        if tl in ("’s", "'s"):
            continue      # possessive: told Britain’s ITV
        if tl in _OBJECT_TAIL_STOP or tl in sp._AUX or t in ("“", "\"", "‘", ":", "—") or \
                (t in forms and forms[t][0] != t     # a base form here is a noun ("conference call")
                 and not (n and toks[n - 1][2].lower() in _NOUN_DETERMINERS)):
            return False
    return False


_PLAIN_DOUBLE_RE = re.compile("[\"“”„«»]")


def _mixed_sentence_start(doc, q, quote_spans, quote_starts):
    """Start of a mixed quote when a trailing-attributed quote closes a sentence that began before
    it ("The bill's failure was “heartbreaking,” she said." -> the whole sentence), else None."""
    text = doc.text
    lo = max(q["sent_start"], q["para_start"])
    k = bisect_right(quote_starts, lo) - 1
    if k >= 0 and quote_spans[k][0] < lo < quote_spans[k][1]:
        return None
    if _PLAIN_DOUBLE_RE.search(text, lo, q["open_start"]) or _words(text, lo, q["open_start"]) < 2:
        return None
    forms = sp.cue_forms()
    for s, _e, t in sp.tokens_between(text, lo, q["open_start"]):
        if t == "according" or (t in forms and (forms[t][0] != t or t.endswith("ing"))
                                and sp.subject_before(text, s, lo) is not None):
            return None
    return _trim(text, lo, q["open_start"])[0]




def _trie_pattern(words):
    """A regex alternation of ``words`` factored by common prefixes (a trie), which the regex
    engine matches far faster than a flat list of 800 alternatives."""
    trie = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    # (a set of single letters is written as a class, and no group is doubled: the regex compiles
    # to the same code as the plain alternation, and parses about 20% faster)
    def build(node):
        keys = sorted([k for k in node if k])
        if not keys:
            return ""
        subs = [build(node[ch]) for ch in keys]
        optional = "?" if "" in node else ""
        if len(keys) > 1 and not any(subs):
            return "[" + "".join([re.escape(ch) for ch in keys]) + "]" + optional
        alts = [re.escape(ch) + sub for ch, sub in zip(keys, subs)]
        if len(alts) > 1:
            return "(?:" + "|".join(alts) + ")" + optional
        body = alts[0]
        return body if not optional else body + "?" if len(body) == 1 else "(?:" + body + ")?"
    return build(trie)


@lru_cache(maxsize=None)
def _cue_re():
    forms = [f for f in sp.cue_forms() if " " not in f]
    return re.compile(r"(?<![\w’'\-])(?:[Aa]ccording to|" + _trie_pattern(forms) + r")(?![\w’'\-])")


def _cue_matches(text, quote_spans=()):
    """Matches of reporting-verb forms and "according to" (same as ``speakers.cue_regex()``, with
    the forms compiled as a prefix trie), skipping the inside of quotations. ``quote_spans`` are
    ``(open, close)`` pairs sorted by ``open``; a position lies inside the last quotation opening
    at or before it when ``open < position < close``. A cue holds only letters and spaces, so no
    match can run into a quotation mark; each stretch scanned takes in the next opening mark, so
    the end-of-word test sees it."""
    finditer = _cue_re().finditer
    opens = [o for o, _c in quote_spans] + [len(text)]
    if opens[0] > 0:
        yield from finditer(text, 0, opens[0] + 1)
    for k, (open_, close) in enumerate(quote_spans):
        start, stop = max(close, open_ + 1), opens[k + 1]
        if start < stop:
            yield from finditer(text, start, stop + 1)


def _base_form_ok(text, cs, ss):
    """A bare verb form ("say", "state", "report") is a cue only after a plural subject, a
    pronoun, "to" or a modal ("officials say", "they report", "refused to say")."""
    toks = sp.tokens_between(text, max(ss, cs - 40), cs)
    if not toks:
        return False
    t = toks[-1][2]
    tl = t.lower()
    return tl in _BASE_FORM_SUBJECTS or tl in _PLURAL_QUANTITY_WORDS or tl.isdigit() or \
        (t.islower() and tl.endswith("s") and not tl.endswith("ss")) or \
        (sp.is_capitalized(t) and len(toks) > 1 and toks[-2][2] not in sp._CLAUSE_PUNCT and toks[-2][2] != ",") or \
        (sp.is_capitalized(t) and tl.endswith("s") and not tl.endswith(("ss", "us", "is", "’s", "'s")))


# "Analysts say", "those surveyed say", "67 percent say", "one in five say": plural subjects
_PLURAL_QUANTITY_WORDS = frozenset("""surveyed polled questioned interviewed asked percent % majority half third thirds
quarter many most some others few both all two three four five six seven eight nine ten dozen dozens hundreds
thousands millions""".split())


def _sentence_subject(doc, ss, limit):
    """The subject of the sentence's first verb: the speaker of a coordinated or participle cue
    ("Officials welcomed the plan but said ...", "The agency rejected it, saying ..."). A leading
    adjunct ("While X considered ..., she ...", "In a letter released Monday, X ...") is skipped."""
    if _LEADING_ADJUNCT_RE.match(doc.text, ss):
        comma = doc.text.find(",", ss, limit)
        while comma != -1 and doc.inside_quote(comma):
            comma = doc.text.find(",", comma + 1, limit)
        if comma != -1:
            pronoun = _SUBJECT_PRONOUN_RE.match(doc.text, comma + 1)
            subj = (pronoun.start(1), pronoun.end(1), None) if pronoun else _first_verb_subject(doc, comma + 1, limit)
            if subj is None:
                # "..., Ruiz rips the deal, arguing": a verb in -s or -ed after the clause's subject
                toks = sp.tokens_between(doc.text, comma + 1, limit)[:8]
                for k, (s0, _e, t) in enumerate(toks):
                    if k and t.islower() and t.endswith(("s", "ed")) and len(t) > 3 \
                            and toks[k - 1][2].lower() not in _NOUN_DETERMINERS:
                        subj = sp.subject_before(doc.text, s0, comma + 1)
                        break
            if subj is not None:
                return subj
    return _first_verb_subject(doc, ss, limit)


_LEADING_ADJUNCT_RE = re.compile(r"(?:Since|When|After|Although|Though|While|As|If|Because|Before|Until|Once|"
                                 r"Even though|Even as|Despite|In|On|At|During|Amid|Unlike|Like|With|Without|"
                                 r"Under|Over|Following|Asked|Speaking|Earlier|Later)\s")


_SUBJECT_PRONOUN_RE = re.compile(r"\s*(he|she|they|we|I)\s+[a-z]")


def _first_verb_subject(doc, ss, limit):
    text = doc.text
    forms = doc.forms
    toks = sp.tokens_between(text, ss, limit)
    skip_to_comma = False
    inside_quote = getattr(doc, "inside_quote", None)
    for k, (s, _e, t) in enumerate(toks):
        if inside_quote is not None and inside_quote(s):
            continue      # verbs of a quotation are not the sentence's verbs
        if skip_to_comma:
            skip_to_comma = t != ","     # "X, who have sailed the bay since ..., agreed": skip the relative
            continue
        if t in ("who", "which") and k > 0 and toks[k - 1][2] == ",":
            skip_to_comma = True
            continue
        if not t.islower():
            continue
        if t in _VERB_START_WORDS or (t in forms and not t.endswith("ing") and forms[t][0] != t) or \
                (t.endswith("ed") and len(t) > 4):
            return _subject_before(doc, s, ss)
    return None


@lru_cache(maxsize=None)
def _coordinated_cue_re():
    forms = sorted((f for f, (lemma, _st) in sp.cue_forms().items() if f != lemma and " " not in f), key=len, reverse=True)
    return re.compile(r"(?:,[\"”’]?)?\s+(?:but|and|while|though|although)\s+(?:(?!that\b|to\b|the\b|a\b|an\b|his\b|her\b|their\b|its\b)"
                      r"[\w’'.\-]+\s+){0,4}?(?:also\s+|\w+ly\s+)?(?=(?:"
                      + _trie_pattern(forms) + r")\b)")


# Every match of _coordinated_cue_re() starts at the comma (and closing mark) or white space right
# before its conjunction, so the few conjunctions in a clause are found first and the full pattern is
# matched from the start of that run before each, in text order: the first success is the leftmost
# match a search would return, without trying the pattern at every position.
_CONJUNCTION_RE = re.compile(r"\s(?:but|and|while|though|although)(?=\s)")


def _coordinated_cue(text, cstart, cend):
    """``_coordinated_cue_re().search(text, cstart, cend)``."""
    pos = cstart
    while (c := _CONJUNCTION_RE.search(text, pos, cend)) is not None:     # (finditer, without its iterator)
        pos = c.end()
        p = c.start()
        while p > cstart and text[p - 1].isspace():
            p -= 1
        if p > cstart and text[p - 1] == ",":
            p -= 1
        elif p > cstart + 1 and text[p - 1] in "\"”’" and text[p - 2] == ",":
            p -= 2
        m = _coordinated_cue_re().match(text, p, cend)
        if m:
            return m
    return None


@lru_cache(maxsize=None)
def _participle_cut_re():
    return _PARTICIPLE_CUT_RE


@lru_cache(maxsize=None)
def _comma_cue_re():
    forms = [f for f, (lemma, _st) in sp.cue_forms().items() if f != lemma and " " not in f and not f.endswith("ing")]
    return re.compile(r",[\"”’]?\s+(?:" + _trie_pattern(forms) + r")\b")


def _cut_clause(doc, cstart, cend, inside_quote, *, min_words=3, relative=False):
    """Shorten a reported clause at the next reporting clause ("... and officials said"), a
    participle ("..., claiming ..."), a spaced dash, or (inside "X, who said ..., ") the comma."""
    text = doc.text
    cuts = []
    m = _coordinated_cue(text, cstart, cend)
    if m:
        mark = _COMMA_MARK_RE.match(m.group())
        cuts.append(m.start() + 2 if mark else m.start())    # "a “decent man,” and said that ...": after the mark
    m = _DASH_CUT_RE.search(text, cstart, cend)
    if m and not _DASH_CUT_RE.search(text, m.end(), cend):
        cuts.append(m.start())      # two dashes enclose a parenthesis: no cut
    if text.find(",", cstart, cend) >= 0:      # every other cut opens with a comma
        m = _PARTICIPLE_CUT_RE.search(text, cstart, cend)
        if m:
            mark = _CLOSING_MARK_RE.search(m.group())
            cuts.append(m.start() + mark.end() if mark else m.start())
        m = _ACCORDING_CUT_RE.search(text, cstart, cend)
        if m:
            cuts.append(m.start())
        m = _comma_cue_re().search(text, cstart, cend)
        if m:
            mark = _CLOSING_MARK_RE.search(m.group())
            cuts.append(m.start() + mark.end() if mark else m.start())     # "..., “…,” said the senator"
        m = _SUMMARY_APPOSITIVE_RE.search(text, cstart, cend)
        if m and m.end() == cend:
            cuts.append(m.start())
        if relative:
            for m in _RELATIVE_CUT_RE.finditer(text, cstart, cend):
                c = m.start() + len(m.group().rstrip()) if m.group()[1:2].strip() else m.start()
                if not inside_quote(c):
                    cuts.append(c)     # "X, who says it is “reckless,” voted no": the relative ends at the comma
                    break
    for c in sorted(cuts):
        if not inside_quote(c) and _words(text, cstart, c) >= min_words:
            return _trim(text, cstart, c)[1]
    return cend


def _quote_in_complement(text, ce, quote_spans, quote_starts, limit):
    """Start of a quotation opening within a short object after an object cue
    ("called the plan “a disaster”", "pledged to “win big”"), else None."""
    i = bisect_right(quote_starts, ce)
    if i >= len(quote_spans):
        return None
    o = quote_spans[i][0]
    if o >= limit or o - ce > 160:
        return None
    toks = sp.tokens_between(text, ce, o)
    forms = sp.cue_forms()
    if len(toks) > 14:
        return None
    clause_punct = sp._CLAUSE_PUNCT
    for k, (_s, _e, t) in enumerate(toks):
        if t in clause_punct or t == "," or (t in forms and not (k and (toks[k - 1][2].lower() in _NOUN_DETERMINERS
                                                                        or toks[k - 1][2].endswith(("’s", "'s"))))):
            return None      # (a cue word after a determiner is a noun: "calling Trump’s charge “pathetic”")
    return o


_NOUN_DETERMINERS = frozenset("the a an his her their its our my your this that these those ’s 's".split())


def _reporting_clause_before(doc, ss, cs):
    """Subject of the reporting clause just before a participle cue ("“…,” Fiorina said, adding that
    ...", "said Fiorina, adding ..."), else None."""
    text = doc.text
    toks = sp.tokens_between(text, max(ss, cs - 120), cs)
    while toks and toks[-1][2] in (",", "”", "\"", "’"):
        toks.pop()
    forms = doc.forms
    for k in range(len(toks) - 1, max(-1, len(toks) - 9), -1):
        t = toks[k][2]
        if t in sp._CLAUSE_PUNCT or t == ",":
            return None
        if t in forms and forms[t][0] != t and not t.endswith("ing"):
            subj = _subject_before(doc, toks[k][0], ss)
            if subj is None and k + 1 < len(toks) and text[ss:toks[k][0]].rstrip()[-1:] in ",\"”’'":
                subj = sp.subject_after(text, toks[k][1], toks[-1][1])    # "“…,” said Fiorina, adding ..."
            return subj
    return None


# commitment verbs outside the reporting-verb lexicon, cues only before a to-infinitive (include_stances)
_INFINITIVE_CUE_FORMS = {f: (lemma, "marked") for lemma, fs in (
    ("decline", "declines declined declining"), ("agree", "agrees agreed agreeing"),
    ("offer", "offers offered offering"), ("plan", "plans planned planning"),
    ("refuse", "refuses refused refusing"), ("seek", "seeks sought seeking")) for f in fs.split()}
_INFINITIVE_CUE_RE = re.compile(r"(?<![\w’'\-])(?:" + "|".join(_INFINITIVE_CUE_FORMS) + r")(?=[ \t]+to[ \t]+[a-z])")
_INFINITIVE_RE = re.compile(r"[ \t]+(to[ \t]+(?!be\b)[a-z]{2,})")
_NP_OBJECT_END_RE = re.compile(r"[,;:]|\s(?:but|while|as|even|because|although|though|which|who|when|after|"
                               r"before|since|until|if|so)\s|\s[—–-]\s|\s\(")


def _np_object_start(text, ce, pe, lemma):
    """Start of a plain noun-phrase object right after a stance cue ("endorsed Sanders",
    "called for a recount"), or None (a preposition, a passive "opposed by", "as opposed to")."""
    toks = sp.tokens_between(text, ce, min(pe, ce + 40))
    if lemma == "call":
        if len(toks) < 2 or toks[0][2] != "for":
            return None       # only "called for ...": "called him" names, "called on" asks
        toks = toks[1:]
    if not toks:
        return None
    first = toks[0][2]
    if first in sp._CLAUSE_PUNCT or first in ",;:—–-()\"“”‘’'" or first.lower() in _NP_OBJECT_BAD_START \
            or (first.islower() and first.endswith("ing") and lemma != "call"):
        return None
    return toks[0][0]


# a reported clause after an object-taking cue: a question word ("asked Sanders whether ...") or a
# subject pronoun that cannot be an object ("announced she will run", "denied they had met"), or "it"
# before an auxiliary ("announced it would close the plant")
_CLAUSE_LEAD_RE = re.compile(r"(?:whether|if|why|how|what|when|where|who|which)\s|(?:he|she|they|we|I)\s+"
                             r"(?:is|are|was|were|has|have|had|will|would|could|can|should|may|might|must|did|does|do|"
                             r"never|had|\w+ed|\w+s)\b|it\s+(?:is|was|has|had|will|would|could|can|should|may|might|"
                             r"must)\b")


# findings reported by data ("polls show Clinton leading", "the survey shows only a small gap"): the
# finding is attributed to the data even as a small clause or a noun phrase
_DATA_NOUNS = frozenset("""poll polls polling survey surveys numbers figures data results analysis analyses study
studies report reports records documents emails email average count tally census""".split())


# a statement someone issues: the issuer speaks through the participle after it ("X issued a
# statement saying ...", "she said at a news conference announcing ...")
# a source closing a reported clause: "..., officials said", "..., she said in an interview this year"
_TRAILING_SOURCE_RE = re.compile(
    r",\s+(?P<who>(?:[A-Z][\w.’'\-]*\s+){0,3}[A-Z][\w.’'\-]*|he|she|they|(?:[a-z]+\s+){0,3}officials)\s+"
    r"(?P<cue>said|says)(?:\s+(?:in|on|at|during|earlier|later|last|this|after|before|to|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday)\b[^,.;:“”\"]{0,60})?$")
_STATEMENT_NOUNS = frozenset("""statement statements release conference briefing interview interviews speech remarks
appearance letter op-ed post posts tweet tweets video message report""".split())


def _statement_object(text, subj):
    words = [w.lower() for w in text[subj[0]:subj[1]].split()]
    if len(words) >= 3 and words[-1] in sp._TIME_WORDS:
        words.pop()       # "released a statement Tuesday questioning ..."
    return len(words) >= 2 and words[-1] in _STATEMENT_NOUNS


def _data_subject(text, subj):
    words = text[subj[0]:subj[1]].lower().split() if subj and subj[0] is not None else []
    return bool(words) and words[-1] in _DATA_NOUNS


def _inverted_subject_ends_clause(doc, subj, si, pe):
    """"..., said X." / "..., said X, a ...": nothing but an adjunct after an inverted subject; not
    "One of the authors, Ari Fleischer, said Trump’s nomination will ..." (a clause, no inversion)."""
    text = doc.text
    words = text[subj[0]:subj[1]].split()
    if not words or words[-1].lower() in _FINITE_WORDS:
        return False
    end = max(subj[1], subj[2][1] if subj[2] else 0)
    after = text[end:doc.sentences[si][1] if doc.sentences else pe].strip()
    return after == "" or after[0] in ",.;:!?" or _TRAILING_AFTER_RE.match(after) is not None


# "..., perhaps recognizing that": an adverb between the comma and a participle cue
_COMMA_ADVERB_TAIL_RE = re.compile(r",\s+(?:perhaps|also|even|again|then|still|thereby|apparently|essentially|"
                                   r"clearly|repeatedly|once again|[a-z]+ly)\s+$")
# "X picked up from his daughter by saying ...": a gerund after "by" shares the clause's subject
_BY_GERUND_TAIL_RE = re.compile(r"\s(?:by|without|before|after)\s+$")
# a "subject" that starts with a verb: "referencing a confirmed report", "features a New York Times report"
_VERB_PHRASE_START_RE = re.compile(r"[a-z]+(?:ing|es|ed)\s+(?:a|an|the|his|her|their|its)\s")


_SHARE_OF_RE = re.compile(r"(?:\d[\d.,]*\s*(?:percent|%)|\b(?:one|two|three|four|five|six|seven|eight|nine|\d+)\s+in\s+"
                          r"(?:\d+|two|three|four|five|ten))\s+(?:of\s+)?(?:the\s+|those\s+)?(?:[\w’'\-]+\s+){0,3}$", re.I)
# every match of _SHARE_OF_RE holds "percent", "%" or " in " (the hint, a cheaper search, comes first)
_SHARE_HINT_RE = re.compile(r"%|percent|\sin\s", re.I)
_POLL_RE = re.compile(r"\b(?:[Aa]n?|[Tt]he|[Tt]his|[Tt]hat|[Ii]ts)\s+(?:[\w/.\-’']+\s+){0,6}?(?:poll|survey)\b")


def _poll_behind_share(text, ss, subj_start):
    """The poll of a sentence that reports a share of its respondents ("In a Times/CBS poll, 28
    percent of voters said ..."), as a subject triple, or None."""
    lo = max(ss, subj_start - 60)
    if not _SHARE_HINT_RE.search(text, lo, subj_start) or not _SHARE_OF_RE.search(text, lo, subj_start):
        return None
    poll = None
    for poll in _POLL_RE.finditer(text, ss, subj_start):
        pass
    if poll is None:
        return None
    comma = text.find(",", poll.end(), subj_start)
    end = comma if 0 < comma - poll.end() < 70 and not re.search(r"[;:—–]", text[poll.end():comma]) \
        and re.match(r"\s+(?:conducted|released|taken|published|by|from|of|for|in)\b", text[poll.end():comma]) \
        else poll.end()
    return poll.start(), end, None       # "a poll conducted by the Times and CBS News"



_LOWER_THEN_SPACE_RE = re.compile(r"[a-z]\s+$")
_COMPLEMENTIZER_END_RE = re.compile(r"\b(?:that|whether|if|why|how|what|when)\W*$")
_FOR_ON_UPON_RE = re.compile(r"(?:for|on|upon)\s")


def _reported_clause(doc, m, lemma, ss, si, pe, quote_spans, inside_quote, quotes_between):
    """The reported clause of one cue (indirect or mixed speech), or None."""
    text = doc.text
    cs, ce = m.span()
    cue = m.group()
    participle = cue.endswith("ing")
    prefix = text[ss:cs]
    borrowed = None
    relative = False
    if participle and (prefix.rstrip().rstrip("\"”’").endswith((",", " -", "—", "–"))
                       or _COMMA_ADVERB_TAIL_RE.search(prefix) or _BY_GERUND_TAIL_RE.search(prefix)):
        subj = borrowed = _reporting_clause_before(doc, ss, cs) or _sentence_subject(doc, ss, cs)  # "..., saying the ..."
    else:
        subj = _subject_before(doc, cs, ss)
        if subj is not None and participle and _statement_object(text, subj):
            subj = borrowed = _sentence_subject(doc, ss, cs) or subj   # "X issued a statement saying ..."
        elif subj is not None and _VERB_PHRASE_START_RE.match(text, subj[0]) and subj[0] > ss:
            subj = borrowed = _sentence_subject(doc, ss, subj[0]) or subj   # "X went on, referencing a report that"
        if subj is None and _COORD_TAIL_RE.search(prefix):
            subj = borrowed = _sentence_subject(doc, ss, cs)  # "... but said the ..."
        elif subj is None and (rel := _RELATIVE_TAIL_RE.search(prefix)):
            relative = True
            subj = sp.subject_before(text, ss + rel.start(), ss)     # "X, who told reporters ..."
        elif subj is None and participle and _LOWER_THEN_SPACE_RE.search(prefix) \
                and not _NOUN_CUE_RE.search(prefix):
            subj = borrowed = _sentence_subject(doc, ss, cs)  # "with the senator calling it ..."
    if subj is None and (who := _WHO_APPOSITIVE_RE.search(prefix)):
        subj = sp.subject_before(text, ss + who.start(), ss)      # "X, who testified on Monday, told ..."
    if subj is None and not participle:
        before = prefix.rstrip()
        if before.endswith(",") and lemma != "tell":
            subj2 = sp.subject_after(text, ce, pe)
            if subj2 and _inverted_subject_ends_clause(doc, subj2, si, pe):
                s0, e0 = _trim(text, ss, ss + len(before) - 1)
                if _words(text, s0, e0) >= 3:
                    return {"start": s0, "end": e0, "cue_start": cs, "cue_end": ce, "subj": subj2,
                            "rule": "indirect_trailing_inverted", "confidence": 0.7}
        return None
    if subj is None:
        return None
    if (poll := _poll_behind_share(text, ss, subj[0])) is not None:
        subj = poll       # "In a poll by X, 28 percent of voters said ...": the poll reports its respondents
    if borrowed is None and not relative and not participle and \
            (before := text[ss:subj[0]].rstrip()).endswith(",") and not _DOUBLE_RE.search(text, ss, subj[0]):
        r = _parenthetical_clause(doc, ss, len(before), cs, ce, subj, pe, quote_spans)
        if r is not None:
            return r
    rule = "indirect_leading" if borrowed is None else ("indirect_participle" if participle
                                                        else "indirect_coordinated")
    cstart = _clause_after_cue(doc, ce, pe, lemma)
    if cstart is None and lemma in _EVIDENCE_LEMMAS and not participle and _data_subject(text, subj):
        cstart = _np_object_start(text, ce, pe, lemma)    # "polls show Sanders within two points"
    if cstart is not None and lemma in _OBJECT_LEMMAS and not _COMPLEMENTIZER_END_RE.search(text[max(ce, cstart - 12):cstart]) \
            and not _CLAUSE_LEAD_RE.match(text, cstart):
        cstart = None
    object_span = False
    if cstart is None and lemma in _OBJECT_LEMMAS:
        object_span = True
        o = _quote_in_complement(text, ce, quote_spans, doc.quote_starts, pe)
        if o is not None and _naming_participle(text, cs, ce, o, ss):
            o = None
        if o is not None:
            cstart = _trim(text, ce, o + 1)[0]
            if lemma == "call" and _FOR_ON_UPON_RE.match(text[cstart:cstart + 5]):
                cstart = _trim(text, cstart + text[cstart:].index(" "), o + 1)[0]
        elif doc.include_stances and lemma in _NP_OBJECT_LEMMAS and not quotes_between(ce, min(pe, ce + 200)):
            cstart = _np_object_start(text, ce, pe, lemma)
            if cstart is not None:
                rule = "indirect_object"
    if cstart is None and doc.include_stances and lemma in _INFINITIVE_LEMMAS and \
            (inf := _INFINITIVE_RE.match(text, ce)) and not quotes_between(ce, min(pe, ce + 200)):
        cstart, rule = inf.start(1), "indirect_infinitive"
    r = None
    if cstart is not None and (not inside_quote(cstart - 1) or text[cstart - 1] in "\"“„«"):
        if object_span and text[cstart] in "\"“„«‘'":
            k = bisect_right(doc.quote_starts, cstart)
            cend = _trim(text, cstart, quote_spans[k - 1][1])[1] if k else _clause_end(doc, cstart, pe, quote_spans)
        else:
            cend = _clause_end(doc, cstart, pe, quote_spans)
        cend = _cut_clause(doc, cstart, cend, inside_quote, min_words=1 if object_span else 3,
                           relative=relative or _RELATIVE_BEFORE_RE.search(text, max(ss, cs - 40), cs) is not None
                           or (cstart > cs and _SUBORDINATE_START_RE.match(text, ss) is not None))
        if object_span:
            # "called him a “nice guy” and he ...": the object ends after its last quotation
            k = bisect_right(doc.quote_starts, cend) - 1
            last_close = quote_spans[k][1] if k >= 0 and quote_spans[k][0] >= cstart - 1 else None
            if last_close is not None and last_close < cend:
                cut = _OBJECT_TAIL_RE.search(text, last_close, cend)
                if text[last_close - 2:last_close - 1] == ",":
                    cend = _trim(text, cstart, last_close)[1]    # called him a “moderate,” a subtle dig
                elif cut:
                    cend = _trim(text, cstart, cut.start())[1]
        if rule in ("indirect_object", "indirect_infinitive") and (cut := _NP_OBJECT_END_RE.search(text, cstart, cend)):
            cend = _trim(text, cstart, cut.start())[1]      # "endorsed Clinton, but ...": the object ends
        if cend > cstart and (_words(text, cstart, cend) >= 3 or lemma in _OBJECT_LEMMAS
                              or (_words(text, cstart, cend) == 2 and _DOUBLE_RE.search(text, cstart, cend))):
            r = {"start": cstart, "end": cend, "cue_start": cs, "cue_end": ce, "subj": subj,
                 "rule": rule, "confidence": 0.55 if rule in ("indirect_object", "indirect_infinitive") else 0.75 if borrowed is None else 0.65}
    if r is None and borrowed is None:
        # "..., X said." : the clause is the sentence before the subject
        before = text[ss:subj[0]].rstrip()
        after = text[ce:doc.sentences[si][1] if doc.sentences else pe].strip()
        if before.endswith(",") and _TRAILING_AFTER_RE.match(after) and '"' not in after and "“" not in after \
                and "”" not in after:
            s0, e0 = _trim(text, ss, ss + len(before) - 1)
            if _words(text, s0, e0) >= 3:
                r = {"start": s0, "end": e0, "cue_start": cs, "cue_end": ce, "subj": subj,
                     "rule": "indirect_trailing", "confidence": 0.7}
    return r


_PARENTHETICAL_TAIL_RE = re.compile(r"[ \t]*(?:(?:in|on|at|during|last|this|to|from|of)\b[^,.;:!?\"“”]{0,40})?,[ \t]+"
                                    r"(?!(?:and|but|or|as|while|when|after|before|because|since|though|although|"
                                    r"if|who|which|where|according|adding|saying|noting|citing)\b|[a-z]+ing\b)"
                                    r"(?=[\w$‘“\"'])")


def _parenthetical_clause(doc, ss, n_before, cs, ce, subj, pe, quote_spans):
    """“Too often, Mr. Clarke said, the debate is ...”: a cue set off by commas inside its own
    reported sentence; the sentence around it, in two fragments."""
    text = doc.text
    m = _PARENTHETICAL_TAIL_RE.match(text, ce, pe)
    if m is None:
        return None
    s0, e0 = _trim(text, ss, ss + n_before - 1)
    rest = m.end()
    if text[rest] in "\"“‘'" and _SUBORDINATE_START_RE.match(text, s0):
        return None       # "When asked ..., X said, “…”": the quotation is the reply, the clause its setting
    end = _clause_end(doc, rest, pe, quote_spans)
    end = _cut_clause(doc, rest, end, doc.inside_quote, min_words=1)
    if e0 <= s0 or _words(text, rest, end) < 2 or _words(text, s0, e0) + _words(text, rest, end) < 4:
        return None
    return {"start": s0, "end": end, "fragments": [[s0, e0], [rest, end]], "cue_start": cs, "cue_end": ce,
            "subj": subj, "rule": "indirect_parenthetical", "confidence": 0.7}


_ASKED_RE = re.compile(r"sked\b")       # a literal start lets the regex engine skip ahead; "[Aa]" checked after
_ASKED_AFTER_RE = re.compile(r"\b(?:[Ww]hen|[Ii]f|[Aa]fter|[Oo]nce)[ \t]+(?:again[ \t]+|later[ \t]+)?$")
_ASKED_QUESTION_RE = re.compile(
    r"(?:[ \t]+by[ \t]+(?P<agent>(?:(?:a|an|the|The|his|her|their)[ \t]+)?(?:[A-Z][\w.’'\-]*(?:[ \t]+[A-Z][\w.’'\-]*){0,3}"
    r"|[a-z]+)))?(?:[ \t]+[\w’'\-]+){0,4}?[ \t]+(?P<q>whether|if|why|how|what|which|who|where)\b")


def _asked_clauses(doc, quote_spans):
    """“Asked by a reporter whether the plan works, she …”: the question put to the sentence's
    subject is an indirect quote of the asker named after "by"."""
    text = doc.text
    out = []
    for m in _ASKED_RE.finditer(text):
        cs = m.start() - 1
        if cs < 0 or text[cs] not in "Aa" or (cs > 0 and (text[cs - 1].isalnum() or text[cs - 1] == "_")):
            continue
        q = _ASKED_QUESTION_RE.match(text, m.end())
        if q is None or not q.group("agent"):
            continue      # without an asker the question is the reporter's, not a quotation
        if not _ASKED_AFTER_RE.search(text, max(0, cs - 14), cs):
            # a bare "Asked": only at the start of a sentence
            if text[cs] != "A" or (cs > 0 and text[max(0, cs - 3):cs].strip(" \t\"“”‘’'") not in ("", ".", "?", "!")
                                   and text[cs - 1] != "\n"):
                continue
        if doc.inside_quote(cs):
            continue
        pe = doc.paragraphs[doc.para_index(cs)][1] if doc.paragraphs else len(text)
        start = q.start("q")
        end = _clause_end(doc, start, pe, quote_spans)
        end = _cut_clause(doc, start, end, doc.inside_quote, min_words=1)
        for stop in re.finditer(r"[,:;]", text[start:end]):
            if not doc.inside_quote(start + stop.start()):     # "Asked whether ..., she said"
                end = _trim(text, start, start + stop.start())[1]
                break
        if _words(text, start, end) < 2:
            continue
        agent = (q.start("agent"), q.end("agent"), None)
        out.append({"start": start, "end": end, "cue_start": cs, "cue_end": cs + 5, "subj": agent,
                    "rule": "indirect_asked", "confidence": 0.6})
    return out


# "In the latest CNN/ORC poll released Wednesday, he fell to 10 percent": a sentence opened by a
# poll or survey reports its finding
_IN_POLL_RE = re.compile(r"(?:But[ \t]+)?In[ \t]+((?:a|an|the|this|that|its|their|one)[ \t]+(?:[^\s,.;:!?\"“”]+[ \t]+){0,8}?"
                         r"(?:poll|survey|study|analysis)(?:[ \t]+[^\s,.;:!?\"“”]+){0,4}),[ \t]+(?=[\w$‘“\"'])")


def _in_poll_clauses(doc, quote_spans):
    text = doc.text
    out = []
    for ss, _se in doc.sentences:
        if not text.startswith(("In", "Bu"), ss):
            continue
        m = _IN_POLL_RE.match(text, ss)
        if m is None or doc.inside_quote(ss):
            continue
        pe = doc.paragraphs[doc.para_index(ss)][1] if doc.paragraphs else len(text)
        start = m.end()
        end = _cut_clause(doc, start, _clause_end(doc, start, pe, quote_spans), doc.inside_quote)
        if _words(text, start, end) >= 3:
            cs = m.start(1) - 3
            out.append({"start": start, "end": end, "cue_start": cs, "cue_end": cs + 2,
                        "subj": (m.start(1), m.end(1), None), "rule": "in_poll", "confidence": 0.7})
    return out


def _ends_inside_clause(r, q):
    """“… explaining that he was “taking a day off.” He pointed to …”: a quotation that closes the
    reported clause of an earlier cue in its sentence belongs to that clause, not to a cue of the
    next sentence."""
    a = q["attribution"]
    return r["cue_start"] < r["start"] <= q["open_start"] and q["close_end"] >= r["end"] \
        and q["content_end_char"] in ".!?" and a["cue_start"] >= q["close_end"] and not q.get("fragments")


def _merge_pieces(q, nxt):
    """Join quote ``nxt`` into ``q`` (interrupted or multi-paragraph): ``start``/``end`` cover
    all pieces, ``fragments`` lists them."""
    q["fragments"] = (q.get("fragments") or [[q["start"], q["end"]]]) + \
        (nxt.get("fragments") or [[nxt["start"], nxt["end"]]])
    q["end"] = nxt["end"]
    q["flags"] = ";".join([f for f in (q["flags"], nxt["flags"]) if f])
    q["close_end"] = nxt["close_end"]
    q["continues"] = nxt["continues"]
    q["content_end_char"] = nxt["content_end_char"]
    q["last_para"] = nxt["para"]
    nxt["merged"] = True


_NAMING_WORDS = frozenset("""known called named dubbed titled labeled labelled nicknamed so-called billed branded
entitled""".split())
_PREPOSITIONS = frozenset("""in on at to with from about by for of into onto over under after before during
through across against""".split())
_PARTICLE_RE = re.compile(r"(?:down|up|off|out|back|away)\s+")
_COPULAS = frozenset("""is are was were be been being am has have had do does did will would can could should may
might must so-called""".split())
_NOT_SUBJECTS = frozenset("""it this that there his her their its the a an which what who whom""".split())


_TRY_VERBS = frozenset("""try tries tried trying attempt attempts attempted manage manages managed offer offers
offered struggle struggles struggled""".split())


def _verb_object_mixed(doc, q):
    """A quotation in the object of a finite verb with its own subject ("Trump openly admires Putin
    as a “strong leader,”", "He promised to release a report “as soon as possible”"): the object
    is a mixed quote of that subject, even when the verb is not a reporting verb. Returns
    ``(start, end, verb_start, verb_end, subject)`` or None."""
    text = doc.text
    lo = max(q["sent_start"], q["para_start"])
    toks = sp.tokens_between(text, max(lo, q["open_start"] - 160), q["open_start"])
    forms = doc.forms
    clause_punct = sp._CLAUSE_PUNCT
    for k in range(len(toks) - 1, max(-1, len(toks) - 13), -1):
        vs, ve, t = toks[k]
        if t in clause_punct or t == "," or len(t) == 1 and t in "\"“”„«»‘’'":
            return None
        if not t.islower() or t in _COPULAS or t in _NOT_CLAUSE_START:
            continue
        if t in _NAMING_WORDS:
            return None       # "the hacker known as “Guccifer,”"
        verb_like = (t.endswith("ed") and len(t) > 4) or t in _VERB_START_WORDS or \
            (t in forms and forms[t][0] != t and not t.endswith("ing")) or \
            (t.endswith("s") and not t.endswith(("ss", "us", "is")) and len(t) > 3 and k > 0
             and (toks[k - 1][2].lower() in ("he", "she", "it") or toks[k - 1][2].endswith("ly")
                  or sp.is_capitalized(toks[k - 1][2])))
        if not verb_like:
            continue
        if k > 0 and (toks[k - 1][2].lower() in _NOUN_DETERMINERS or toks[k - 1][2].endswith(("’s", "'s"))):
            continue         # "Trump’s comments": a noun
        if k > 0 and toks[k - 1][2].lower() in _COPULAS:
            return None      # "was described as": a passive
        subj = _subject_before(doc, vs, lo)
        if subj is None or text[subj[0]:subj[1]].lower() in _NOT_SUBJECTS:
            return None
        if _naming_participle(text, vs, ve, q["open_start"], lo):
            return None
        nxt = toks[k + 1][2].lower() if k + 1 < len(toks) else ""
        if nxt in ("at", "from", "with") or (nxt == "to" and t in _TRY_VERBS) or \
                (nxt in ("up", "down", "out", "off") and k + 2 < len(toks) and toks[k + 2][2].lower() in _PREPOSITIONS):
            return None       # "looked at", "came from", "tries to", "showed up in": no reported object
        if _TITLE_BEFORE_RE.search(text, max(0, q["open_start"] - 20), q["open_start"]) and \
                _TITLE_CASE_RE.match(text[q["start"]:q["end"]]):
            return None       # "said in an interview on ABC’s “This Week”": a title
        return ve, subj
    return None


# Two apostrophes as double quote marks (''like this'', in some wire and newspaper archives): an
# opening pair before a word and a closing pair after one, in the same paragraph ("repeat ''Tis
# the voice" with no closing pair is a quote mark and an elided letter, left alone). Three
# apostrophes after a word ("special case,''' he said") close an inner single quote, then the pair.
_APOSTROPHE_PAIR_RE = re.compile(r"(?:(?<=[\s(\[{—–\-])|^)''(?=[^\s'])([^\n]{0,800}?\S)''"
                                 r"(?=[\s.,;:!?)\]}—–\-]|$)")


def _double_apostrophes_as_marks(text):
    """``text`` with each quoting pair of apostrophes replaced, at the same length, by a space and a
    curly mark (“ before the content, ” after it), so offsets into it index the original text."""
    return _APOSTROPHE_PAIR_RE.sub(lambda m: " “" + m.group(1) + "” ", text)


def _extract_document(text, *, include_terms=False, include_stances=False):
    if "''" not in text:
        return _extract_marked(text, include_terms=include_terms, include_stances=include_stances)
    marked = _double_apostrophes_as_marks(text)
    rows = _extract_marked(marked, include_terms=include_terms, include_stances=include_stances)

    def widen(s, e):    # a span that starts or ends with a mark takes in both apostrophes
        return (s - 1 if marked[s] == "“" and text[s] == "'" else s,
                e + 1 if marked[e - 1] == "”" and text[e - 1] == "'" else e)
    for r in rows:      # report the original characters
        r["fragments"] = [list(widen(s, e)) for s, e in r["fragments"]]
        r["start"], r["end"] = widen(r["start"], r["end"])
        r["text"] = text[r["start"]:r["end"]]
        if r["cue_start"] is not None:
            r["cue"] = text[r["cue_start"]:r["cue_end"]]
        if r["speaker_start"] is not None:
            r["speaker"] = text[r["speaker_start"]:r["speaker_end"]]
    return rows


# sort keys and tests of _extract_marked as module-level objects: a lambda or a generator expression
# makes the compiled function allocate a closure, and turns the variables it reads into closure cells
_MATCH_START = methodcaller("start")
_CUE_START = itemgetter("cue_start")
_END = itemgetter("end")
_START_END = itemgetter("start", "end")
_FIRST_TWO = itemgetter(0, 1)


def _trailing_quote_outside(r, quotes):
    """True when one of ``quotes`` is a direct quote with a trailing cue that does not close the
    reported clause ``r``."""
    for q in quotes:
        a = q["attribution"]
        if a is not None and q["type"] == "direct" and a["rule"].startswith("trailing") \
                and not _ends_inside_clause(r, q):
            return True
    return False


def _overlaps_any(span, rows):
    """True when one of ``rows`` overlaps ``span`` (dicts with ``start``, ``end``)."""
    start, end = span["start"], span["end"]
    for r in rows:
        if r["start"] < end and start < r["end"]:
            return True
    return False


def _extract_marked(text, *, include_terms=False, include_stances=False):
    doc = _Document(text)
    doc.include_stances = include_stances
    marks = find_quote_marks(text, doc.paragraphs)
    for k, q in enumerate(marks):
        q["idx"] = k
        q["sent_start"] = doc.sentences[doc.sent_index(q["open_start"])][0] if doc.sentences else 0
        q["starts_para"] = _NON_SPACE_RE.search(text, q["para_start"], q["open_start"]) is None
        q["starts_sent"] = q["starts_para"] or _NON_SPACE_RE.search(text, q["sent_start"], q["open_start"]) is None
        content_end = q["end"]      # (the last character of the content with closing marks stripped, no copy)
        while content_end > q["start"] and text[content_end - 1] in "\"”’'»":
            content_end -= 1
        q["content_end_char"] = text[content_end - 1] if content_end > q["start"] else ""
        pp = doc.paragraphs[q["para"] - 1] if q["para"] > 0 else None
        q["prev_para_colon"] = bool(pp) and q["starts_para"] and text[pp[0]:pp[1]].rstrip().endswith(":")
        q["attribution"] = None
        q["type"] = None
        q["last_para"] = q["para"]
    doc.quotes = marks
    quote_spans = [(q["open_start"], q["close_end"]) for q in marks]
    quote_starts = [a for a, _b in quote_spans]
    doc.quote_starts = quote_starts

    def inside_quote(pos):
        i = bisect_right(quote_starts, pos) - 1
        return i >= 0 and quote_spans[i][0] < pos < quote_spans[i][1]
    doc.inside_quote = inside_quote

    def quotes_between(lo, hi):
        """Quotes (marks) whose opening mark lies in [lo - 1, hi)."""
        i = bisect_right(quote_starts, lo - 2)
        out = []
        while i < len(marks) and marks[i]["open_start"] < hi:
            out.append(marks[i])
            i += 1
        return out

    # -- 1. direct quotes: explicit cues (trailing, leading) ---------------------------------
    forms = sp.cue_forms()
    rule_trailing, rule_leading = sp.rule_trailing, sp.rule_leading
    direct_rules = (rule_trailing, rule_leading, _rule_colon, _rule_previous_sentence)
    used_cues = set()
    for q in marks:
        content = text[q["start"]:q["end"]]
        n_words = len(content.split(None, 6))      # (only compared with numbers up to 6)
        if 1 <= n_words <= 6 and _TITLE_CASE_RE.match(content) and q["content_end_char"] not in ".!?" and \
                (n_words >= 2 and not q["starts_para"] or _title_then_noun(text, q["close_end"])):
            q["title_like"] = True     # a title: “Orange Is the New Black” star Dascha Polanco
            continue
        if q["single"] and q["starts_para"] and n_words <= 6 and q["close_end"] >= q["para_end"] - 1:
            q["title_like"] = True     # a section heading: ‘A really tough decision.’
            continue
        for rule in direct_rules:
            a = rule(doc, q)
            if a and rule is rule_trailing and not _trailing_cue_ends_clause(doc, q, a):
                a = None
            if a and rule is rule_trailing and not q["starts_sent"] and q["content_end_char"] in ".!?" \
                    and text[a["speaker_start"]:a["speaker_end"]] in ("He", "She", "They", "We", "I"):
                a = None      # "... telling her, “you are a star!” She replied that ...": a new sentence
            if a and rule is rule_leading and (_names_a_thing(doc, q, a) or _clause_before_quote(doc, q, a)
                                                  or _DOUBLE_RE.search(text, a["cue_end"], q["open_start"])):
                a = None
            if a and a.get("speaker_start") is not None and doc.inside_quote(a["speaker_start"]):
                a = None      # a speaker is never inside a quotation
            if a and forms.get(text[a["cue_start"]:a["cue_end"]], ("",))[0] in _EVIDENCE_LEMMAS:
                a = None      # "the deal showed that “…”": the quotation belongs to the clause
            if a:
                q["attribution"] = a
                q["type"] = "direct"
                if a["rule"] != "relative_clause":
                    used_cues.add(a["cue_start"])     # ("X, who called it a “sham,” said ...": "said" has its own clause)
                break
    # interrupted quotes: “A,” X said, “B.” -> one quote with two fragments
    for k, q in enumerate(marks[:-1]):
        a = q["attribution"]
        nxt = marks[k + 1]
        if not a or a["rule"] not in ("trailing", "trailing_inverted", "trailing_any_verb") or nxt.get("merged") \
                or nxt["open_start"] < a["cue_end"]:
            continue      # (a quote inside the speaker's appositive is not the quote's second piece)
        if nxt["para"] != q["para"] or "\n" in text[q["close_end"]:nxt["open_start"]] or (nxt["attribution"] is not None
                                         and nxt["attribution"]["cue_start"] != a["cue_start"]):
            continue
        gap = text[max(a["cue_end"], a["speaker_end"] or 0, (a.get("appositive") or (0, 0))[1]):nxt["open_start"]]
        gap_toks = sp.tokens_between(gap, 0, len(gap))
        second_cue = False
        for t in gap_toks:
            if t[2] in forms:
                second_cue = True      # “A,” she said, adding, “B.”: a second cue, a second quote
                break
        if second_cue:
            continue
        if len(gap_toks) <= 8 and all(t[2] not in ("!", "?") for t in gap_toks):
            if gap.strip() in ("", ",", ".", ":", ";", "—", "–") or (len(gap_toks) <= 6 and gap.rstrip()[-1:] in ",.:;"):
                _merge_pieces(q, nxt)
                a["rule"] = a["rule"] + "+interrupted"
    # a quote running over several paragraphs (each reopened with a mark) is one quote
    marks = [q for q in marks if not q.get("merged")]
    for k, q in enumerate(marks[:-1]):
        if q.get("merged") or not q["continues"]:
            continue
        j = k + 1
        while j < len(marks) and q["continues"] and marks[j]["para"] == q["last_para"] + 1 \
                and marks[j]["starts_para"]:
            nxt = marks[j]
            if q["attribution"] is None and nxt["attribution"] is not None:
                q["attribution"] = nxt["attribution"]
                q["type"] = nxt["type"]
            _merge_pieces(q, nxt)
            j += 1
    marks = [q for q in marks if not q.get("merged")]
    for k, q in enumerate(marks):
        q["idx"] = k
    doc.quotes = marks
    quote_spans[:] = [(q["open_start"], q["close_end"]) for q in marks]
    quote_starts[:] = [a for a, _b in quote_spans]
    for q in marks:
        a = q["attribution"]
        if a is not None and a["rule"].startswith("trailing") and not q["starts_sent"]:
            q["mixed_start"] = _mixed_sentence_start(doc, q, quote_spans, quote_starts)

    # -- 2. indirect and mixed speech from the remaining cues ---------------------------------
    reported = []
    cue_stream = _cue_matches(text, quote_spans)
    if doc.include_stances:
        cue_stream = heapq.merge(cue_stream, _INFINITIVE_CUE_RE.finditer(text), key=_MATCH_START)
    paragraphs, sentences = doc.paragraphs, doc.sentences
    para_starts, sent_starts = doc._para_starts, doc._sent_starts
    for m in cue_stream:
        cs, ce = m.span()
        if cs in used_cues or inside_quote(cs):
            continue
        cue = m.group()
        pi = bisect_right(para_starts, cs) - 1      # (doc.para_index and doc.sent_index, inline)
        if pi < 0:
            pi = 0
        ps, pe = paragraphs[pi] if paragraphs else (0, len(text))
        si = bisect_right(sent_starts, cs) - 1
        if si < 0:
            si = 0
        ss = max(sentences[si][0], ps) if sentences else ps
        # a sentence start inside a quote would cut the subject: step back to the quote start
        k_in = bisect_right(quote_starts, ss) - 1
        if k_in >= 0 and quote_spans[k_in][0] < ss < quote_spans[k_in][1]:
            ss = max(ps, quote_spans[k_in][0])
        if cue in ("according to", "According to"):      # (the cue patterns match no other case)
            r = _according_to(doc, cs, ce, ss, pe, quote_spans)
            if r:
                reported.append(r)
            continue
        lemma, stance = forms.get(cue) or _INFINITIVE_CUE_FORMS[cue]
        # the words just before the cue (one split instead of four regex scans)
        lo = cs - 40 if cs - 40 > ss else ss
        if lo < cs and text[cs - 1].isspace():
            prev_words = text[lo:cs].rsplit(None, 3)[-3:]      # (the last three of .split())
        else:
            prev_words = []      # no space before the cue: ignore, as the regexes did
        prev = [w.lower() for w in prev_words]
        last = prev[-1] if prev else ""
        if _negated(prev_words) or \
                ((last in _NOUN_CUE_WORDS or last.endswith(("’s", "'s"))) and cue in (lemma, lemma + "s", lemma + "es")) or \
                last in ("the", "a", "an", "this", "these", "those"):
            continue
        if not cue.endswith("ing") and (last in _PASSIVE_WORDS or (len(prev) > 1 and last.endswith("ly")
                                                                  and prev[-2] in _PASSIVE_WORDS)):
            continue      # "was declared contained", "were told to leave"
        if cue == lemma and not _base_form_ok(text, cs, ss):
            continue      # "the state", "a report": a noun, not a verb
        r = _reported_clause(doc, m, lemma, ss, si, pe, quote_spans, inside_quote, quotes_between)
        if r and reported and (reported[-1]["start"], reported[-1]["end"]) == (r["start"], r["end"]):
            continue
        if r:
            reported.append(r)

    asked = _asked_clauses(doc, quote_spans) + _in_poll_clauses(doc, quote_spans)
    if asked:
        cues = {r["cue_start"] for r in asked}
        reported = sorted([r for r in reported if r["cue_start"] not in cues] + asked, key=_CUE_START)

    # resolve reported clauses against direct quotes: a clause holding a quote is mixed, a clause
    # that is only a quote leaves the quote direct (cue before it)
    out_rows = []
    taken = set()
    last_clause = (-1, -1)
    for r in reported:
        if last_clause[0] <= r["cue_start"] < last_clause[1]:
            continue      # a verb inside a reported clause ("said the authority would answer ...")
        near = quotes_between(r["start"] - 600, r["end"])
        inner = [q for q in near if q["open_start"] >= r["start"] - 1 and q["close_end"] <= r["end"] + 2
                 and q["open_start"] < r["end"]]
        overl = [q for q in near if q["open_start"] < r["end"] and q["close_end"] > r["start"]]
        if overl and _trailing_quote_outside(r, overl):
            continue
        if inner:
            outside = text[r["start"]:r["end"]]
            for q in inner:
                outside = outside.replace(text[q["open_start"]:q["close_end"]], " ")
            evidence = forms.get(text[r["cue_start"]:r["cue_end"]], ("",))[0] in _EVIDENCE_LEMMAS
            if outside.strip(" ,:—–-").lower() in ("", "as", "like") and len(inner) == 1 and not evidence:
                q = inner[0]
                if q["attribution"] is None:
                    q["attribution"] = sp._attribution("leading", 0.85, (r["cue_start"], r["cue_end"]),
                                                       r["subj"][:2], r["subj"][2])
                    q["type"] = "direct"
                continue
            r["type"] = "mixed"
            for q in inner:
                taken.add(q["idx"])
        elif overl:
            continue
        else:
            r["type"] = "indirect"
        if r["start"] > r["cue_start"] and not r.get("fragments") and _TRAILING_SOURCE_RE.search(text, r["start"], r["end"]):
            continue      # "He thought that he alone ..., officials said": the closing source's cue reports it all
        r["attribution"] = sp._attribution(r["rule"], r["confidence"], (r["cue_start"], r["cue_end"]),
                                           r["subj"][:2], r["subj"][2])
        for q in inner:
            q["taken_attribution"] = r["attribution"]     # a next quote may continue its speaker
        out_rows.append(r)
        if r["start"] > r["cue_start"]:
            last_clause = (r["start"], r["end"])
        elif r.get("fragments"):
            last_clause = tuple(r["fragments"][-1])

    according = sorted([(r["start"], r["end"]) for r in out_rows if r["rule"] == "according_to"])
    if according:
        # "X has granted immunity to Y, according to an official": the outer source vouches for
        # the whole clause, and a reported clause inside it is not a second quotation
        starts = [a for a, _b in according]
        reach = list(accumulate([b for _a, b in according], max))    # furthest end of the spans so far
        out_rows = [r for r in out_rows if r["rule"] == "according_to"
                    or (k := bisect_right(starts, r["start"]) - 1) < 0 or reach[k] < r["end"]]
    for headline in [_headline_colon(doc)] + _headline_verbs(doc) + _transcript_turns(doc):
        if headline is not None and not quotes_between(headline["start"], headline["end"]) and \
                (headline["attribution"]["rule"] == "transcript"       # a turn may hold reported speech
                 or not _overlaps_any(headline, out_rows)):
            headline["type"] = "indirect"
            out_rows.append(headline)

    # -- 3. speakers of explicit attributions, resolved within the article in text order --------
    explicit = [q["attribution"] for q in marks if q["attribution"] is not None and q["type"] != "taken"]
    explicit += [r["attribution"] for r in out_rows]
    infos = []
    for a in explicit:
        if a.get("speaker_start") is None:
            continue
        info = sp.mention_info(text, a["speaker_start"], a["speaker_end"])
        if a.get("appositive") and info["kind"] in ("person", "nominal", "unknown"):
            ap = a["appositive"]
            appos = text[ap[0]:ap[1]]
            if info.get("role") is None and not appos.lower().startswith(("who ", "which ")):
                info["role"] = appos
                info["role_words"] = frozenset([w.lower().replace("’s", "") for w in re.findall(r"[\w’']+", appos)])
        infos.append((info["start"], len(infos), a, info))
    known = {info["name"].split()[-1] for _p, _k, _a, info in infos
             if info.get("name") and info["kind"] in ("person", "unknown")}
    article = sp.ArticleSpeakers(text, [(q["open_start"], q["close_end"]) for q in marks], known_names=known)
    doc.article = article
    for _pos, _k, a, info in sorted(infos, key=_FIRST_TWO):
        name, kind, role = article.resolve(info)
        a["_resolved"] = (name, kind, role or info.get("role"))
    for q in marks:
        if q["attribution"] is not None:
            q["speaker_name"] = q["attribution"].get("_resolved", (None,))[0]

    # -- 4. cue-less quotes: dialogue turns, continuation, terms -------------------------------
    doc.reported_rows = sorted([r for r in out_rows if r["attribution"].get("_resolved") is not None],
                               key=_END)
    doc.reported_ends = [r["end"] for r in doc.reported_rows]
    extra_rows = []
    for q in marks:
        if q["idx"] in taken:
            q["type"] = "taken"
            continue
        if q["attribution"] is not None:
            continue
        words = _words(text, q["start"], q["end"])
        standalone = q["starts_sent"] or q["starts_para"]
        if q.get("title_like"):
            q["type"] = "term"
            continue
        if not standalone and (vo := _verb_object_mixed(doc, q)) is not None:
            ve, subj = vo
            cstart = _trim(text, ve, q["open_start"] + 1)[0]
            particle = _PARTICLE_RE.match(text, cstart)
            if particle and particle.end() <= q["open_start"]:
                cstart = particle.end()      # "played down Trump’s comments as “…”"
            cend = _clause_end(doc, cstart, q["para_end"], quote_spans)
            cend = _cut_clause(doc, cstart, cend, inside_quote, min_words=1)
            k_last = bisect_right(quote_starts, cend) - 1
            last_close = quote_spans[k_last][1] if k_last >= 0 else None
            if last_close is not None and q["open_start"] <= quote_spans[k_last][0] and last_close < cend:
                cut = _OBJECT_TAIL_RE.search(text, last_close, cend)
                if text[last_close - 2:last_close - 1] == ",":
                    cend = _trim(text, cstart, last_close)[1]
                elif cut:
                    cend = _trim(text, cstart, cut.start())[1]
            if cend >= q["close_end"] - 1:
                info = sp.mention_info(text, subj[0], subj[1])
                name, kind, role = doc.article.resolve(info)
                a = sp._attribution("verb_object", 0.5, (_last_word_start(text, ve), ve), subj[:2], subj[2])
                a["_resolved"] = (name, kind, role or info.get("role"))
                extra_rows.append({"type": "mixed", "start": cstart, "end": cend, "fragments": [[cstart, cend]],
                                   "attribution": a, "flags": ""})
                for k2 in range(q["idx"], len(marks)):
                    if marks[k2]["open_start"] >= cend:
                        break
                    if marks[k2]["attribution"] is None:
                        marks[k2]["type"] = "taken"
                        taken.add(k2)
                continue
        if not standalone and words < _MIN_QUOTE_WORDS + 3:
            q["type"] = "term"
            continue
        if standalone and words < 3 and not q["content_end_char"] in ".!?,":
            q["type"] = "term"
            continue
        q["type"] = "direct"
        for rule in getattr(sp, "CUELESS_SIEVE", (sp.rule_turn_taking, sp.rule_continuation)):
            a = rule(doc, q)
            if a:
                if "_resolved" not in a:
                    src = marks[a["inherited_from"]]["attribution"]
                    a["_resolved"] = src.get("_resolved", (None, "unknown", None))
                q["attribution"] = a
                q["speaker_name"] = a["_resolved"][0]
                break

    rows = []
    for q in marks:
        if q["type"] in ("taken", None) or (q["type"] == "term" and not include_terms):
            continue
        fragments = [list(f) for f in (q.get("fragments") or [[q["start"], q["end"]]])]
        if q.get("mixed_start") is not None and q["type"] == "direct":
            q["type"], q["start"] = "mixed", q["mixed_start"]
            fragments[0][0] = q["mixed_start"]
        rows.append({"type": q["type"], "start": q["start"], "end": q["end"],
                     "fragments": fragments,
                     "attribution": q["attribution"] if q["type"] != "term" else None, "flags": q["flags"]})
    for r in out_rows:
        rows.append({"type": r["type"], "start": r["start"], "end": r["end"],
                     "fragments": r.get("fragments") or [[r["start"], r["end"]]],
                     "attribution": r["attribution"], "flags": ""})
    rows.extend(extra_rows)
    rows.sort(key=_START_END)
    out = []
    para_starts, sent_starts = doc._para_starts, doc._sent_starts
    cue_stance = sp.cue_stance
    for r in rows:
        start = r["start"]
        para = bisect_right(para_starts, start) - 1      # (doc.para_index and doc.sent_index, inline)
        sent = bisect_right(sent_starts, start) - 1
        a = r["attribution"] or {}
        name, kind, role = a.get("_resolved", (None, None, None))
        ss, se = a.get("speaker_start"), a.get("speaker_end")
        cs_, ce_ = a.get("cue_start"), a.get("cue_end")
        cue = text[cs_:ce_] if cs_ is not None else None
        out.append({"type": r["type"], "start": start, "end": r["end"], "text": text[start:r["end"]],
                    "fragments": r["fragments"], "para": para if para > 0 else 0, "sent": sent if sent > 0 else 0,
                    "cue": cue, "cue_start": cs_, "cue_end": ce_,
                    "speaker": text[ss:se] if ss is not None else None, "speaker_start": ss, "speaker_end": se,
                    "speaker_name": name, "speaker_id": None,
                    "speaker_kind": kind if a else None, "speaker_role": role,
                    "stance": cue_stance(cue) if cue else None, "rule": a.get("rule"),
                    "confidence": a.get("confidence", 0.3 if r["type"] != "term" else None), "flags": r["flags"] or ""})
    return out


_APPOSITIVE_START_RE = re.compile(r"(?:a|an|compared|more than|less than|up from|down from|twice|half)\b")
_SENTENCE_ADVERB_RE = re.compile(r"(?:But|And|Yet|Still|So|Now|However|Meanwhile|Instead|Indeed|Also|Overall)\s*,?")


def _according_to(doc, cs, ce, ss, pe, quote_spans):
    text = doc.text
    subj = sp._according_subject(text, ce, pe)
    if not subj:
        return None
    after = text[subj[1]:pe]
    if after.startswith(","):
        # "According to X, CLAUSE." or "While ..., according to X, CLAUSE2"
        before = text[ss:cs].strip()
        if before == "" or before.endswith(("—",)) or _SUBORDINATE_START_RE.match(text, ss) or \
                _SENTENCE_ADVERB_RE.fullmatch(before):
            cstart = _trim(text, subj[1] + 1, pe)[0]
            cend = _clause_end(doc, cstart, pe, quote_spans)
            cend = _cut_clause(doc, cstart, cend, doc.inside_quote)
            if cend > cstart:
                return {"start": cstart, "end": cend, "cue_start": cs, "cue_end": ce, "subj": (subj[0], subj[1], None),
                        "rule": "according_to", "confidence": 0.8}
    before = text[ss:cs].rstrip()
    if before.endswith((",", ",”", ",\"", ",’")):
        s0, e0 = _trim(text, ss, ss + len(before) - (1 if before.endswith(",") else 0))
        tail = _PARENTHETICAL_TAIL_RE.match(text, subj[1], pe) if before.endswith(",") else None
        if tail is not None and _APPOSITIVE_START_RE.match(text, tail.end()):
            tail = None       # "according to Lily Batchelder, a former tax aide, ...": an appositive
        if tail is not None and e0 > s0:
            # "One of the decisions, according to a person close to it, is to ...": both sides
            rest = tail.end()
            end = _cut_clause(doc, rest, _clause_end(doc, rest, pe, quote_spans), doc.inside_quote, min_words=1)
            if _words(text, rest, end) >= 2:
                return {"start": s0, "end": end, "fragments": [[s0, e0], [rest, end]], "cue_start": cs, "cue_end": ce,
                        "subj": (subj[0], subj[1], None), "rule": "according_to", "confidence": 0.8}
        if e0 > s0:
            return {"start": s0, "end": e0, "cue_start": cs, "cue_end": ce, "subj": (subj[0], subj[1], None),
                    "rule": "according_to", "confidence": 0.8}
    return None


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def _as_corpus(corpus):
    if isinstance(corpus, str):
        return pd.DataFrame({"doc_id": ["0"], "text": [corpus]})
    if isinstance(corpus, pd.Series):
        return pd.DataFrame({"doc_id": [str(i) for i in corpus.index], "text": corpus.values})
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"extract_quotes expects a DataFrame with columns doc_id, text (or a str); got {type(corpus).__name__}")
    missing = [c for c in ("doc_id", "text") if c not in corpus.columns]
    if missing:
        raise ValueError(f"extract_quotes: the corpus has no column {', '.join(missing)} "
                         f"(columns: {', '.join(map(str, corpus.columns))})")
    return corpus


_GC_SETTLING = []      # non-empty while an outer _fewer_gc_passes may freeze objects


@contextmanager
def _fewer_gc_passes(first_generation=20000):
    """Let the garbage collector run less often while documents are processed: the sieve allocates
    many short-lived dicts and lists, and the default threshold (700) made the collector re-scan
    the live ones of a long document again and again (10-20% of the time on PDNC novels).

    Yields ``settle()``, to call between documents now and then: it collects what the documents so
    far left behind and freezes the rest (the growing result), so that later passes skip it; on a
    100,000-document corpus the passes over the result cost 2-3% of the time. Only the outermost
    call freezes (and nothing if the caller had frozen objects); everything is restored after."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], first_generation), *thresholds[1:])
    # (gc.get_freeze_count() walks every frozen object: asked only by the outermost call)
    may_freeze = not _GC_SETTLING and gc.get_freeze_count() == 0
    if may_freeze:
        _GC_SETTLING.append(True)

    def settle():
        if may_freeze and gc.isenabled():
            gc.collect(1)
            gc.freeze()
    try:
        yield settle
    finally:
        if may_freeze:
            _GC_SETTLING.clear()
            gc.unfreeze()
        gc.set_threshold(*thresholds)


@contextmanager
def _serial_progress(corpus, *, enabled):
    """Yields ``advance_to(n)``: moves a progress bar (documents/s, MB/s) to the first ``n``
    documents of ``corpus``; the bar is closed, complete when the run was, on the way out. Does
    nothing when not ``enabled``."""
    if not enabled:
        yield lambda n: None
        return
    from .scale import advance, progress_bar, text_byte_offsets

    offsets = text_byte_offsets(corpus["text"])      # (UTF-8 bytes of the first n documents: offsets[n])
    bar = progress_bar(total=len(corpus), enabled=True, desc="quotes")
    done = 0

    def advance_to(n):
        nonlocal done
        advance(bar, docs=n - done, nbytes=int(offsets[n] - offsets[done]))
        done = n
    try:
        yield advance_to
        advance_to(len(corpus))
    finally:
        bar.close()


def _documents(corpus, block=1000):
    """``(doc_id, text)`` of every row; the texts become Python strings a block at a time (all at
    once, those of 100,000 news articles take about 200 MB)."""
    for start in range(0, len(corpus), block):
        rows = corpus.iloc[start:start + block]
        yield from zip(rows["doc_id"].tolist(), rows["text"].tolist())


_ROWS_PER_PART = 20_000      # quotes gathered as Python lists before they become a table


def _quote_table(columns):
    """The quote table (``COLUMNS``, with their dtypes) from one list of values per column."""
    quotes = pd.DataFrame(dict(zip(COLUMNS, columns)), columns=COLUMNS)
    for c in ("start", "end", "para", "sent"):
        quotes[c] = quotes[c].astype("int64")
    for c in ("cue_start", "cue_end", "speaker_start", "speaker_end"):
        quotes[c] = quotes[c].astype("Int64")
    quotes["confidence"] = quotes["confidence"].astype("float64")
    return quotes


def _document_extractor():
    """The compiled copy of :func:`_extract_document` when one is built from this very source (see
    :mod:`toolkit._speedups`), else the pure-Python one; both give the same rows."""
    if __name__ == "toolkit.quotes":      # (not in the compiled copy itself)
        from ._speedups import compiled_module
        compiled = compiled_module("quotes")
        if compiled is not None:
            return compiled._extract_document
    return _extract_document


def extract_quotes(corpus, *, include_terms=False, include_stances=False, aliases=None, return_documents=False,
                   n_jobs=1, progress=None, speaker_ids=True):
    """Find every quotation in a corpus and attribute it to its speaker.

    ``corpus`` is a DataFrame with ``doc_id`` and ``text`` columns (see ``load_corpus``) or a plain
    string. Returns one row per quotation with the columns ``doc_id, quote_id, type, start, end,
    text, fragments, para, sent, cue, cue_start, cue_end, speaker, speaker_start, speaker_end,
    speaker_name, speaker_id, speaker_kind, speaker_role, stance, rule, confidence, flags``.
    ``type`` is direct | indirect | mixed (and "term" for scare quotes and titles when
    ``include_terms=True``). ``text == doc_text[start:end]`` without the outer quote marks.
    ``include_stances=True`` also returns stances whose content is a plain noun phrase
    ("endorsed Sanders", "criticized the ruling", "called for a recount") as indirect quotes with
    rule "indirect_object" (annotated corpora such as PolNeAR count them as attributions; by default
    a reporting verb with a plain noun-phrase object is not a quotation).
    ``aliases`` (path, DataFrame or dict) is passed to :func:`toolkit.speakers.resolve_speakers`.
    ``speaker_ids=False`` leaves ``speaker_id`` empty, for tables that are put together with others
    before one corpus-wide :func:`toolkit.speakers.resolve_speakers` pass (as the parallel and
    streaming engines do with their chunks).
    With ``return_documents=True`` returns ``(quotes, documents)`` where documents has one row per
    input document: ``doc_id, chars, quotes, status`` (ok | empty | error) and ``problems``. A
    document that fails is recorded with status "error" and never stops the run.
    ``n_jobs`` runs that many worker processes (-1: one per core; the result is identical to a
    serial run); ``progress`` shows a progress bar with documents/s and MB/s (default: only for
    corpora of 500 documents or more; ``False`` keeps it silent).

    >>> q = extract_quotes("“The port will not wait for the budget,” Okafor said.")
    >>> q.loc[0, ["type", "speaker", "cue", "rule"]].tolist()
    ['direct', 'Okafor', 'said', 'trailing']
    """
    corpus = _as_corpus(corpus)
    if progress is None:
        progress = len(corpus) >= 500
    if n_jobs != 1:
        from .scale import extract_quotes_parallel
        return extract_quotes_parallel(corpus, n_jobs=n_jobs, progress=progress, include_terms=include_terms,
                                       include_stances=include_stances, aliases=aliases,
                                       return_documents=return_documents, speaker_ids=speaker_ids)
    extract_document = _document_extractor()
    row_values = itemgetter(*COLUMNS)
    columns, parts, docs = [[] for _ in COLUMNS], [], []
    with _fewer_gc_passes() as settle, _serial_progress(corpus, enabled=progress) as advance_to:
        for n, (doc_id, text) in enumerate(_documents(corpus), 1):
            doc_id = str(doc_id)
            if n % 2000 == 0:
                settle()
            if n % 50 == 0:
                advance_to(n)
            if len(columns[0]) >= _ROWS_PER_PART:
                # rows held as Python objects take several times the memory of a table's columns
                parts.append(_quote_table(columns))
                columns = [[] for _ in COLUMNS]
            if not isinstance(text, str) or not text.strip():
                docs.append({"doc_id": doc_id, "chars": len(text) if isinstance(text, str) else 0, "quotes": 0,
                             "status": "empty", "problems": "empty text" if isinstance(text, str) else "missing text"})
                continue
            try:
                found = extract_document(text, include_terms=include_terms, include_stances=include_stances)
            except Exception as exc:  # one bad document must not stop a corpus run
                docs.append({"doc_id": doc_id, "chars": len(text), "quotes": 0, "status": "error",
                             "problems": f"{type(exc).__name__}: {exc}"})
                continue
            for k, r in enumerate(found):
                r["doc_id"] = doc_id
                r["quote_id"] = f"{doc_id}:{k}"
            if found:
                # the table is built by column; each document's rows are turned into columns while
                # they are fresh in memory (far fewer cache misses than one pass per column at the end)
                for column, values in zip(columns, zip(*map(row_values, found))):
                    column.extend(values)
            docs.append({"doc_id": doc_id, "chars": len(text), "quotes": len(found), "status": "ok",
                         "problems": ""})
    quotes = _quote_table(columns)
    if parts:
        from .scale import _concat
        quotes = _concat(parts + [quotes])
    if speaker_ids:
        quotes = sp.resolve_speakers(quotes, aliases=aliases)
    quotes = quotes[COLUMNS]
    if return_documents:
        return quotes, pd.DataFrame(docs, columns=DOCUMENT_COLUMNS)
    return quotes
