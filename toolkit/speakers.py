"""Who is speaking: speaker mentions, in-article coreference and corpus-wide speaker ids.

The attribution rules themselves live in :mod:`toolkit.quotes` next to the quote finder (they need
the quote spans); this module holds what they share: the lexicons (reporting verbs, first names,
titles, organization words), the parser that turns a speaker mention ("Secretary of State Antony
Blinken", "Russia’s envoy to the UN", "he") into a name, role and kind, the in-article resolver
that maps every mention of a person to one ``speaker_name``, and the corpus-wide pass
:func:`resolve_speakers` plus the summary table :func:`speakers`.

    >>> import toolkit as tk
    >>> quotes = tk.extract_quotes("“We will win,” Secretary of State Antony Blinken said.")
    >>> quotes.loc[0, ["speaker_name", "speaker_role"]].tolist()
    ['Antony Blinken', 'Secretary of State']
"""
from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache
from pathlib import Path

import pandas as pd

# (the package's folder, also for the compiled copy of this module in toolkit/_speedups)
DATA_DIR = Path(__file__).resolve().parent.parent / "data" if __name__ == "toolkit._speedups.speakers" \
    else Path(__file__).parent / "data"
DEFAULT_ALIASES = DATA_DIR / "aliases.csv"

# --------------------------------------------------------------------------------------------
# Lexicons (data files in toolkit/data, read once)
# --------------------------------------------------------------------------------------------


def _read_csv_rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


@lru_cache(maxsize=None)
def reporting_verbs() -> dict:
    """Map every inflected form of a reporting verb to ``(lemma, stance)``.

    Read from ``toolkit/data/reporting_verbs.csv`` (columns ``lemma, form, stance``).

    >>> reporting_verbs()["insisted"]
    ('insist', 'marked')
    """
    return {r["form"].strip(): (r["lemma"].strip(), r["stance"].strip())
            for r in _read_csv_rows(DATA_DIR / "reporting_verbs.csv")}


@lru_cache(maxsize=None)
def first_names() -> dict:
    """Map a given name to its usual gender: ``"f"``, ``"m"`` or ``"u"`` (either).

    >>> first_names()["Antony"]
    'm'
    """
    return {r["name"].strip(): r["gender"].strip() for r in _read_csv_rows(DATA_DIR / "first_names.csv")}


@lru_cache(maxsize=None)
def titles() -> dict:
    """Map a title or honorific ("Secretary of State", "Mrs.") to ``(gender, kind)``."""
    return {r["title"].strip(): (r["gender"].strip(), r["kind"].strip())
            for r in _read_csv_rows(DATA_DIR / "titles.csv")}


@lru_cache(maxsize=None)
def title_expansions() -> dict:
    """Map an abbreviated title to its full form ("Gov." -> "Governor"), from the ``expansion``
    column of ``toolkit/data/titles.csv``."""
    return {r["title"].strip(): (r.get("expansion") or "").strip()
            for r in _read_csv_rows(DATA_DIR / "titles.csv") if (r.get("expansion") or "").strip()}


_ROLE_NOT_NP_START = frozenset("""in on at by with from after before during since until about according as
while when where who whom whose which that what whether if because although though and but or so then than
to for into through without against among asked told said says speaking reached interviewed quoted writing
also now still later earlier""".split())
_ROLE_CLAUSE_RE = re.compile(r",?\s+(?:who|whom|whose|which|where|when)\b.*$|,.*$", re.S)


def clean_role(role) -> str | None:
    """A speaker role as a noun phrase, or None when the text is not one.

    Participial and adverbial phrases ("speaking to reporters outside her office", "in a letter to
    employees", "asked whether ...") and ages ("41") are not roles; a relative clause is cut ("a
    marine ecologist who organized the letter" -> "a marine ecologist"); abbreviated titles are
    written out ("Gov." -> "Governor", "Detective Sgt." -> "Detective Sergeant").

    >>> clean_role("Sen."), clean_role("speaking to reporters on Monday"), clean_role("41")
    ('Senator', None, None)
    """
    if role is None or not isinstance(role, str):
        return None
    return _clean_role_text(role)


@lru_cache(maxsize=4096)
def _clean_role_text(role: str) -> str | None:
    role = _APOSTROPHE_IN_WORD_RE.sub("’", " ".join(role.split())).strip(" ,;:—–-")
    if not role:
        return None
    first = role.split()[0]
    fl = first.lower()
    if first.islower() and (fl in _ROLE_NOT_NP_START or (fl.endswith("ing") and fl not in ("king",))
                            or (fl.endswith("ed") and len(fl) > 4)):
        return None
    if not _has_letter(role) or first.rstrip(",").isdigit():
        return None
    cut = _ROLE_CLAUSE_RE.sub("", role).strip()
    if cut:
        role = cut
    expansion_rules, any_abbreviation = _title_expansion_rules()
    if any_abbreviation.search(role):
        for abbr, pattern, full_form in expansion_rules:
            if abbr in role:
                role = pattern.sub(full_form, role)
    if titles().get(role, ("u", ""))[1] == "honorific":
        return None
    return role or None


def _has_letter(s: str) -> bool:
    return s[:1].isalpha() or any(ch.isalpha() for ch in s)    # most strings start with one


@lru_cache(maxsize=None)
def _title_expansion_rules():
    """``((abbreviation, pattern, full form), ...)`` longest abbreviation first (so "Lt. Gov." goes
    before "Gov."), and a pattern that finds any abbreviation at all."""
    expansions = title_expansions()
    rules = tuple((abbr, re.compile(r"(?<![\w.])" + re.escape(abbr) + r"(?!\w)"), expansions[abbr])
                  for abbr in sorted(expansions, key=len, reverse=True))
    return rules, re.compile("|".join(re.escape(abbr) for abbr, _p, _f in rules))


@lru_cache(maxsize=None)
def organization_words() -> frozenset:
    """Lower-cased words that make a mention an organization ("ministry", "Kremlin")."""
    with open(DATA_DIR / "organization_words.txt", encoding="utf-8") as fh:
        return frozenset(w.strip().lower() for w in fh if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=None)
def _title_words() -> frozenset:
    words = set()
    for title in titles():
        for w in title.split():
            if w.lower() not in ("of", "the"):
                words.add(w.lower())
    return frozenset(words)


@lru_cache(maxsize=None)
def _honorific_gender() -> dict:
    return {t.lower(): g for t, (g, _k) in titles().items()}


PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f", "they": "p", "them": "p",
                  "i": "s", "me": "s", "we": "p", "us": "p", "it": "o", "you": "s"}

# common nouns for a person, with the gender they imply ("the lad" -> m); "s" = either
PERSON_NOUN_GENDER = {**dict.fromkeys("""lad boy man gentleman fellow youth husband father uncle brother son
nephew king prince lord sir monk priest""".split(), "m"), **dict.fromkeys("""girl woman lady maid maiden widow
wife mother aunt sister daughter niece queen princess hostess mamma governess""".split(), "f"),
    **dict.fromkeys("""painter artist stranger visitor guest host doctor child youngster old stranger newcomer
servant clerk driver soldier officer detective""".split(), "s")}

UNNAMED_HEADS = frozenset("""official officials source sources spokesman spokeswoman spokesperson aide aides
person people expert experts analyst analysts diplomat diplomats lawmaker lawmakers adviser advisers advisor
advisors insider insiders witness witnesses resident residents observer observers critic critics supporter
supporters voter voters economist economists investigator investigators authorities prosecutors prosecutor
officer officers scientist scientists researcher researchers report reports statement poll polls study
survey document documents memo data filing filings representative representatives member members staff
staffer staffers employee employees worker workers activist activists leader leaders someone""".split())

ROLE_HEADS = frozenset("""president minister secretary senator governor mayor leader chief envoy ambassador
diplomat chairman chairwoman chair director spokesman spokeswoman candidate nominee premier chancellor king
queen prince judge justice general commander officer lawyer attorney congressman congresswoman
representative speaker manager founder ceo executive head boss coach captain pope prosecutor adviser
advisor aide official host anchor economist strategist analyst author writer professor doctor woman man
girl boy lady gentleman child mother father wife husband sister brother daughter son friend""".split())

_DETERMINERS = frozenset("the a an this that these those his her its their our my your one two some "
                         "several many another".split())
_NAME_PARTICLES = frozenset("de da del della di du dos das do des van von der den ter ten la le al el bin ibn ben "
                            "abu st. st".split())
_NAME_PARTICLES_OF = _NAME_PARTICLES | {"of"}


# --------------------------------------------------------------------------------------------
# Mentions
# --------------------------------------------------------------------------------------------

# a word may hold apostrophes, hyphens and "&" inside and end with an apostrophe ("players’");
# the look-behind form avoids the backtracking of "(?:[...]*\w)?" (same tokens, faster)
# Written for the regex engine's speed, same tokens: "[A-Z]\.(?:[A-Z]\.)+" is "(?:[A-Z]\.){2,}" (a
# token that is no initialism fails on its first two characters, before the repetition is set up);
# a word opening with an ASCII letter or digit has its own alternative, and the ASCII ranges lead
# the word's character class (both are tested on a fast bitmap before the Unicode categories)
_WORD_TAIL = r"[a-zA-Z0-9\w’'\-&]*(?<![’'\-&])[’']?"
TOKEN_RE = re.compile(r"[A-Z]\.(?:[A-Z]\.)+|[a-zA-Z0-9]" + _WORD_TAIL + r"|[^\W_]" + _WORD_TAIL + r"|[^\w\s]")
ABBREVIATIONS = frozenset("""mr mrs ms dr prof sen rep gov gen lt col maj capt sgt adm rev st jr sr mt
 ft inc corp co ltd no vs u.s u.k u.n supt det insp cmdr atty cpl pvt amb""".split())


# TOKEN_RE preceded by the characters skipped before the token (only whitespace and "_" can never
# start a token): one findall yields every token, and adding up lengths gives its offsets, which is
# cheaper than three method calls on each match object (the gap is not written possessive, "*+",
# which Python 3.10 does not know)
_GAP_AND_TOKEN_RE = re.compile(r"([\s_]*)(" + TOKEN_RE.pattern + ")")
_GAPS_AND_TOKENS = _GAP_AND_TOKEN_RE.findall      # (bound once: no attribute lookup per call)


def tokens_between(text: str, start: int, end: int) -> list:
    """``(start, end, token)`` triples of words and punctuation in ``text[start:end]``.

    Abbreviations such as "Sen." and "Mr." keep their period, so a title never ends a sentence.
    """
    out = []       # (out.append, not a saved bound method: compiled, it is a direct list append)
    e = max(start, 0)        # where the regex starts (it reads a negative start as 0)
    for gap, tok in _GAPS_AND_TOKENS(text, start, end):
        s = e + len(gap)
        e = s + len(tok)
        if tok == "." and out and out[-1][1] == s:
            ps, _pe, ptok = out[-1]
            if ptok.lower().rstrip(".") in ABBREVIATIONS or (len(ptok) == 1 and ptok.isupper()):
                out[-1] = (ps, e, ptok + ".")      # "Sen.", "Mr.", an initial: "John F. Kennedy"
                continue
        out.append((s, e, tok))
    return out


def _last_token(text: str, start: int, end: int):
    """``tokens_between(text, start, end)[-1]``, or None when there is no token; tokenizes only
    from the last space (no token holds white space, so the tokens after it end the window)."""
    start, end = max(start, 0), min(end, len(text))
    while end > start and text[end - 1].isspace():
        end -= 1      # (white space ends every token: "said, “" needs no call for the part after ",")
    while end > start:
        space = text.rfind(" ", start, end)
        toks = tokens_between(text, start if space < 0 else space, end)
        if toks or space < 0:
            return toks[-1] if toks else None
        end = space
    return None


def is_capitalized(tok: str) -> bool:
    return tok[:1].isupper()


def mention_info(text: str, start: int, end: int) -> dict:
    """Parse the speaker mention ``text[start:end]`` into name, role, kind and gender.

    Returns a dict with ``mention, start, end, name, role, kind, gender, pronoun`` where ``kind``
    is person | organization | unnamed source | pronoun | nominal | unknown.

    >>> mention_info("Secretary of State Antony Blinken", 0, 33)["name"]
    'Antony Blinken'
    """
    if 0 <= start <= end <= len(text):
        # the fields depend on the mention's own text only (names recur across articles)
        parsed = _parse_mention(text[start:end])
        info = None if parsed is None else {**parsed, "start": start, "end": end}
    else:
        info = _mention_fields(text, start, end)
    if info is not None:
        return info
    # a relative pronoun speaks for its antecedent: "Sanders, who says ..." -> Sanders
    ante = relative_antecedent(text, start, max(0, start - 260))
    if ante is None:
        return _blank_mention(text, start, end)
    out = mention_info(text, ante[0], ante[1])
    out.update(mention=text[start:end], start=start, end=end)
    return out


@lru_cache(maxsize=4096)
def _parse_mention(mention: str):
    """:func:`_mention_fields` of a whole string; shared, so callers copy it before changing it."""
    return _mention_fields(mention, 0, len(mention))


def _blank_mention(text, start, end):
    return {"mention": text[start:end], "start": start, "end": end, "name": None, "role": None,
            "kind": "unknown", "gender": "u", "pronoun": False, "role_words": frozenset()}


def _mention_fields(text: str, start: int, end: int):
    """:func:`mention_info` of a mention that is not a relative pronoun; None for "who" or "which"."""
    toks = tokens_between(text, start, end)
    info = _blank_mention(text, start, end)
    if not toks:
        return info
    words = [t[2] for t in toks]
    low = [w.lower() for w in words]
    if len(words) == 1 and low[0] in PRONOUN_GENDER:
        info.update(kind="pronoun", pronoun=True, gender=PRONOUN_GENDER[low[0]])
        return info
    if len(words) == 1 and low[0] in _POSSESSIVE_PRONOUNS:
        # "his answer", "his claim that": the possessor speaks
        info.update(kind="pronoun", pronoun=True, gender=PRONOUN_GENDER[_POSSESSIVE_PRONOUNS[low[0]]])
        return info
    if len(words) == 1 and low[0] in ("who", "which"):
        return None
    # the name is the last run of capitalized tokens (with particles inside)
    j = len(toks)
    while j > 0 and low[j - 1] in (",", "’s", "'s"):
        j -= 1
    if j > 1 and low[j - 1] in _WEEKDAYS:
        # "a filing released Thursday", "the senator on Tuesday": a date, not a name
        j -= 1
        while j > 1 and low[j - 1] in ("on", "last", "this", "earlier", "later", "late", "early", "super"):
            j -= 1
    k = j
    while k > 0 and (is_capitalized(words[k - 1]) or (low[k - 1] in _NAME_PARTICLES and k < j)
                     or (low[k - 1] in ("of",) and k - 1 > 0 and is_capitalized(words[k - 2]))):
        k -= 1
    while k < j and low[k] in _NAME_PARTICLES_OF:
        k += 1
    run = range(k, j)
    head = low[j - 1] if j else ""
    orgs = organization_words()
    title_words = _title_words()
    honor = _honorific_gender()
    gender = "u"
    if run:
        # split leading title words (and nationality adjectives before them) from the name
        last_title = -1
        for i in run:
            w = low[i]
            if w in title_words or w.rstrip(".") in title_words:
                last_title = i
        name_idx = list(range(max(k, last_title + 1), j))
        role_idx = list(range(0, last_title + 1)) if last_title >= 0 else list(range(0, k))
        if name_idx and low[name_idx[0]] in honor:
            gender = honor[low[name_idx[0]]]
        elif last_title >= 0 and low[last_title] in honor and titles().get(words[last_title], ("u", ""))[1] == "honorific":
            gender = honor[low[last_title]]
            if len(name_idx) == 1:
                name_idx = [last_title] + name_idx   # keep "Mrs." in "Mrs. Costello", not in "Mrs. Ann Costello"
                role_idx = list(range(0, last_title))
        name_words = [words[i] for i in name_idx]
        role_words = [words[i] for i in role_idx if low[i] not in _DETERMINERS]
        is_org = not orgs.isdisjoint(low[k:j]) or (head in orgs)
        if name_words and not is_org:
            first = name_words[0].rstrip(".")
            if first.lower() in honor:
                first = name_words[1] if len(name_words) > 1 else ""
            fn = first_names().get(first)
            if gender == "u" and fn:
                gender = fn
            if len(name_idx) > 2 and low[name_idx[0]] in honor:
                name_idx = name_idx[1:]              # "Dr. Anika Bose" -> "Anika Bose"
            of_at = [i for i in name_idx if low[i] == "of"] if fn else ()
            if of_at and of_at[0] - name_idx[0] >= 2:
                name_idx = [i for i in name_idx if i < of_at[0]]   # "Stephanie Hooton of Derry": a place
            name = text[toks[name_idx[0]][0]:toks[name_idx[-1]][1]]
            single = len(name_idx) == 1 and last_title < 0 and not fn
            info.update(kind="unknown" if single else "person", name=name, gender=gender)
            if role_words:
                info["role"] = text[toks[role_idx[0]][0]:toks[role_idx[-1]][1]].strip(" ,") if role_idx else None
                if info["role"] and info["role"].lower().split()[0] in _DETERMINERS:
                    info["role"] = " ".join(info["role"].split()[1:]) or None
            if info["role"] and titles().get(info["role"], ("u", ""))[1] == "honorific":
                info["role"] = None                  # "Dr." or "Mrs." alone is not a role
            if role_words:
                info["role_words"] = frozenset(w.lower().rstrip("’s").rstrip("'s") for w in role_words)
            return info
        if is_org:
            s0 = toks[k][0] if run else toks[0][0]
            name = text[s0:toks[j - 1][1]]
            if low[k] in ("the",):
                name = text[toks[k + 1][0]:toks[j - 1][1]]
            info.update(kind="organization", name=name)
            return info
        if last_title >= 0 and not name_idx:
            info.update(kind="nominal", role=text[toks[0][0]:toks[j - 1][1]],
                        role_words=frozenset(low[:j]))
            return info
    if head in orgs:
        info.update(kind="organization", name=text[toks[0][0]:toks[j - 1][1]] if j else None)
        if low[0] == "the" and len(toks) > 1:
            info["name"] = text[toks[1][0]:toks[j - 1][1]]
        return info
    if head in UNNAMED_HEADS and head not in ("leader",) or head.endswith("s") and head[:-1] in UNNAMED_HEADS:
        info.update(kind="unnamed source", name=None)
        if head in ROLE_HEADS and low[0] == "the" and not head.endswith("s"):
            info.update(kind="nominal", role=text[toks[0][0]:toks[j - 1][1]], role_words=frozenset(low[1:j]))
        return info
    if head in ROLE_HEADS or head in PERSON_NOUN_GENDER:
        info.update(kind="nominal", role=text[toks[0][0]:toks[j - 1][1]], role_words=frozenset(low[:j]),
                    gender=PERSON_NOUN_GENDER.get(head, "u"), definite=low[0] == "the")
        return info
    return info


# --------------------------------------------------------------------------------------------
# In-article coreference
# --------------------------------------------------------------------------------------------

# one capitalized name word: "Okafor", "Mei-Lin", "McAllister", "O’Brien", "D'Souza", "N’Diaye", "Okafor’s"
_NAME_WORD = r"(?:[A-Z][’'])?[A-Z][a-zà-ÿ]+(?:[A-Z][a-zà-ÿ]+)?(?:[’'\-][A-Za-zà-ÿ][a-zà-ÿ]*)*"
# _NAME_WORD after its first capital letter (with the same order of trials)
_NAME_WORD_AFTER_FIRST = r"(?:[’'][A-Z][a-zà-ÿ]+|[a-zà-ÿ]+)(?:[A-Z][a-zà-ÿ]+)?(?:[’'\-][A-Za-zà-ÿ][a-zà-ÿ]*)*"
_NAME_RUN_TITLES = ("Mr", "Mrs", "Ms", "Dr", "Miss", "Sen", "Rep", "Gov", "Gen", "Lady", "Lord", "Sir", "Madame", "Mme",
                    "Monsieur", "Signor", "Signora", "Herr", "Frau", "Prof", "President")


def _name_run_pattern():
    """``(?:(?:Mr|Mrs|...)\\.?\\s+)?NAME(?:\\s+(?:of\\s+)?(?:[A-Z]\\.\\s+)?NAME){0,3}``, written as one
    alternative per capital letter that starts with the letter itself ("M(?:(?:r|rs|s|iss|...)...|...)"):
    a pattern whose every alternative opens with a literal lets the regex engine skip to capital
    letters without trying the pattern at each position (a third less time on the article scan);
    each alternative tries the title first, as the optional title group did, so the matches are
    the same."""
    more_words = r"(?:\s+(?:of\s+)?(?:[A-Z]\.\s+)?" + _NAME_WORD + r"){0,3}"
    alternatives = []
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        rest = _NAME_WORD_AFTER_FIRST + more_words
        titles = [t[1:] for t in _NAME_RUN_TITLES if t[0] == letter]
        if titles:
            rest = r"(?:(?:" + "|".join(titles) + r")\.?\s+" + _NAME_WORD + more_words + "|" + rest + ")"
        alternatives.append(letter + rest)
    return "(?:" + "|".join(alternatives) + ")"


_NAME_RUN_RE = re.compile(_name_run_pattern())

_SENTENCE_WORDS = frozenset("""I The A An But And Or So Yet If When While As At In On Of For To From With By
After Before Then Now This That These Those It He She They We You His Her Their Our My Your Its There Here
What Who Why How Where Which Yes No Oh Well Not Perhaps Still Just Even Also Only Some Many Most All Every Each
Mr Mrs Ms Miss Dr Sir Lady Lord Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
April May June July August September October November December God""".split())


_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_LOWER_WORD_RE = re.compile(r"[a-z][a-z’'\-]*")
_LOWER_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz’'-")


class ArticleSpeakers:
    """Tracks the people of one article so every mention resolves to one ``speaker_name``.

    Entities are keyed by their longest name; a surname alone, a name with an honorific ("Mr.
    Turner"), a pronoun (nearest preceding compatible person) or a role ("the minister": the person
    last given that role) resolve to an existing entity.
    """

    def __init__(self, text: str, quote_spans=(), known_names=()):
        self.text = text
        self.entities = {}          # canonical name -> {"gender", "roles": set, "kind"}
        self.by_token = {}          # name token -> set of canonical names
        self.mentions = []          # (start, canonical) sorted on insertion by position
        self._positions = []
        self._quote_starts = sorted([s for s, _e in quote_spans])
        self._quote_ends = [e for _s, e in sorted(quote_spans)]
        self._lower_case_seen = {}      # word -> whether the text uses it in lower case
        self._scan_person_names(known_names)

    _last_speaker = None            # (position, entity) of the last speaker mention resolved

    def _dialogue(self):
        """Fiction-like text: many quotations close their paragraph and the next opens with one."""
        if getattr(self, "_is_dialogue", None) is None:
            text, pairs = self.text, 0
            if len(self._quote_starts) > 10:       # (ten pairs need eleven quotations)
                for a_end, b_start in zip(self._quote_ends, self._quote_starts[1:]):
                    gap = text[a_end:b_start]
                    if 0 < gap.count("\n") and not gap.strip():
                        pairs += 1
            self._is_dialogue = pairs >= 10 and pairs >= 0.15 * len(self._quote_starts)
        return self._is_dialogue

    def _new_turn(self, prev_pos, pos):
        """True when ``pos`` lies in the quotation paragraph right after the one holding ``prev_pos``
        (one paragraph break between them, and the new paragraph opens with a quotation)."""
        if not self._dialogue() or pos - prev_pos > 3000:
            return False
        between = self.text[prev_pos:pos]
        brk = between.find("\n\n")
        if brk < 0 or between.find("\n\n", brk + 2) >= 0:
            return False
        rest = between[brk:].lstrip()
        return rest[:1] in "\"“„«'‘"

    # -- building ---------------------------------------------------------------------------
    def _inside_quote(self, pos):
        i = bisect_left(self._quote_starts, pos + 1) - 1
        return i >= 0 and self._quote_ends[i] > pos

    def _scan_person_names(self, known_names=()):
        """Add person mentions found in the text outside quotes: names with a title or honorific, a
        known first name, or a word already used as a speaker name elsewhere in the article."""
        names = first_names()
        honor = _honorific_gender()
        title_words = _title_words()
        known = set(known_names)
        quote_starts, quote_ends = self._quote_starts, self._quote_ends
        for m in _NAME_RUN_RE.finditer(self.text):
            group = m.group()
            toks, opens = _run_words(group)
            # cheap test first: most capitalized runs have no title, first name or known surname
            if not (toks[-1] in known or opens):
                continue
            s, e = m.span()
            i = bisect_left(quote_starts, s + 1) - 1      # (self._inside_quote(s), inlined)
            if i >= 0 and quote_ends[i] > s:
                continue
            head = toks[0]
            hl = head.lower()
            if (head in _SENTENCE_WORDS or (hl.endswith("ly") and head not in names)
                    or (head not in names and hl not in honor and hl.rstrip(".") not in title_words
                        and self._used_in_lower_case(hl))) \
                    and hl not in honor and hl + "." not in honor:
                # a sentence-initial common word ("Already Joe", "Whether Helen") is not part of the name
                if len(toks) < 2:
                    continue
                s = s + m.group().index(toks[1], len(head))
                toks = toks[1:]
                head = toks[0]
                hl = head.lower()
            if not (hl in honor or hl.rstrip(".") in honor or hl.rstrip(".") in title_words
                    or head in names or (len(toks) == 1 and head in known)
                    or (len(toks) > 1 and toks[-1] in known)):
                continue
            while len(toks) > 2 and toks[-1] not in names and toks[-1] not in known and (
                    toks[-1].lower() in _WEEKDAYS or self._used_in_lower_case(toks[-1].lower())):
                # a headline word after the name: "Hillary Clinton Attacks", "Ted Cruz Super Tuesday"
                e = s + self.text[s:e].rindex(toks[-1])
                e = s + len(self.text[s:e].rstrip())
                toks = toks[:-1]
            run = self.text[s:e]
            if " of " in run and hl.rstrip(".") not in title_words:
                run = run[:run.index(" of ")]      # "Mary of Ralph", "Picture of Dorian Gray": no title, no "of"
                if " " not in run and run not in names:
                    continue
            kind, name, gender, role, role_words = _name_run_info(run)
            if kind == "person" and name:
                self.add(name, s, gender=gender, role=role, role_words=role_words)

    def _used_in_lower_case(self, word):
        """True when ``word`` occurs in the text as a whole lower-case word ("already", "whether"):
        not after a letter, digit, "_", apostrophe or hyphen, and not before a lower-case letter,
        apostrophe or hyphen."""
        found = self._lower_case_seen.get(word)
        if found is None:
            found = False
            if _LOWER_WORD_RE.fullmatch(word):
                # str.find and two neighbour tests: cheaper than collecting every lower-case word
                text, size = self.text, len(word)
                at = text.find(word)
                while at >= 0:
                    before = text[at - 1] if at else " "
                    after = text[at + size:at + size + 1]
                    found = not (before.isalnum() or before in "_’'-") and not (after and after in _LOWER_WORD_CHARS)
                    if found:
                        break
                    at = text.find(word, at + 1)
            self._lower_case_seen[word] = found
        return found

    def canonical(self, name: str, gender: str = "u") -> str:
        """Return the entity a name refers to, creating it when new."""
        key = _strip_honorific(name)
        if key in self.entities:
            return key        # (an entity's name always has a word)
        toks = key.split()
        if not toks:
            return name
        # a longer name absorbs an earlier surname-only entity and vice versa
        cands = self.by_token.get(toks[-1], ())
        cands = {c for c in cands if _compatible(self.entities[c]["gender"], gender)}
        if len(toks) == 1 and cands:
            full = [c for c in cands if len(c.split()) > 1]
            pick = full or list(cands)
            if len(set(pick)) == 1 or len(pick) >= 1:
                return max(pick, key=_word_count_then_name)
        if len(toks) > 1:
            for c in list(cands):
                ctoks = c.split()
                if len(ctoks) == 1 or set(ctoks) <= set(toks):
                    # upgrade the short entity to the longer name
                    ent = self.entities.pop(c)
                    self.entities[key] = ent
                    for t in ctoks:
                        self.by_token.get(t, set()).discard(c)
                    self._rename(c, key)
                    break
        if key not in self.entities:
            self.entities[key] = {"gender": gender, "roles": set(), "kind": "person", "role": None}
        by_token = self.by_token
        for t in toks:
            names = by_token.get(t)
            if names is None:
                by_token[t] = names = set()
            names.add(key)
        return key

    def _rename(self, old, new):
        self.mentions = [(p, new if c == old else c) for p, c in self.mentions]

    def add(self, name, pos, *, gender="u", kind="person", role=None, role_words=()):
        key = self.canonical(name, gender)
        ent = self.entities[key]
        if ent["gender"] == "u" and gender in ("m", "f"):
            ent["gender"] = gender
        if kind != "person":
            ent["kind"] = kind
        if role is not None:
            role = clean_role(role)
        if role and (not ent["role"] or len(role) > len(ent["role"])):
            ent["role"] = role
        if role_words:
            ent["roles"].update(filter(None, role_words))
        i = bisect_left(self._positions, pos)
        self._positions.insert(i, pos)
        self.mentions.insert(i, (pos, key))
        return key

    # -- resolving --------------------------------------------------------------------------
    def resolve(self, info: dict, *, window: int = 3000, exclude=()):
        """Return ``(speaker_name, kind, role)`` for a parsed mention, updating the entity table."""
        kind = info["kind"]
        pos = info["start"]
        if info.get("role") is not None:
            info["role"] = clean_role(info["role"])
        if kind in ("person", "unknown") and info["name"]:
            key = self.add(info["name"], pos, gender=info["gender"], role=info.get("role"),
                           role_words=info.get("role_words", ()))
            self._last_speaker = (pos, key)
            ent = self.entities[key]
            return key, "person", ent.get("role") or info.get("role")
        if kind == "organization":
            named = self.named_organization(info)
            return named or _APOSTROPHE_IN_WORD_RE.sub("’", info["name"] or "") or None, "organization", None
        if kind == "pronoun":
            g = info["gender"]
            if info.get("mention", "").lower() in ("i", "my"):
                label = self._transcript_label(pos)
                if label:
                    # interview transcript: "FALLIN: I think he is ..." -> the labelled speaker
                    key = self.add(label, pos, gender="u")
                    self._last_speaker = (pos, key)
                    return key, "person", self.entities[key].get("role")
            if g in ("m", "f", "s"):
                # nobody addresses themselves: "“I am so sorry, Harry,” he cried" -> not Harry
                exclude = set(exclude) | self._addressed_near(pos, info.get("end", pos))
                key = None
                last = self._last_speaker
                if last and g in ("m", "f") and last[1] not in exclude and self._new_turn(last[0], pos):
                    # dialogue: "he said" in the turn after another man's turn is the other man
                    ent = self.entities.get(last[1])
                    if ent and _compatible(ent["gender"], g):
                        key = self.nearest_person(pos, g, window=window, exclude=exclude | {last[1]})
                if key is None:
                    key = self.nearest_person(pos, g, window=window, exclude=exclude)
                if key:
                    self._last_speaker = (pos, key)
                    return key, "person", self.entities[key].get("role")
                return None, "person", None
            return None, "unknown", None
        if kind == "nominal":
            key = self.by_role(pos, info.get("role_words", frozenset()), window=window * 2)
            if key is None and info.get("definite") and info.get("mention", "").split()[-1].lower() in PERSON_NOUN_GENDER:
                # "cried the lad": the nearest person the noun fits (only for plain person nouns); like
                # "he said", in the turn right after another's turn it is not that last speaker
                exclude = set(exclude) | self._addressed_near(pos, info.get("end", pos))
                last = self._last_speaker
                if last and self._new_turn(last[0], pos):
                    exclude.add(last[1])
                key = self.nearest_person(pos, info.get("gender") or "s", window=window, exclude=exclude)
                if key:
                    self._last_speaker = (pos, key)
            if key:
                return key, "person", self.entities[key].get("role") or info.get("role")
            return None, "person", info.get("role")
        if kind == "unnamed source":
            return None, "unnamed source", None
        return None, "unknown", None

    def _transcript_label(self, pos):
        """The speaker label opening the paragraph around ``pos`` in a transcript ("TAPPER: ...",
        "JAKE TAPPER: ..."), title-cased, or None."""
        line_start = self.text.rfind("\n", max(0, pos - 3000), pos) + 1
        m = _TRANSCRIPT_LABEL_RE.match(self.text, line_start, pos)
        if m is None or m.group(1).split()[0] in _NOT_SPEAKER_LABELS:
            return None
        return m.group(1).title()

    def _addressed_near(self, start, end):
        """Names addressed (vocatives) in the quotation right before or right after a mention."""
        out = set()
        i = bisect_left(self._quote_starts, start) - 1
        near = []
        if i >= 0 and start - self._quote_ends[i] <= 3:      # also a span holding an interrupted quote
            near.append((self._quote_starts[i] + 1, min(self._quote_ends[i] - 1, start)))
        if i + 1 < len(self._quote_starts) and 0 <= self._quote_starts[i + 1] - end <= 12:
            near.append((self._quote_starts[i + 1] + 1, self._quote_ends[i + 1] - 1))
        for qs, qe in near:
            for s, e in vocatives(self.text, qs, qe):
                key = _addressee_key(self, self.text, s, e)
                if key in self.entities:
                    out.add(key)
        return out

    def named_organization(self, info, *, window=20000):
        """The organization a common-noun mention ("the company", "the port authority", "the
        governor’s office") refers to: the last name before it in the article that carries the same
        head noun ("Bellhaven Port Authority") and every modifier; for "the company" / "the firm" the
        last corporate name ("Quillbyte Inc."). None when the mention is already a name."""
        words = _MENTION_WORD_RE.findall(info.get("mention") or "")
        if len(words) < 2 or words[0].lower() not in ("the", "its", "their") \
                or any([is_capitalized(w) for w in words[1:]]):
            return None
        head = words[-1].lower()
        modifiers = [w.lower() for w in _LETTERS_RE.findall(" ".join(words[1:-1]))
                     if w.lower() not in ("s", "the", "of")]
        lo = max(0, info["start"] - window)
        if head in _COMPANY_NOUNS:
            found = None
            for m in _CORPORATE_NAME_RE.finditer(self.text, lo, info["start"]):
                found = _without_leading_function_words(m.group())
            return normalize_name(found) if found and not modifiers else None
        for m in reversed(list(_whole_word_pattern(head.capitalize()).finditer(self.text, lo, info["start"]))):
            name = _organization_around(self.text, m.start(), m.end())
            low = name.lower()
            if name != head.capitalize() and all([w in low for w in modifiers]):
                return normalize_name(name)
        return None

    def nearest_person(self, pos, gender, *, window=3000, exclude=()):
        i = bisect_left(self._positions, pos) - 1
        lo = pos - window
        while i >= 0 and self._positions[i] >= lo:
            _p, key = self.mentions[i]
            ent = self.entities.get(key)
            if ent and ent["kind"] == "person" and key not in exclude and (
                    gender == "s" or _compatible(ent["gender"], gender)):
                return key
            i -= 1
        return None

    def by_role(self, pos, role_words, *, window=6000):
        if not role_words:
            return None
        i = bisect_left(self._positions, pos) - 1
        lo = pos - window
        best, best_score = None, 0
        seen = set()
        while i >= 0 and self._positions[i] >= lo:
            key = self.mentions[i][1]
            i -= 1
            if key in seen or key not in self.entities:
                continue
            seen.add(key)
            roles = self.entities[key]["roles"]
            score = len(roles & set(role_words))
            if score > best_score:
                best, best_score = key, score
        return best


_COMPANY_NOUNS = frozenset("company firm corporation business insurer utility retailer carrier manufacturer "
                           "automaker bank lender startup developer operator".split())
# "(?:[A-Z]...\s+){1,4}" written as one word then up to three more: a pattern that opens with "[A-Z]" lets
# the regex engine skip to capital letters instead of starting the repetition at every position
_CORPORATE_NAME_RE = re.compile(r"[A-Z][\w’'&\-]*\s+(?:[A-Z][\w’'&\-]*\s+){0,3}(?:Inc\.?|Corp\.?|Co\.|Ltd\.?|LLC|"
                                r"PLC|plc|Group|Holdings|Company|Corporation|Partners|AG|SA|GmbH)(?![\w])")
# capitalised at the start of a sentence, never the first word of a company name
_LEADING_FUNCTION_WORDS = frozenset("""Since Although Though Because Until Unless Whether Once Despite Without Under
Over Against During Like Unlike Including Meanwhile However Yet Still Even Also Only Now Then Today Yesterday""".split())


@lru_cache(maxsize=1024)
def _whole_word_pattern(word):
    """``word`` not inside a longer word: ``(?<![\\w’'])word(?![\\w’'])``, with the look-behind
    written after the word (not preceded by a letter, then the word) so that the pattern opens
    with the word itself and the regex engine searches for it instead of trying every position."""
    word = re.escape(word)
    return re.compile(word + r"(?<![\w’']" + word + r")(?![\w’'])")


def _without_leading_function_words(name):
    """ "Since Quillbyte Inc." -> "Quillbyte Inc.": drop sentence words matched before a company name."""
    words = name.split()
    while len(words) > 2 and (words[0] in _LEADING_FUNCTION_WORDS or words[0] in _ORG_STOP
                              or words[0] in _SENTENCE_WORDS):
        words = words[1:]
    return " ".join(words)


_ORG_NAME_WORD_RE = re.compile(r"[A-Z][\w’'&\-]*\.?$")
_ORG_TAIL_RE = re.compile(r"\s+(?:of|for|on)\s+(?:the\s+)?(?:[A-Z][\w’'&\-]*\s*)+")
_ORG_STOP = frozenset("The A An This That In On At But And For Of By With From After Before When While As If "
                      "It Its Their His Her Our".split())


# an upper-case speaker label at the start of a transcript paragraph (not "Q:" / "A:")
_NOT_SPEAKER_LABELS = frozenset("CORRECTION UPDATE UPDATED BREAKING EDITOR'S EDITOR’S NOTE WATCH READ "
                                "RELATED PHOTOS VIDEO LIVE ADVERTISEMENT".split())
# "TAPPER: ...", "JAKE TAPPER: ...", and the "Q: ..." / "A: ..." of a question-and-answer interview
_TRANSCRIPT_LABEL_RE = re.compile(r"[ \t]*([QA]|[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):[ \t]")
_MENTION_WORD_RE = re.compile(r"[\w’'.&\-]+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_CAPITALIZED_WORD_AT_END_RE = re.compile(r"([A-Z][\w’'&\-]*)\s+$")


def _organization_around(text, start, end):
    """The capitalized name around an organization head word: "Bellhaven Port Authority",
    "Office of the Governor"."""
    s = start
    while True:
        m = _CAPITALIZED_WORD_AT_END_RE.search(text[max(0, s - 40):s])
        if not m or m.group(1) in _ORG_STOP:
            break
        s = s - (len(m.group(0)))
    tail = _ORG_TAIL_RE.match(text, end, min(len(text), end + 80))
    e = tail.end() if tail else end
    return text[s:e].strip()


@lru_cache(maxsize=None)
def _qualifying_lower_words() -> frozenset:
    """Lower-case honorifics and title words (without a final period) that mark a person's name."""
    return frozenset({h.rstrip(".") for h in _honorific_gender()} | _title_words())


@lru_cache(maxsize=4096)
def _opens_like_a_name(run: str) -> bool:
    """True when one of the first two words of a capitalized run is a first name, an honorific or
    a title word."""
    names = first_names()
    qualifying = _qualifying_lower_words()
    return any(w in names or w.lower().rstrip(".") in qualifying for w in run.split()[:2])


@lru_cache(maxsize=65536)
def _run_words(run: str):
    """``(words, opens like a name)`` of a capitalized run: ``tuple(run.split())`` and
    :func:`_opens_like_a_name` (runs recur within and across articles)."""
    return tuple(run.split()), _opens_like_a_name(run)


@lru_cache(maxsize=65536)
def _name_run_info(run: str):
    info = mention_info(run, 0, len(run))
    return info["kind"], info["name"], info["gender"], info.get("role"), info.get("role_words", frozenset())


def _word_count_then_name(name):
    """Sort key of candidate entities: the name with the most words wins, ties by the name."""
    return len(name.split()), name


def _compatible(g1, g2):
    return g1 == "u" or g2 == "u" or g1 == g2 or g2 in ("s", "p") or g1 in ("s", "p")


_HONORIFIC_RE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Mme|Sir|Lady|Lord|Prof)\.?\s+")


_APOSTROPHE_IN_WORD_RE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_POSSESSIVE_END_RE = re.compile(r"(?<=[^\W\d_])(?:[’']s|(?<=s)[’'])(?![\w’'])")


def normalize_name(name: str) -> str:
    """One spelling per name: the typographic apostrophe inside words ("O'Brien" -> "O’Brien"), no
    possessive ending ("Okafor’s" -> "Okafor") and single spaces.

    >>> normalize_name("Raymond D'Souza’s")
    'Raymond D’Souza'
    """
    name = _APOSTROPHE_IN_WORD_RE.sub("’", str(name))
    return " ".join(_POSSESSIVE_END_RE.sub("", name).split())


@lru_cache(maxsize=4096)
def _strip_honorific(name: str) -> str:
    return normalize_name(name)


# --------------------------------------------------------------------------------------------
# Corpus-wide ids
# --------------------------------------------------------------------------------------------


_INNER_APOSTROPHE_RE = re.compile(r"(?<=\w)[’'`´‘](?=\w)")
_NOT_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """Lower-case ASCII slug of a name: "Volodymyr Zelensky" -> "volodymyr-zelensky".

    Apostrophes inside a name vanish whichever style the text used: "Marcus O’Brien" and "Marcus
    O'Brien" both give "marcus-obrien".
    """
    s = _INNER_APOSTROPHE_RE.sub("", str(name))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return _NOT_SLUG_RE.sub("-", s.lower()).strip("-") or "unknown"


def load_aliases(path=None) -> pd.DataFrame:
    """Read an alias table (CSV with columns ``alias, name`` and optional ``speaker_id``).

    Each row maps a name variant to the canonical name it should join. A canonical name mapped to
    itself with a distinct ``speaker_id`` is kept apart from look-alikes (a split). Lines starting
    with ``#`` are comments. Returns a DataFrame with columns ``alias, name, speaker_id``.

    >>> load_aliases().columns.tolist()
    ['alias', 'name', 'speaker_id']
    """
    path = Path(path) if path is not None else DEFAULT_ALIASES
    if not path.exists():
        raise FileNotFoundError(f"alias table not found: {path}")
    rows = _read_csv_rows(path)
    if rows and not {"alias", "name"} <= set(rows[0]):
        raise ValueError(f"alias table {path} needs the columns 'alias,name' (got {sorted(rows[0])})")
    out = pd.DataFrame([{"alias": (r.get("alias") or "").strip(), "name": (r.get("name") or "").strip(),
                         "speaker_id": (r.get("speaker_id") or "").strip() or None} for r in rows],
                       columns=["alias", "name", "speaker_id"])
    return out[(out["alias"] != "") & (out["name"] != "")].reset_index(drop=True)


def _alias_maps(aliases):
    if aliases is None:
        return {}, {}
    if isinstance(aliases, (str, Path)):
        aliases = load_aliases(aliases)
    elif isinstance(aliases, dict):
        aliases = pd.DataFrame({"alias": list(aliases), "name": list(aliases.values()), "speaker_id": None})
    to_name, fixed_id = {}, {}
    for row in aliases.itertuples(index=False):
        to_name[row.alias.casefold()] = row.name
        sid = getattr(row, "speaker_id", None)
        if isinstance(sid, str) and sid:
            fixed_id[row.alias.casefold()] = sid
            fixed_id.setdefault(row.name.casefold(), sid) if row.alias == row.name else None
    return to_name, fixed_id


def resolve_speakers(quotes: pd.DataFrame, *, aliases=None) -> pd.DataFrame:
    """Assign a corpus-wide ``speaker_id`` to every attributed quote (a pass over the table only).

    Names are joined across articles when unambiguous: a one-word name ("Zelensky") joins the only
    longer name that ends with it ("Volodymyr Zelensky"); two full names join when they agree. The
    alias table (``aliases``: a DataFrame/CSV path from :func:`load_aliases`, or a dict) first
    rewrites variants to canonical names; an alias row with a ``speaker_id`` forces that id.
    Organizations keep their own names. Returns a copy of ``quotes`` with ``speaker_id`` filled.

    >>> import toolkit as tk
    >>> q = tk.extract_quotes("“Yes,” Volodymyr Zelensky said. Later, “No,” Zelensky said.")
    >>> q["speaker_id"].unique().tolist()
    ['volodymyr-zelensky']
    """
    out = quotes.copy()
    if out.empty or "speaker_name" not in out:
        if "speaker_id" not in out:
            out["speaker_id"] = pd.Series(dtype="object")
        return out
    if aliases is None and DEFAULT_ALIASES.exists():
        aliases = load_aliases()
    to_name, fixed_id = _alias_maps(aliases)
    names = out["speaker_name"].where(out["speaker_name"].notna(), None)
    kinds = out["speaker_kind"] if "speaker_kind" in out else pd.Series("person", index=out.index)
    canon = {}
    for n in names.dropna().unique():
        canon[n] = to_name.get(str(n).casefold(), n)
    # index full names by their last token, case-folded
    by_last = {}
    for n in set(canon.values()):
        toks = _id_tokens(n)
        core = _core_tokens(toks)
        if len(toks) > 1 and core:
            by_last.setdefault(core[-1], set()).add(n)
    ids = {}
    for n, c in canon.items():
        if str(n).casefold() in fixed_id:
            ids[n] = fixed_id[str(n).casefold()]
            continue
        if c.casefold() in fixed_id:
            ids[n] = fixed_id[c.casefold()]
            continue
        toks = _id_tokens(c)
        if len(toks) == 1 and len(by_last.get(toks[0], ())) == 1:
            c = next(iter(by_last[toks[0]]))
        ids[n] = slugify(" ".join(_id_tokens(c)) or c)
    sid = [ids.get(n) if n is not None else None for n in names.tolist()]
    out["speaker_id"] = pd.Series(sid, index=out.index, dtype="object")
    del kinds
    return out


_ID_DROP = frozenset("mr mrs ms miss dr prof sir the".split())
_NAME_SUFFIXES = frozenset("jr sr ii iii iv inc corp co ltd llc plc".split())


def _core_tokens(toks):
    """Name tokens without generational or corporate suffixes ("Calvin Mercer Jr." -> calvin mercer)."""
    k = len(toks)
    while k > 1 and toks[k - 1] in _NAME_SUFFIXES:
        k -= 1
    return toks[:k]


def _id_tokens(name):
    name = _INNER_APOSTROPHE_RE.sub("", normalize_name(name).casefold())
    return [t for t in _WORDS_RE.findall(name) if t not in _ID_DROP]


def speakers(quotes: pd.DataFrame) -> pd.DataFrame:
    """One row per speaker: ``speaker_id, speaker_name, kind, variants, roles, quotes, documents, words``.

    ``variants`` lists the names and mentions seen (pronouns left out), ``roles`` the roles given in the text,
    ``words`` the number of quoted words. Sorted by ``quotes``, most quoted first.

    >>> import toolkit as tk
    >>> tk.speakers(tk.extract_quotes("“We will win,” Antony Blinken said.")).speaker_name.tolist()
    ['Antony Blinken']
    """
    cols = ["speaker_id", "speaker_name", "kind", "variants", "roles", "quotes", "documents", "words"]
    if quotes is None or len(quotes) == 0 or "speaker_id" not in quotes:
        return pd.DataFrame(columns=cols)
    q = quotes[quotes["speaker_id"].notna()]
    rows = []
    for sid, g in q.groupby("speaker_id", sort=False):
        names = g["speaker_name"].dropna().tolist()
        main = max(set(names), key=lambda n: (names.count(n), len(n))) if names else sid
        mentions = g["speaker"].dropna().tolist() if "speaker" in g else []
        variants = sorted({_APOSTROPHE_IN_WORD_RE.sub("’", str(v)) for v in names + mentions
                           if str(v).strip().lower() not in PRONOUN_GENDER})
        roles = sorted(set(g["speaker_role"].dropna().tolist())) if "speaker_role" in g else []
        kinds = g["speaker_kind"].dropna().tolist() if "speaker_kind" in g else []
        kind = max(set(kinds), key=kinds.count) if kinds else "unknown"
        words = int(g["text"].fillna("").str.split().str.len().sum()) if "text" in g else 0
        rows.append({"speaker_id": sid, "speaker_name": main, "kind": kind, "variants": variants,
                     "roles": roles, "quotes": len(g), "documents": g["doc_id"].nunique(), "words": words})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["quotes", "words"], ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Cues and the attribution sieve
# --------------------------------------------------------------------------------------------

_AUX = frozenset("""has have had also later previously recently once then again repeatedly publicly privately
must should can shall now earlier frequently often would will could may might did does do never always first further simply quickly
flatly reportedly had has've just even still already originally initially subsequently since long is was were
are be been being not n't ’s 's""".split()) | frozenset(
    w.replace("'", q) for w in """didn't doesn't don't wasn't weren't isn't aren't hasn't haven't hadn't won't
wouldn't can't couldn't shouldn't""".split() for q in "'’") | {"seem", "seems", "seemed", "appeared"}
_SUBJECT_STOP = frozenset("""that which who whom whose where when while because as if so and but or nor though
although since unless until whether than after before during because what how why said says say told tells
is was were are has have had to for from into of by with without about against between under over through""".split())
_INTRO_WORDS = frozenset("""and but also yet so then now meanwhile still however instead indeed later earlier
in on at during after before last this yesterday today tonight""".split())
_TIME_WORDS = frozenset("""monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
morning afternoon evening night week month year weekend earlier later recently spring summer fall autumn
winter""".split())
_CLAUSE_PUNCT = frozenset(list(".;:!?()[]{}\"“”„«»‹›—–") + ["--"])
QUOTE_CHARS = "\"“”„‟«»‹›‘’'"
# tokens that end a subject scan: clause punctuation, a comma or a quotation mark (a token holding a
# quotation mark other than an apostrophe is that mark alone: TOKEN_RE words hold only apostrophes)
_PERIOD_NOUNS = frozenset("past years months weeks days decades".split())
_PERIOD_MODIFIERS = frozenset("the recent past last few several many two three".split())
_DASHES = frozenset(["-", "—", "–", "--"])
_SUBJECT_BREAK = _CLAUSE_PUNCT | {","} | (frozenset(QUOTE_CHARS) - {"’", "'"})
_PERSON_HEADS = UNNAMED_HEADS | ROLE_HEADS
_DETERMINERS_OR_PRONOUN = _DETERMINERS | {"’s", "'s"} | PRONOUN_GENDER.keys()
_PARTICLES_OF_DASH = _NAME_PARTICLES | {"of", "-"}


@lru_cache(maxsize=None)
def _subject_heads() -> frozenset:
    """Lower-case nouns that can head a subject ("officials", "minister", "ministry")."""
    return _PERSON_HEADS | organization_words()


_VERBS = None


def cue_forms() -> dict:
    """The reporting-verb forms (lower case) mapped to (lemma, stance)."""
    return reporting_verbs()


@lru_cache(maxsize=None)
def cue_regex() -> re.Pattern:
    """Compiled regex matching any reporting-verb form or "according to" as a whole word."""
    forms = sorted(cue_forms(), key=len, reverse=True)
    return re.compile(r"(?<![\w’'\-])(?:[Aa]ccording to|" + "|".join(map(re.escape, forms)) + r")(?![\w’'\-])")


def cue_stance(cue: str) -> str | None:
    if not cue:
        return None
    if isinstance(cue, str):
        return _cue_stance_of(cue)          # cues recur: "said", "told reporters"
    return _cue_stance_of.__wrapped__(cue)


@lru_cache(maxsize=4096)
def _cue_stance_of(cue):
    words = cue.lower().split()
    if words[:2] == ["according", "to"]:  # lower-cased above
        return "neutral"
    for w in reversed(words):
        hit = cue_forms().get(w.strip(":,"))
        if hit:
            return hit[1]
    return None


_RELATIVE_RE = re.compile(r",\s+who\s")
_NEW_SENTENCE_RE = re.compile(r"[.!?;]\s+[A-Z]")
_NOUN_MARKERS = frozenset("the a an his her its their our my your".split())
_NOUN_MARKERS_OF = _NOUN_MARKERS | {"of"}
_CONTRACTIONS = frozenset("he’s she’s it’s that’s there’s who’s what’s here’s where’s let’s".split())


def subject_before(text: str, verb_start: int, floor: int):
    """Find the subject mention that ends just before a reporting verb.

    Returns ``(start, end, appositive_start, appositive_end)`` or None. Handles auxiliaries and
    adverbs between subject and verb ("has also said"), appositives ("X, Russia’s envoy, said"),
    parentheticals ("Rep. Mike Turner (R-OH), the chair of ..., has said") and a relative clause
    holding a quote ("X, who called it a “sham,” said").
    """
    before = text[max(floor, verb_start - 12):verb_start].split()
    last = before[-1].lower().replace("'", "’") if before else ""
    if last in _NOUN_MARKERS or (last.endswith(("’s", "s’")) and last not in _CONTRACTIONS):
        return None      # "Sanders’ comments", "the report": a noun, not a verb with a subject
    found = _subject_before(text, verb_start, floor)
    if found is None:
        near = max(floor, verb_start - 80, 0)
        # (every match holds "who" or "which": without "wh" there is nothing to search)
        rel = _RELATIVE_PRONOUN_RE.search(text, near, verb_start) if text.find("wh", near, verb_start) >= 0 else None
        if rel is not None and relative_antecedent(text, rel.start(1), floor) is not None:
            return rel.start(1), rel.end(1), None    # "Sanders, who says it is ...": the mention is "who"
    adverbial = found is not None and found[2] is not None and \
        _ADVERBIAL_START_RE.match(text, found[2][0]) is not None
    if (found is None or adverbial) and verb_start - floor > 12:
        lo = max(floor, verb_start - 260)
        tail = text[lo:verb_start].rstrip()
        if tail[-1:] in QUOTE_CHARS or tail.endswith(","):
            rel = None
            for rel in _RELATIVE_RE.finditer(text, lo, verb_start):
                pass
            if rel is not None and not _NEW_SENTENCE_RE.search(text[rel.end():verb_start]):
                found = _subject_before(text, rel.start(), floor) or found
    if found is not None and found[2] is not None and _ADVERBIAL_START_RE.match(text, found[2][0]):
        found = (found[0], found[1], None)    # "The mayor, on Tuesday, said": no appositive
    if found is not None and not (found[0] < found[1] and text[found[0]].isalpha()) \
            and not _has_letter(text[found[0]:found[1]]):      # (most mentions open with a letter)
        return None      # "''" (a doubled-apostrophe quote mark) or "40" ("40 states") is nobody
    return found


# an aside between commas that is an adverbial, not an appositive ("X, who lost a daughter in
# Aurora, Colorado, in July 2012, said"; "The mayor, on Tuesday, said")
_ADVERBIAL_START_RE = re.compile(r"(?:in|on|at|during|after|before|since|for|from|with|without|like|as|"
                                 r"despite|amid|meanwhile|however|though|once|again|too|also)\b")


# a relative pronoun right before the verb (auxiliaries and adverbs between): "X, who has said",
# "voters who say", "the report, which found"
_RELATIVE_PRONOUN_RE = re.compile(r"(?:(?<=,)|(?<=[—–])|(?<=[a-z]))\s+(who|which)\s+(?:(?:has|have|had|also|then|later|"
                                  r"previously|recently|once|often|repeatedly|publicly|now|would|will|did|does|do|"
                                  r"had|is|was|were|are|never|\w+ly)\s+)*$")


def relative_antecedent(text: str, pos: int, floor: int = 0):
    """The noun phrase a relative pronoun at ``pos`` refers to ("Sanders" in "Sanders, who says"),
    as ``(start, end, appositive)`` or None; only a phrase ending right before the pronoun counts."""
    head = text[max(floor, pos - 4):pos].rstrip()
    comma = len(head) and head[-1] in ",—–"
    end = pos - (len(text[:pos]) - len(text[:pos].rstrip()))
    if comma:
        end -= 1
    if end <= floor:
        return None
    found = _subject_before(text, end, floor)
    if found is None:
        return None
    gap = text[found[1]:end].strip()
    if gap and not (gap.startswith("(") and gap.endswith(")")):     # "Sen. Ron Johnson (R-Wis.), who"
        return None
    return found


def _subject_before(text: str, verb_start: int, floor: int):
    # most subjects sit within a few words of the verb: scan a short window first, and the full
    # one only when the scan came near the short window's start
    lo = max(floor, verb_start - 260)
    short = max(floor, verb_start - 100)
    if short > lo:
        found, low = _subject_scan(text, verb_start, short)
        if low > 2:
            return found
    return _subject_scan(text, verb_start, lo)[0]


def _state_abbreviation_stop(toks, j):
    """The period of "Portland, Ore., said" (a short capitalised abbreviation before a comma): not
    a sentence end."""
    return toks[j][2] == "." and j > 0 and j + 1 < len(toks) and toks[j + 1][2] == "," \
        and is_capitalized(toks[j - 1][2]) and len(toks[j - 1][2]) <= 5 and toks[j - 1][1] == toks[j][0]


_PARTICIPLE_OBJECT_PREPOSITIONS = frozenset("of from for with about into on in at".split())
_PARTICIPLE_OBJECT_STARTS = _DETERMINERS | _PARTICIPLE_OBJECT_PREPOSITIONS


def _participle_subject(toks, stop):
    """``(first, last)`` token indices of the noun phrase before a participle that opens the
    sentence's subject ("Investigators examining the theft of ...", "Officials familiar with ..."
    is not one), looking back from the preposition at ``stop``; None when there is none."""
    for k in range(stop - 1, max(0, stop - 12), -1):
        t = toks[k][2]
        if t in _SUBJECT_BREAK or t in _CLAUSE_PUNCT or t == ",":
            return None
        if k >= 1 and t.islower() and t.endswith("ing") and len(t) > 5 and \
                toks[k + 1][2].lower() in _PARTICIPLE_OBJECT_STARTS:    # not "rolling average"
            noun = toks[k - 1][2]
            first = k - 1
            if first >= 1 and toks[first - 1][2].lower() in _DETERMINERS:
                first -= 1
            opens = first == 0 or toks[first - 1][2] in _CLAUSE_PUNCT or toks[first - 1][2] in _SUBJECT_BREAK
            plural_or_name = (noun.islower() and noun.endswith("s") and not noun.endswith("ss")) or \
                (is_capitalized(noun) and noun not in _SENTENCE_WORDS)
            return (first, k - 1) if opens and plural_or_name else None
    return None


def _subject_scan(text: str, verb_start: int, lo: int):
    """:func:`subject_before` on the tokens of ``text[lo:verb_start]``; returns ``(result, low)``
    where ``low`` bounds from below the token indices the scan looked at."""
    # (list comprehensions, not generator expressions: compiled, a generator expression costs this
    # hot function a closure object on every call)
    toks = tokens_between(text, lo, verb_start)
    i = len(toks) - 1
    while i >= 0:
        t = toks[i][2]
        if not ((t.lower() in _AUX and not is_capitalized(t)) or (t.islower() and t.endswith("ly") and len(t) > 4)):
            break
        i -= 1
    tl = toks[i][2].lower() if i >= 1 else ""
    # "Trump on Tuesday said"
    if i >= 1 and tl in _TIME_WORDS and toks[i - 1][2].lower() in ("on", "last", "this", "late", "early"):
        i -= 2
    elif i >= 2 and tl in _PERIOD_NOUNS:
        # "have in the past said", "has in recent weeks said": a time phrase before the verb
        j = i - 1
        while j >= 0 and i - j <= 3 and toks[j][2].lower() in _PERIOD_MODIFIERS:
            j -= 1
        if j >= 0 and toks[j][2].lower() in ("in", "over", "for", "during") and j < i - 1:
            i = j - 1
            while i >= 0 and toks[i][2].lower() in _AUX and not is_capitalized(toks[i][2]):
                i -= 1
    if i < 0:
        return None, -1
    if toks[i][2] in _DASHES:
        # "X - who once said ... - said": the subject stands before the dashed aside ("--" is two tokens)
        while i > 0 and toks[i - 1][2] in _DASHES:
            i -= 1
        j = i - 1
        while j >= 0 and toks[j][2] not in _DASHES and toks[j][2] not in ".;!?":
            j -= 1
        if j < 0 or toks[j][2] not in _DASHES or i - j < 2:
            return None, j - 1
        while j > 0 and toks[j - 1][2] in _DASHES:
            j -= 1
        i = j - 1
        while i >= 0 and toks[i][2].lower() in _AUX and not is_capitalized(toks[i][2]):
            i -= 1
        if i < 0:
            return None, -1
    appos = None
    if toks[i][2] == ",":
        # appositive: find the comma that opens it
        j = i - 1
        depth = 0
        while j >= 0 and i - j <= 25:
            t = toks[j][2]
            if t == ")":
                depth += 1
            elif t == "(":
                depth -= 1
            elif depth == 0 and (t == "," or t in _CLAUSE_PUNCT) and not _state_abbreviation_stop(toks, j):
                break
            j -= 1
        if j < 0 or toks[j][2] != "," or i - j < 2:
            return None, j - 1
        appos = (toks[j + 1][0], toks[i - 1][1])
        i = j - 1
        # "Ana Ruiz, 30, of Dayton, Ohio, who rides daily, said": a home town before the appositive
        k = i
        while k >= 2 and i - k < 6 and (is_capitalized(toks[k][2]) or toks[k][2] == ","):
            k -= 1
        if k >= 2 and k < i and toks[k][2] == "of" and is_capitalized(toks[k + 1][2]):
            if toks[k - 1][2] == ",":
                i = k - 2
            elif is_capitalized(toks[k - 1][2]) and "," in [t[2] for t in toks[k + 1:i]]:
                i = k - 1     # "Mayor Jane Hill of Dayton, Ohio, who ...
        # "Penhaligon, 68, who mediated ..., said": an age between name and appositive
        if i >= 2 and toks[i][2].isdigit() and toks[i - 1][2] == ",":
            i -= 2
        # "Harry Bond, 30, of Raleigh, N.C., said": a hometown before a state, then maybe an age
        if i >= 1 and toks[i][2] == "." and i + 1 < len(toks) and _state_abbreviation_stop(toks, i):
            i -= 1      # "..., Ore., who rides it daily, said"
        while i >= 3:
            k = i
            while k >= 0 and i - k < 6 and toks[k][2] != "," and toks[k][2] not in _CLAUSE_PUNCT:
                k -= 1
            while k >= 0 and _state_abbreviation_stop(toks, k):
                k -= 1
                while k >= 0 and i - k < 6 and toks[k][2] != "," and toks[k][2] not in _CLAUSE_PUNCT:
                    k -= 1
            seg = toks[k + 1:i + 1]
            if seg and seg[-1][2] == "." and len(seg) == 2:
                seg = seg[:1]      # "Ore." tokenized as "Ore" + "."
            if k >= 3 and toks[k][2] == "," and len(seg) == 1 and is_capitalized(seg[0][2]) \
                    and toks[k - 1][2] != ",":
                # a lone state ("N.C.") after "of Raleigh": look at the segment before it
                k2 = k - 1
                while k2 >= 0 and k - k2 < 6 and toks[k2][2] != "," and toks[k2][2] not in _CLAUSE_PUNCT:
                    k2 -= 1
                if k2 >= 1 and toks[k2][2] == "," and toks[k2 + 1][2] in ("of", "from"):
                    k, seg = k2, toks[k2 + 1:i + 1]
            if not (k >= 1 and toks[k][2] == "," and len(seg) >= 2 and seg[0][2] in ("of", "from")
                    and all([is_capitalized(t[2]) or t[2] == "," for t in seg[1:]])):
                break
            appos = (seg[0][0], appos[1])
            i = k - 1
            if i >= 2 and toks[i][2].isdigit() and toks[i - 1][2] == ",":
                i -= 2
    if i >= 0 and toks[i][2] == ")":
        j = i
        while j >= 0 and toks[j][2] != "(" and i - j < 12:
            j -= 1
        if j < 0 or toks[j][2] != "(":
            return None, j - 1
        i = j - 1
    end_i = i
    n = 0
    while i >= 0 and n < 10:
        t = toks[i][2]
        if t in _SUBJECT_BREAK:
            break
        tl = t.lower()
        if tl in _SUBJECT_STOP and not (tl == "of" and i > 0 and is_capitalized(toks[i - 1][2]) and i < end_i
                                        and (is_capitalized(toks[i + 1][2])     # "Jane Doe of Boston"
                                             or (toks[i + 1][2] == "the" and i + 1 < end_i
                                                 and is_capitalized(toks[i + 2][2])))):   # "Mr. Morgan of the Sierra Club"
            if tl in ("of", "for", "to", "with", "from", "at", "on", "in", "by", "about") and i > 0 \
                    and toks[i - 1][2].lower() not in _SUBJECT_STOP and toks[i - 1][2] not in _CLAUSE_PUNCT \
                    and toks[i - 1][2] != "," and toks[i - 1][2].lower() in _PERSON_HEADS:
                i -= 1
                n += 1
                continue
            break
        i -= 1
        n += 1
    start_i = i + 1
    low = i - 2
    if i >= 2 and toks[i][2] in _PARTICIPLE_OBJECT_PREPOSITIONS:
        head = _participle_subject(toks, i)
        if head is not None:
            # "Investigators examining the theft of data from X believe ...": the noun before the
            # participle is the subject, not the object phrase the scan stopped in
            return (toks[head[0]][0], toks[head[1]][1], None), head[0] - 2
    if start_i > end_i:
        return None, low
    # drop leading intro words ("But", "Also")
    while start_i < end_i and toks[start_i][2].lower() in _INTRO_WORDS:
        start_i += 1
        if start_i < end_i and toks[start_i][2].lower() in _TIME_WORDS:
            start_i += 1      # "Last spring the senator played down ..."
    # a lower-case verb-like word inside means we crossed into another clause: keep what follows it
    forms = cue_forms()
    for k in range(end_i, start_i - 1, -1):
        w = toks[k][2]
        if w.islower() and (w in forms or w in ("is", "are", "was", "were")
                            or (k > start_i and w.endswith("ed") and toks[k - 1][2].lower() in _SUBJECT_PRONOUNS)) \
                and not (k > start_i and toks[k - 1][2].lower() in _NOUN_MARKERS_OF):
            # ("the former secretary of state": a cue form after "of" or a determiner is a noun)
            start_i = k + 1
            break
    if start_i > end_i:
        return None, low
    first = toks[start_i][2]
    if first.islower() and first not in _DETERMINERS and first not in PRONOUN_GENDER and \
            toks[end_i][2].islower() and toks[end_i][2] not in _subject_heads() and \
            not toks[end_i][2].endswith("s"):
        return None, low
    if appos is not None and toks[start_i][2].lower() in _DETERMINERS_OR_PRONOUN \
            or appos is not None and toks[end_i][2].islower():
        # "The state’s privacy commissioner, Mei-Lin Zhao, said": the name in the appositive speaks,
        # the noun phrase before it is the role
        ap_toks = tokens_between(text, appos[0], appos[1])
        words = [t[2] for t in ap_toks]
        if words and words[0].lower() == "the":
            words = words[1:]
        if 1 <= len(words) <= 6 and all([is_capitalized(w) or w.lower() in _PARTICLES_OF_DASH
                                         for w in words]) and is_capitalized(words[0]):
            return (appos[0], appos[1], (toks[start_i][0], toks[end_i][1])), low
    if appos is not None and start_i >= 2 and toks[start_i - 1][2] == "," \
            and toks[start_i][2].lower() in ("the", "a", "an") and toks[end_i][2].islower():
        # "Mei-Lin Zhao, the state privacy commissioner, who testified ..., told": the name before
        # the role phrase speaks
        k = start_i - 2
        while k >= 0 and start_i - 2 - k < 5 and (is_capitalized(toks[k][2]) or toks[k][2].lower() in _NAME_PARTICLES):
            k -= 1
        first = toks[k + 1][2] if k + 1 < start_i - 1 else ""
        if first and first not in _SENTENCE_WORDS and (k < 0 or toks[k][2] in _CLAUSE_PUNCT):
            return (toks[k + 1][0], toks[start_i - 2][1], (toks[start_i][0], toks[end_i][1])), low
    if appos is None and end_i - start_i >= 3 and (_HONORIFIC_RE.match(toks[start_i][2] + " ")
                                                  or toks[start_i][2] in first_names()):
        # "Mr. Morgan of the Sierra Club said": the person speaks, "of the ..." is the affiliation
        for k in range(start_i + 1, end_i - 1):
            if toks[k][2] == "of" and toks[k + 1][2] == "the":
                return (toks[start_i][0], toks[k - 1][1], (toks[k][0], toks[end_i][1])), low
    return (toks[start_i][0], toks[end_i][1], appos), low


def subject_after(text: str, pos: int, limit: int):
    """Find the subject mention right after an inverted cue ("said Winterbourne", "said the minister").

    Returns ``(start, end, appositive_start, appositive_end)`` or None.
    """
    toks = tokens_between(text, pos, min(limit, pos + 200))
    i = 0
    while i < len(toks) and (toks[i][2].islower() and toks[i][2].endswith("ly") and len(toks[i][2]) > 4):
        i += 1
    if i >= len(toks):
        return None
    s_i = i
    while i < len(toks) and i - s_i < 8:
        t = toks[i][2]
        tl = t.lower()
        if t in _SUBJECT_BREAK:
            break
        if tl in _SUBJECT_STOP and not (tl == "of" and i > s_i and is_capitalized(toks[i - 1][2])) \
                and not (tl in ("from", "by", "of") and i > s_i and toks[i - 1][2].lower() in _DOCUMENT_HEADS
                         and i + 1 < len(toks) and (is_capitalized(toks[i + 1][2]) or toks[i + 1][2] == "the")):
            break
        if tl in _TIME_WORDS or tl in ("in", "on", "at") or (t.islower() and tl in _FINITE_AFTER_SUBJECT):
            break
        i += 1
    if i == s_i:
        return None
    if i < len(toks) and toks[i][2].lower() in _FINITE_AFTER_SUBJECT:
        return None      # "said the deal was a win": the subject of a reported clause
    while i - 1 > s_i and toks[i - 1][2].islower() and toks[i - 1][2].endswith("ly") and len(toks[i - 1][2]) > 4:
        i -= 1           # "answered the duchess vaguely"
    e_i = i - 1
    last = toks[e_i][2]
    p_i = e_i - 1 if last == "only" else e_i
    if p_i > s_i and toks[p_i][2] in _NAMING_PARTICIPLES and i + 1 < len(toks) and toks[i][2] == "as":
        # "said the station chief known as Dave", "a woman identified only as Maria" (name included);
        # "a woman identified only as a nurse" -> "a woman"
        j = i + 1
        while j < len(toks) and is_capitalized(toks[j][2]) and j - i < 4:
            j += 1
        return (toks[s_i][0], toks[j - 1][1], None) if j > i + 1 else (toks[s_i][0], toks[p_i - 1][1], None)
    if e_i > s_i and last.islower() and (last in cue_forms() or (last.endswith("ed") and len(last) > 4)) \
            and last not in _PERSON_HEADS:
        return None      # "said the deal showed that ...": a reported clause, not an inverted subject
    first = toks[s_i][2]
    if first.islower() and first not in _DETERMINERS and first not in PRONOUN_GENDER and \
            first not in ROLE_HEADS and first not in UNNAMED_HEADS and first not in _title_words() \
            and not _role_then_name(toks, s_i, e_i):
        return None
    appos = None
    if i + 3 < len(toks) and toks[i][2] == "," and toks[i + 1][2].isdigit() and toks[i + 2][2] == ",":
        i += 2           # "said Omar Haddad, 41, a teacher at ...": the age is not the appositive
    if i < len(toks) and toks[i][2] == "," and i + 1 < len(toks):
        j = i + 1
        while j < len(toks) and j - i < 16 and toks[j][2] not in _CLAUSE_PUNCT and toks[j][2] != "," \
                and toks[j][2] not in _QUOTE_MARK_TOKENS:
            j += 1
        if j > i + 1 and toks[i + 1][2].lower() in _appositive_openers() or \
                (j > i + 1 and is_capitalized(toks[i + 1][2]) and toks[i + 1][2].lower() not in ("but", "and")):
            appos = (toks[i + 1][0], toks[j - 1][1])
    return toks[s_i][0], toks[e_i][1], appos


# a quotation mark is never part of a word token: a token holding one is that mark alone
_QUOTE_MARK_TOKENS = frozenset("\"“”„«»")


@lru_cache(maxsize=None)
def _appositive_openers() -> frozenset:
    """Lower-case words that open an appositive after an inverted subject ("said X, the ...")."""
    return _DETERMINERS | {"who", "a", "an"} | _title_words()


_NAMING_PARTICIPLES = frozenset("known identified named described introduced listed".split())
_FINITE_AFTER_SUBJECT = frozenset("is was were are has have had will would could can should must".split())
_DOCUMENT_HEADS = frozenset("statement release letter memo email e-mail report filing post message notice "
                            "announcement".split())


_ROLE_NOUNS_BEFORE_NAME = ROLE_HEADS | UNNAMED_HEADS | PERSON_NOUN_GENDER.keys() | {
    "voter", "resident", "owner", "student", "teacher", "worker"}


def _role_then_name(toks, s_i, e_i):
    """True for a lower-case role right before a name: "harbor pilot Jonas Berg", "longtime
    resident Ana Ruiz" (up to four lower-case words, then capitalized words to the end)."""
    k = s_i
    while k <= e_i and toks[k][2].islower() and k - s_i < 4:
        k += 1
    if k > s_i and k <= e_i and all(is_capitalized(toks[j][2]) for j in range(k, e_i + 1)):
        return True
    # capitalized modifiers inside the role ("undecided Republican voter Stephanie Hooton"): the
    # words after the last lower-case role noun must start with a known first name
    last = max((j for j in range(s_i, e_i + 1) if toks[j][2].islower() and toks[j][2] != "of"), default=None)
    return last is not None and last - s_i < 5 and last < e_i and toks[last][2] in _ROLE_NOUNS_BEFORE_NAME \
        and toks[last + 1][2] in first_names()


def _attribution(rule, confidence, cue_span, speaker_span, appos=None, text=None):
    a = {"rule": rule, "confidence": confidence, "cue_start": cue_span[0], "cue_end": cue_span[1],
         "speaker_start": speaker_span[0] if speaker_span else None,
         "speaker_end": speaker_span[1] if speaker_span else None, "appositive": appos}
    return a


_ANY_VERB_RE = re.compile(r"[a-z]+(?:ed|es|s)$")
_SUBJECT_PRONOUNS = frozenset("he she they i we you".split())
# irregular past forms that carry speech after a quotation ("“…,” read the email", "“…,” he went on")
_INVERTED_VERBS = frozenset("read went began broke spoke came cried sang swore rang shot".split())
# a present-tense verb after a noun ("the letter reads", "the sign warns"); not "-ss"/"-us"/"-is"
_PRESENT_VERB_RE = re.compile(r"[a-z]+[^su’'\W]s$")


# "“…,” was her answer" / "“…!” was Mr. Dale’s prompt reply": the possessor is the speaker (texts that
# lost their apostrophes write "Margaret s reply")
_POSSESSIVE_REPLY_RE = re.compile(
    r"[ \t]*,?\s*(?:was|came)\s+(?:the\s+)?(?:(?P<name>(?:[A-Z][\w’'.-]*\s+){0,3}?[A-Z][\w’'.-]*?)(?:’s|'s|\s+s)"
    r"|(?P<pron>his|her|my|their))\s+(?:[a-z]+\s+){0,2}?(?P<cue>answer|reply|response|rejoinder|retort|"
    r"comment|remark|exclamation|greeting|question|address|words|cry|verdict|order)s?\b")
_POSSESSIVE_PRONOUNS = {"his": "he", "my": "i", "their": "they"}


# "“I am still Sanders,” it read." / "“…,” the statement reads": a written text speaks by "reading"
_DOCUMENT_READS_RE = re.compile(
    r"[ \t]*,?[ \t]*(?P<doc>it|(?:the|a|an|his|her|its|their|this|that|one)[ \t]+(?:[\w’'\-]+[ \t]+){0,2}?"
    r"(?:statement|letter|sign|email|e-mail|message|tweet|post|note|ad|banner|memo|release|caption|headline|"
    r"placard|poster|card|text|plaque|inscription|notice|website|page|label|slogan|shirt|t-shirt)s?)"
    r"[ \t]+(?P<cue>read|reads)\b(?![ \t]+(?:it|the|a|an|this|that|his|her|their|out|aloud|from)\b)")


def _token_index(toks, words, lo, hi):
    """The first index ``j`` in ``range(lo, hi)`` whose token is in ``words``, or None (a loop, not
    ``next(generator)``: compiled, a generator expression costs its function a closure per call)."""
    for j in range(lo, hi):
        if toks[j][2] in words:
            return j
    return None


def rule_trailing(doc, q):
    """“…,” X said / “…,” said X, the Y of Z / “…” he exclaimed (cue right after the closing mark)."""
    pos = q["close_end"]
    limit = min(q["para_end"], pos + 220)
    if limit <= pos:
        return None       # the quotation ends its paragraph: no word after it (both patterns need one)
    text = doc.text
    # (each pattern needs its verb inside the window: two str.find calls cost less than the matches)
    if text.find("was", pos, limit) >= 0 or text.find("came", pos, limit) >= 0:
        m = _POSSESSIVE_REPLY_RE.match(text, pos, limit)
        if m is not None:
            who = "name" if m.group("name") else "pron"
            return _attribution("trailing_possessive", 0.85, m.span("cue"), m.span(who))
    if text.find("read", pos, limit) >= 0:
        m = _DOCUMENT_READS_RE.match(text, pos, limit)
        if m is not None:
            return _attribution("trailing", 0.9, m.span("cue"), m.span("doc"))
    toks = tokens_between(doc.text, pos, limit)[:34]     # the rule reads at most the first 33
    if not toks:
        return None
    i = 0
    if toks[0][2] in (",", "—", "–", "-", "--"):
        i = 1
    if i >= len(toks):
        return None
    forms = cue_forms()
    t0 = toks[i][2]
    # inverted: said X (never after a participle: "“…,” describing the team as ..." has no subject)
    if t0 in forms:
        subj = subject_after(doc.text, toks[i][1], limit) if not t0.endswith("ing") else None
        if subj:
            return _attribution("trailing_inverted", 0.9, (toks[i][0], toks[i][1]), subj[:2], subj[2])
        if not q.get("starts_sent", True):
            # "X, who called the budget a “sham,” said ...": the quote sits in the subject's clause
            subj = subject_before(doc.text, toks[i][0], max(q.get("sent_start", q["para_start"]), q["para_start"]))
            if subj:
                return _attribution("relative_clause", 0.7, (toks[i][0], toks[i][1]), subj[:2], subj[2])
        return None
    # subject first: find the verb within a few tokens (parentheticals such as "(D-Mo.)" skipped)
    depth = 0
    relative = False
    skip_to = 0
    for k in range(i, min(len(toks), i + 32)):
        t = toks[k][2]
        if relative:
            if t in (".", "!", "?") and q.get("starts_sent", True):
                # the aside never closed: "“…,” Nate Silver, the analyst who founded the site tweeted."
                a = _unclosed_aside_trailing(toks, i, relative, k, forms)
                if a is not None:
                    return a
                break
            relative = relative if t != "," else False   # "Cruz, who has proposed repealing it, said": skip it
            continue
        if t in ("who", "which") and k > i and toks[k - 1][2] == ",":
            relative = k
            continue
        if t == "(":
            depth += 1
            continue
        if t == ")":
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        if t in _SPEAKING_DOCUMENTS and k > i and toks[k - 1][2].lower() in _NOUN_MARKERS:
            continue      # "“…,” the report said": a base form after a determiner is a noun, not the cue
        if t in forms:
            subj = subject_before(doc.text, toks[k][0], toks[i][0])
            if subj and (subj[0] == toks[i][0] or (subj[2] is not None and subj[2][0] == toks[i][0]
                                                   and q.get("starts_sent", True))):
                # (or "“…,” the company's chief, Ana Ruiz, said": the name in the appositive)
                return _attribution("trailing", 0.95, (toks[k][0], toks[k][1]), subj[:2], subj[2])
            if q.get("starts_sent", True) and is_capitalized(toks[i][2]) and toks[i][2] not in _SENTENCE_WORDS:
                # "“…,” Nate Silver, the analyst who founded the site tweeted": an aside left unclosed;
                # "“…,” delegate Bill Eastland, wearing “Ted Cruz” pins, said": an aside holding a quote
                comma = _token_index(toks, (",",), i + 1, min(k, i + 7))
                if comma is not None and (toks[k - 1][2] == "," or
                                          _token_index(toks, ("who", "which"), comma + 1, k) is not None):
                    named = subject_before(doc.text, toks[comma][0], toks[i][0])
                    if named is not None and named[0] == toks[i][0]:
                        return _attribution("trailing", 0.8, (toks[k][0], toks[k][1]), named[:2],
                                            (toks[comma + 1][0], toks[k - 1 if toks[k - 1][2] != "," else k - 2][1]))
            if subj:
                return None  # "“liar,” a charge he denied": the cue has its own subject further on
            break        # a cue word with no subject ("..., drawing laughs"): try the verb rules below
        if k < skip_to:
            continue
        if t in "“\"" and toks[k - 1][2] != "," and _token_index(toks, (",",), i + 1, k) is not None:
            close = _token_index(toks, "”\"", k + 1, min(len(toks), k + 5))
            if close is not None and close + 1 < len(toks) and toks[close + 1][2].isalpha() \
                    and toks[close + 1][2].islower() and all([is_capitalized(x[2]) for x in toks[k + 1:close]]):
                skip_to = close + 1   # a quoted name inside an appositive: "X, wearing “Ted Cruz” pins, said"
                continue
        if t in _CLAUSE_PUNCT and not _state_abbreviation_stop(toks, k):
            break
    # "“…,” the Republican nominee riffed": a determiner-led subject and any past-tense verb
    if q["content_end_char"] in ",!?—–-…" and toks[i][2].lower() in _DETERMINERS \
            and toks[i][2].lower() not in ("that", "which"):     # the chant “Lock her up!” that rang out
        for k in range(i + 1, min(len(toks), i + 8)):
            t = toks[k][2]
            if t in _CLAUSE_PUNCT or t == "," or t.lower() in PRONOUN_GENDER or t in _SUBJECT_STOP \
                    or t in _FINITE_VERBS or t in _INVERTED_VERBS:
                break        # "a charge he denied", "her questions went unanswered": not a speaker
            if t.islower() and len(t) > 3 and (t.endswith("ed") or k > i + 1 and _PRESENT_VERB_RE.match(t)):
                return _attribution("trailing_any_verb", 0.6, (toks[k][0], toks[k][1]), (toks[i][0], toks[k - 1][1]))
    # novels: any verb right after the quote ("“…!” laughed Winterbourne", "“…,” he growled"); only
    # for a quote that opens its sentence (mid-sentence, "called “distasteful,” Santilli expressed ...")
    if q["content_end_char"] in ",!?—–-…" and len(toks) > i + 1 and q.get("starts_sent", True):
        t1 = toks[i + 1][2]
        if (_ANY_VERB_RE.match(t0) or t0 in _INVERTED_VERBS) and t0 not in _DETERMINERS \
                and (is_capitalized(t1) or t1.lower() in _DETERMINERS):
            subj = subject_after(doc.text, toks[i][1], limit)
            if subj:
                return _attribution("trailing_any_verb", 0.6, (toks[i][0], toks[i][1]), subj[:2], subj[2])
        if (t0.lower() in _SUBJECT_PRONOUNS and (_ANY_VERB_RE.match(t1) or t1 in _INVERTED_VERBS)) or \
                (is_capitalized(t0) and t0.lower() not in PRONOUN_GENDER):
            j = i + 1 if t0.lower() in _SUBJECT_PRONOUNS else None
            if j is None:
                # a short name: up to three capitalized tokens
                j = i
                while j < len(toks) and j - i < 4 and (is_capitalized(toks[j][2])):
                    j += 1
                if j >= len(toks) or not (_ANY_VERB_RE.match(toks[j][2]) or toks[j][2] in _INVERTED_VERBS):
                    return None
            if toks[i][2] in _SENTENCE_WORDS and toks[i][2].lower() not in PRONOUN_GENDER \
                    and toks[i][2].lower() not in _honorific_gender():
                return None
            return _attribution("trailing_any_verb", 0.6, (toks[j][0], toks[j][1]), (toks[i][0], toks[j - 1][1]))
    return None


# documents named by a cue's base form ("report"): after a determiner they are a trailing speaker
_SPEAKING_DOCUMENTS = frozenset("report reports study survey statement release filing complaint ruling memo".split())
_DOCUMENT_READS_BEFORE_RE = re.compile(
    r"(?<![\w’'])(?P<doc>it|(?:the|a|an|his|her|its|their|this|that|one)[ \t]+(?:[\w’'\-]+[ \t]+){0,2}?"
    r"(?:statement|letter|sign|email|e-mail|message|tweet|post|note|ad|banner|memo|release|caption|headline|"
    r"placard|poster|card|text|plaque|inscription|notice|website|page|label|slogan|shirt|t-shirt)s?)"
    r"[ \t]+(?P<cue>read|reads)[ \t]*[,:][ \t]*[“\"‘']*$")
_AS_PUT_IT_RE = re.compile(r"\b[Aa]s\s+(?P<subj>(?:[A-Z]|the\s|a\s|an\s|one\s)[^.!?;:“”\"]{1,160}?),?\s+(?:has\s+|once\s+|so\s+\w+\s+)?"
                           r"(?P<cue>put\s+it|puts\s+it)(?:\s+[^,.!?;:“”\"]{0,60})?[,:]\s*[“\"'‘]*$")


def _unclosed_aside_trailing(toks, i, rel_k, end_k, forms):
    """Trailing attribution "Name, the ... who ... <cue> ..." whose relative clause lost its closing
    comma: the last cue of the clause is the speaking verb, the capitalized name before it speaks."""
    comma = next((j for j in range(i + 1, min(rel_k, i + 5)) if toks[j][2] == ","), None)
    if comma is None or not all(is_capitalized(toks[j][2]) for j in range(i, comma)) or toks[i][2] in _SENTENCE_WORDS:
        return None
    cue = next((j for j in range(end_k - 1, rel_k + 1, -1) if toks[j][2] in forms and toks[j][2].endswith(("ed", "s"))
                and forms[toks[j][2]][0] != toks[j][2]), None)
    if cue is None:
        return None
    return _attribution("trailing", 0.8, (toks[cue][0], toks[cue][1]), (toks[i][0], toks[comma - 1][1]),
                        (toks[comma + 1][0], toks[cue - 1][1]))


def rule_leading(doc, q):
    """X said: “…” / X said in an interview that “…” / X told reporters, “…” (cue before the quote)."""
    o = q["open_start"]
    floor = max(q["sent_start"], q["para_start"], o - 260)
    if q["para_start"] == q["open_start"] and q.get("prev_para_colon"):
        return doc.leading_from_previous_paragraph(q)
    last = _last_token(doc.text, floor, o)
    if last is None:
        return None
    forms = cue_forms()
    last = last[2]
    # (the two searches try every position of the window: a str.find of their verb goes first)
    if last in (":", ",") and doc.text.find("read", floor, o) >= 0 \
            and (m := _DOCUMENT_READS_BEFORE_RE.search(doc.text, floor, o)) is not None:
        return _attribution("leading", 0.85, m.span("cue"), m.span("doc"))      # "At the bottom it reads, “…”"
    if last in (":", ",") and doc.text.find("put", floor, o) >= 0 \
            and (m := _AS_PUT_IT_RE.search(doc.text, floor, o)) is not None:
        # "As Akhil Amar, a law professor, put it, “…”"
        s0, e0 = m.span("subj")
        comma = doc.text.find(",", s0, e0)
        if comma > s0:        # "Ana Ruiz, a law professor": the name speaks, the rest is an appositive
            a0 = comma + 1 + len(doc.text[comma + 1:e0]) - len(doc.text[comma + 1:e0].lstrip())
            return _attribution("leading", 0.85, m.span("cue"), (s0, comma), (a0, e0))
        return _attribution("leading", 0.85, m.span("cue"), (s0, e0))
    if last not in (":", ",", "that") and last not in forms and last not in ("—", "–"):
        return None
    if last != ":" and not doc.quote_ends_sentence(q):
        return None   # "said that “more than 95 percent” of ...": a mixed quote, not a direct one
    toks = tokens_between(doc.text, floor, o)
    for k in range(len(toks) - 1, max(-1, len(toks) - 12), -1):
        t = toks[k][2]
        if t not in forms and is_capitalized(t) and t.lower() in forms and t.lower().endswith("ed") | (t == "Said") \
                and toks[k][0] == max(q["sent_start"], q["para_start"]):
            # "Said Comey, “…”" / "Stated Stone:": a cue that opens the sentence, the speaker after it
            subj = subject_after(doc.text, toks[k][1], o)
            if subj:
                return _attribution("leading_inverted", 0.8, (toks[k][0], toks[k][1]), subj[:2], subj[2])
            return None
        if t in forms or (t == "according" and k + 1 < len(toks) and toks[k + 1][2] == "to"):
            if t == "according":
                subj = _according_subject(doc.text, toks[k + 1][1], o)
                if subj:
                    return _attribution("according_to", 0.85, (toks[k][0], toks[k + 1][1]), subj)
                return None
            between = [x[2] for x in toks[k + 1:]]
            if any([x in (".", "!", "?", ";") for x in between]):     # (no closure per call, compiled)
                return None
            if t.endswith("ing") and k > 0 and toks[k - 1][2] == ",":
                # "Trump attacked Romney, calling him “…”": the participle shares the main clause's subject
                subj = None
                if k > 1 and toks[k - 2][2] in forms and not toks[k - 2][2].endswith("ing") \
                        and forms[toks[k - 2][2]][0] != toks[k - 2][2]:
                    subj = subject_before(doc.text, toks[k - 2][0], floor)   # "…,” he said, adding, “…”"
                if subj is None:
                    subj = main_clause_subject(doc.text, q["sent_start"], toks[k - 1][0],
                                               inside_quote=getattr(doc, "inside_quote", None))
                if subj:
                    return _attribution("leading_participle", 0.8, (toks[k][0], toks[k][1]), subj[:2], subj[2])
            subj = subject_before(doc.text, toks[k][0], floor)
            if subj is None and k > 0 and toks[k - 1][2] == "and":
                # "He looked up at once and said: “…”": the coordinated verb shares the subject
                subj = main_clause_subject(doc.text, max(q["sent_start"], floor), toks[k - 1][0],
                                           inside_quote=getattr(doc, "inside_quote", None))
            if subj:
                return _attribution("leading", 0.9, (toks[k][0], toks[k][1]), subj[:2], subj[2])
            if k + 1 < len(toks) and toks[k + 1][2] not in (":", ","):
                subj = subject_after(doc.text, toks[k][1], o)
                if subj:
                    return _attribution("leading_inverted", 0.8, (toks[k][0], toks[k][1]), subj[:2], subj[2])
            return None
    return None


_FINITE_VERBS = frozenset("""is was are were has have had will would can could did does do gave made took went
came got kept put sat stood began saw felt heard knew thought found left held brought led ran won lost
spoke wrote told said struck hit fought met paid sent spent stood drew threw shook swore broke chose rose
fell grew blew flew sang rang sought taught caught bought brought dealt meant sold seemed""".split())


# a sentence-initial prepositional adjunct: "In June 2009, after Clinton fell ill, Axelrod wrote ..."
_ADJUNCT_PREPOSITIONS = frozenset("In On At During Despite Amid Following Under".split())
_SUBORDINATORS = frozenset("although though when while as if because after before since once whereas unless "
                           "until".split())


def main_clause_subject(text: str, start: int, limit: int, *, inside_quote=None):
    """The subject of the first finite verb of the sentence starting at ``start`` (words inside
    quotations skipped), as ``(start, end, appositive)`` or None: "Early in his campaign, Trump
    attacked Romney, calling him ..." -> "Trump"; "“…,” Fiorina said, adding ..." -> "Fiorina"."""
    forms = cue_forms()
    toks = tokens_between(text, start, min(limit, start + 400))
    i0 = 0
    while i0 < len(toks) - 1 and toks[i0][2].lower() in ("and", "but", "yet", "so"):
        i0 += 1
    skip = skipped = bool(toks) and (toks[i0][2].lower() in _SUBORDINATORS or (
        toks[i0][2] in _ADJUNCT_PREPOSITIONS and any(t[2] == "," for t in toks[i0 + 1:i0 + 30])))
    for k, (s, e, t) in enumerate(toks):
        if skip:
            # "Although he thanked them, he sounded ...": the main clause starts after the comma
            # (not yet when a lower-case word goes on with the subordinate clause: ", to give ...")
            nxt = toks[k + 1][2] if k + 1 < len(toks) else ""
            skip = t != "," or (nxt.islower() and nxt not in PRONOUN_GENDER and nxt not in _DETERMINERS)
            if not skip:
                start = e
            continue
        if not t.islower() or (inside_quote is not None and inside_quote(s)):
            continue
        if t in _FINITE_VERBS or (t in forms and not t.endswith("ing") and forms[t][0] != t) or \
                (t.endswith("ed") and len(t) > 4):
            subj = subject_before(text, s, start)
            if subj is None and k + 1 < len(toks) and t in forms:
                subj = subject_after(text, e, limit)      # "“…,” said Fiorina, adding ..."
            if subj is not None and text[subj[0]:subj[1]].lower() in ("who", "which"):
                continue      # the verb of a relative clause
            return subj
    if skipped and not skip:
        found = sentence_subject(text, start, limit)
        return (found[0], found[1], None) if found else None
    return None


def _according_subject(text, pos, limit):
    toks = tokens_between(text, pos, min(limit, pos + 160))
    out = []
    for s, e, t in toks:
        if t in _CLAUSE_PUNCT or t == "," or any(ch in t for ch in "\"“”„«»"):
            break
        out.append((s, e))
        if len(out) >= 24:      # "according to early results of exit polls conducted for ... by ..., "
            break
    if not out:
        return None
    return out[0][0], out[-1][1]


def _speaker_key(doc, q):
    """Who said quote ``q``: its resolved name, else its mention in lower case ("his wife")."""
    if q.get("speaker_name"):
        return q["speaker_name"]
    a = q.get("attribution")
    if not a or a.get("speaker_start") is None:
        return None
    return doc.text[a["speaker_start"]:a["speaker_end"]].lower()


def _attributed(q):
    return q.get("attribution") is not None and q.get("type") not in ("term", "taken")


def _quote_before(doc, q, *, max_back=4):
    """The last attributed quote before ``q``, skipping scare quotes of the same paragraph."""
    k = q["idx"] - 1
    while k >= 0 and q["idx"] - k <= max_back:
        prev = doc.quotes[k]
        if _attributed(prev) or (prev.get("type") == "taken" and prev.get("taken_attribution") is not None):
            return prev
        if prev["para"] != q["para"]:
            return None
        k -= 1
    return None


def rule_continuation(doc, q):
    """A quote with no cue of its own continues the speaker of the quote just before it: in the same
    paragraph ("“A,” X said, pointing to “terms.” “B.”"), or in the next paragraph when it opens it."""
    prev = _quote_before(doc, q)
    if prev is None:
        return None
    if prev["para"] != q["para"] and not (prev["para"] == q["para"] - 1 and q["starts_para"]):
        return None
    if prev["para"] != q["para"] and dialogue_mode(doc) and not prev.get("continues"):
        return None      # in dialogue a new quote paragraph is a new turn
    a = dict(prev["attribution"] or prev["taken_attribution"])
    a.update(rule="continuation", confidence=0.7, inherited_from=prev["idx"])
    if prev["attribution"] is not None:
        a.pop("_resolved", None)
    else:     # the quote before was taken into a mixed clause: that clause's speaker, resolved already
        a.setdefault("_resolved", (None, "unknown", None))
    return a


def rule_after_reported(doc, q):
    """News: a cue-less quotation right after reported speech continues its speaker, in the same
    paragraph or opening the next one: "Rather, he said, the effort will grow.¶“To my knowledge ...”"."""
    rows = getattr(doc, "reported_rows", None)
    if not rows or dialogue_mode(doc):
        return None
    if q["starts_para"]:
        if q["para"] == 0:
            return None
        ps, pe = doc.paragraphs[q["para"] - 1]
        lo = max(ps, doc.sentences[doc.sent_index(max(ps, pe - 1))][0])    # its last sentence
    else:
        lo = q["para_start"]
    k = bisect_right(doc.reported_ends, q["open_start"]) - 1
    if k < 0 or rows[k]["end"] < lo or rows[k]["cue_start"] < lo - 400:
        return None
    row = rows[k]
    if q["idx"] > 0:
        prev = doc.quotes[q["idx"] - 1]
        if prev["close_end"] > row["end"] + 2:
            return None       # another quotation between the reported speech and this one
    a = dict(row["attribution"])
    a.update(rule="after_reported", confidence=0.5)
    return a


def _ends_para_with_quote(doc, q):
    """True when quote ``q`` closes its paragraph (nothing but white space after the closing mark)."""
    return not q.get("continues") and not doc.text[q["close_end"]:q["para_end"]].strip()


def dialogue_mode(doc) -> bool:
    """True for fiction-like dialogue: many quote paragraphs directly answer a closed quote paragraph.

    News rarely strings ten or more closed quote paragraphs together; novels do it constantly, and
    there a new quote paragraph is almost always a new speaker (turns alternate).
    """
    cached = getattr(doc, "_dialogue_mode", None)
    if cached is not None:
        return cached
    quotes = doc.quotes
    pairs = sum(1 for a, b in zip(quotes, quotes[1:])
                if b["para"] == a["para"] + 1 and doc.text[b["para_start"]:b["open_start"]].strip() == ""
                and _ends_para_with_quote(doc, a))
    doc._dialogue_mode = pairs >= 10 and pairs >= 0.15 * len(quotes)
    return doc._dialogue_mode


def _explicit(q):
    a = q.get("attribution")
    return a is not None and q.get("type") not in ("term", "taken") and "inherited_from" not in a \
        and a.get("rule") not in ("narration_before", "narration_after", "narration_paragraph")


def rule_turn_taking(doc, q):
    """Dialogue: a cue-less quote paragraph right after a closed quote paragraph by X goes to the last
    other speaker of the exchange (the chain of quote paragraphs just before), as turns alternate.

    In fiction (:func:`dialogue_mode`) turns are counted: a quote an even number of paragraphs after
    an explicitly attributed one is that speaker's again, an odd number is the other party's. A
    paragraph left open (news convention: the quote continues in the next paragraph) is not a turn.
    """
    if not q["starts_para"] or q["idx"] < 1:
        return None
    prev = doc.quotes[q["idx"] - 1]
    if prev["para"] != q["para"] - 1:
        # the first quote paragraph of an exchange: only a later anchor of the run can tell
        return _turn_by_parity(doc, q) if dialogue_mode(doc) else None
    if prev.get("continues"):
        return None
    if not _attributed(prev) and not dialogue_mode(doc):
        return None
    if dialogue_mode(doc):
        a = _turn_by_parity(doc, q)
        if a is not None and getattr(doc, "article", None) is not None:
            addressed = _addressees(doc, q)
            key = _speaker_key(doc, doc.quotes[a["inherited_from"]])
            if key and any(_same_person_mention(key, x) for x in addressed):
                # nobody addresses themselves: "“Yes, Helen.”" is not Helen's turn
                return _other_speaker(doc, q, key, addressed)
        return a
    return None          # news: a quote paragraph after a quote paragraph is a continuation


def _addressees(doc, q):
    return [k for s, e in vocatives(doc.text, q["start"], q["end"])
            if (k := _addressee_key(doc.article, doc.text, s, e))]


def _other_speaker(doc, q, key, addressed):
    """The latest explicitly attributed speaker before ``q`` who is neither ``key`` nor addressed."""
    k = q["idx"] - 1
    while k >= 0 and q["idx"] - k <= 30:
        other = doc.quotes[k]
        if _explicit(other):
            ok = _speaker_key(doc, other)
            if ok and not _same_person_mention(ok, key) and not any(_same_person_mention(ok, x) for x in addressed):
                return _inherit(other, "turn_taking", 0.4)
        k -= 1
    return None


def _inherit(src, rule, confidence):
    a = dict(src["attribution"])
    a.update(rule=rule, confidence=confidence, inherited_from=src["idx"])
    a.pop("_resolved", None)
    return a


def _chain_anchors(doc, q, step, limit=30):
    """Explicitly attributed quotes in the run of adjacent quote paragraphs around ``q``, walking
    backward (step -1) or forward (step +1): ``[(para distance, quote), ...]`` nearest first, and
    the index where the walk left the run (or None)."""
    anchors = []
    para = q["para"]
    k = q["idx"] + step
    n = len(doc.quotes)
    while 0 <= k < n and abs(q["idx"] - k) <= limit:
        other = doc.quotes[k]
        if abs(other["para"] - para) > 1:
            return anchors, k
        para = other["para"]
        if _explicit(other) and _speaker_key(doc, other) is not None:
            anchors.append((abs(q["para"] - other["para"]), other))
        k += step
    return anchors, None


def _turn_by_parity(doc, q):
    """Turns alternate along a run of adjacent quote paragraphs: take the nearest explicitly
    attributed quote of the run on either side; an even number of paragraphs away it is the same
    speaker, an odd number the other party (the nearest anchor of the run with another speaker,
    else the last other explicit speaker shortly before the run)."""
    back, left_at = _chain_anchors(doc, q, -1)
    fwd = [] if back else _chain_anchors(doc, q, 1)[0]
    anchors = back or fwd
    if not anchors:
        return None
    dist, first = anchors[0]
    first_key = _speaker_key(doc, first)
    if dist % 2 == 0:
        return _inherit(first, "turn_taking", 0.55)
    for _d, other in anchors[1:]:
        key = _speaker_key(doc, other)
        if key != first_key and not _same_person_mention(key, first_key):
            return _inherit(other, "turn_taking", 0.5)
    # The other party is not in the run. Taking the last other speaker before the run was right
    # less than half the time (a third character, a narrator's aside): an empty speaker beats a wrong one.
    return None


def _same_person_mention(a, b):
    """Loose test that two speaker keys name the same person ("Mr. Palmer" / "palmer")."""
    ta = set(a.lower().replace(".", "").split()) - {"mr", "mrs", "ms", "miss", "dr", "the"}
    tb = set(b.lower().replace(".", "").split()) - {"mr", "mrs", "ms", "miss", "dr", "the"}
    return bool(ta) and bool(tb) and (ta <= tb or tb <= ta)


_BEAT_PRONOUNS = frozenset(("he", "she"))
_BEAT_SKIP = frozenset("and but then so now yet still again presently suddenly at last instead".split())


def sentence_subject(text: str, start: int, end: int):
    """The person a narration sentence is about: a leading "he"/"she" or a name run followed by a
    lower-case word ("Mr. Wilcox watched her", "Then she laughed"). Returns ``(start, end)`` or None."""
    toks = tokens_between(text, start, min(end, start + 120))
    i = 0
    while i < len(toks) and (toks[i][2].lower() in _BEAT_SKIP or toks[i][2] in (",", "—", "–")):
        i += 1
    if i + 1 >= len(toks):
        return None
    t = toks[i][2]
    if t.lower() in _BEAT_PRONOUNS:
        nxt = toks[i + 1][2]
        return (toks[i][0], toks[i][1]) if nxt.islower() and nxt not in ("and", "or") else None
    honor = _honorific_gender()
    j = i
    while j < len(toks) and j - i < 4 and (is_capitalized(toks[j][2]) and toks[j][2] not in ("I",)):
        j += 1
    if j == i or j >= len(toks) or not toks[j][2].islower() or toks[j][2] in ("of", "and", "or", "’s", "'s"):
        return None
    if toks[i][2] in _SENTENCE_WORDS and toks[i][2].lower() not in honor and toks[i][2].lower() + "." not in honor:
        return None
    return toks[i][0], toks[j - 1][1]


def _resolved_attribution(doc, rule, confidence, span, *, kinds=("person", "pronoun")):
    article = getattr(doc, "article", None)
    if article is None or span is None:
        return None
    info = mention_info(doc.text, span[0], span[1])
    if info["kind"] not in kinds or (info["kind"] in ("person", "unknown") and not info["name"]) \
            or (info["kind"] == "unknown" and info["name"] in _SENTENCE_WORDS):
        return None
    name, kind, role = article.resolve(info)
    if not name:
        return None
    a = _attribution(rule, confidence, (span[0], span[0]), span)
    a["cue_start"] = a["cue_end"] = None
    a["_resolved"] = (name, kind, role)
    return a


def rule_sentence_subject(doc, q):
    """News: a cue-less quotation inside a sentence of its own (not the sentence of the quote before
    it) belongs to that sentence's subject: "Romney fired back, attacking Trump for “…”"."""
    if q["starts_sent"] or q["starts_para"] or dialogue_mode(doc):
        return None
    ss = max(q["sent_start"], q["para_start"])
    prev = _quote_before(doc, q)
    if prev is not None and prev["close_end"] > ss:
        return None          # same sentence as the quote before: continuation decides
    subj = main_clause_subject(doc.text, ss, q["open_start"], inside_quote=getattr(doc, "inside_quote", None))
    if subj is None or subj[1] > q["open_start"]:
        return None
    return _resolved_attribution(doc, "sentence_subject", 0.5, subj[:2], kinds=("person", "pronoun", "unknown"))


_SIGNATURE_RE = re.compile(r"(?<=[.!?…])[ \t]*\n[ \t]*(?P<name>[A-Z][\w’'.\-]*(?:[ \t]+[A-Z][\w’'.\-]*){1,3}),[ \t]+"
                           r"[^\n]{3,140}?\.?[ \t]*$")


def rule_signature_line(doc, q):
    """A pull quote signed on its last line: "“We will win.¶Ana Ruiz, director of the institute.”"."""
    m = _SIGNATURE_RE.search(doc.text, q["start"], q["end"])
    if m is None or len(m.group().split()) > 18:
        return None
    info = mention_info(doc.text, m.start("name"), m.end("name"))
    if info is None or info["kind"] not in ("person", "unknown") or not info["name"] or doc.article is None:
        return None
    name, kind, role = doc.article.resolve(info)
    a = _attribution("signature_line", 0.7, (m.start("name"), m.start("name")), m.span("name"))
    a["cue_start"] = a["cue_end"] = None
    a["_resolved"] = (name, kind, role)
    return a


def rule_same_sentence_next(doc, q):
    """A cue-less quote whose sentence goes on to a quote with a cue of its own takes that cue:
    "“They are painful” but necessary “for the business,” he said." / "“A” -- ... -- “B,” he says."."""
    k = q["idx"] + 1
    if k >= len(doc.quotes):
        return None
    nxt = doc.quotes[k]
    a = nxt.get("attribution")
    if a is None or "inherited_from" in a or nxt.get("type") in ("term", "taken") or nxt["para"] != q["para"] \
            or not a.get("rule", "").startswith("trailing") or a.get("speaker_start") is None:
        return None
    between = doc.text[q["close_end"]:nxt["open_start"]]
    if len(between) > 200 or re.search(r"[.!?;:]", between) or doc.text[q["end"] - 1:q["end"]] in ".!?":
        return None       # not the same sentence
    return _inherit(nxt, "same_sentence", 0.6)


def rule_cue_sentence_before(doc, q):
    """News: a quote right after a sentence that ends in a bare reporting verb belongs to its subject:
    "Ruiz said in a statement. “…”", "…, dos Santos says. “…”" (nothing reported in that sentence)."""
    if not q["starts_sent"]:
        return None
    text = doc.text
    if q["starts_para"]:
        # news: the paragraph before ends "... since Trump spoke only in bromides during the interview."
        if q["para"] == 0 or dialogue_mode(doc):
            return None
        lo = doc.paragraphs[q["para"] - 1][0]
        head = text[lo:doc.paragraphs[q["para"] - 1][1]].rstrip()
    else:
        lo = q["para_start"]
        head = text[lo:q["open_start"]].rstrip()
    if not head.endswith("."):
        return None
    end = lo + len(head) - 1
    ss = max(lo, doc.sentences[doc.sent_index(end - 1)][0]) if doc.sentences else lo
    k = q["idx"] - 1
    if k >= 0 and doc.quotes[k]["close_end"] > ss and _attributed(doc.quotes[k]):
        return None          # the sentence holds an attributed quote: continuation decides
    toks = tokens_between(text, max(ss, doc.quotes[k]["close_end"] if k >= 0 else ss), end)
    forms = cue_forms()
    for i in range(len(toks) - 1, max(-1, len(toks) - 10), -1):
        t = toks[i][2]
        if t in ("that", ",", ";", ":") or t in QUOTE_CHARS or t in _CLAUSE_PUNCT:
            return None      # "said that ...": the sentence reports something itself
        if t in forms and not t.endswith("ing") and (forms[t][0] != t or t in ("say", "tell")):
            subj = subject_before(text, toks[i][0], ss)
            if subj is None or doc.article is None:
                return None
            info = mention_info(text, subj[0], subj[1])
            if info is None or (info["kind"] in ("person", "unknown") and not info["name"]):
                return None
            name, kind, role = doc.article.resolve(info)
            a = _attribution("cue_sentence_before", 0.6, (toks[i][0], toks[i][1]), subj[:2], subj[2])
            a["_resolved"] = (name, kind, role)
            return a
    return None


def rule_narration_before(doc, q):
    """A quote after narration in its paragraph belongs to the person that narration is about:
    "Dorian shrugged his shoulders. “I believe he married her maid.”"."""
    if q["starts_para"]:
        return None
    lo = q["para_start"]
    k = q["idx"] - 1
    if k >= 0 and doc.quotes[k]["para"] == q["para"]:
        return None         # a quote earlier in the paragraph: continuation decides
    region = doc.text[lo:q["open_start"]]
    if any(ch in region for ch in "\"“”„«»"):
        return None
    si = doc.sent_index(q["open_start"] - 1 if q["starts_sent"] else q["open_start"])
    ss = max(lo, doc.sentences[si][0]) if doc.sentences else lo
    return _resolved_attribution(doc, "narration_before", 0.5, sentence_subject(doc.text, ss, q["open_start"]))


def rule_narration_after(doc, q):
    """A quote paragraph whose quote is followed by narration about a person is that person's:
    "“I am going to kill her.” He paused and looked at them."."""
    if not q["starts_para"] or q["content_end_char"] not in ".!?…-—":
        return None
    pos = q["close_end"]
    nxt = doc.quotes[q["idx"] + 1] if q["idx"] + 1 < len(doc.quotes) else None
    hi = min(q["para_end"], nxt["open_start"] if nxt else q["para_end"])
    if hi - pos < 8:
        return None
    return _resolved_attribution(doc, "narration_after", 0.45, sentence_subject(doc.text, pos, hi))


_SPEECH_EVENT_RE = re.compile(r"\b(?:spoke|speaks|speaking|said|says|told|testified|addressed|read (?:a|the|from)|"
                              r"(?:a|the|her|his|their) (?:statement|speech|remarks|interview|address|news conference))\b")


def rule_narration_paragraph(doc, q):
    """A quote paragraph after a narration paragraph (no quote) goes to the person the last sentence
    of that narration is about: "Mr. Wilcox watched her uneasily.¶“What did he suspect?”"."""
    if not q["starts_para"] or q["para"] == 0:
        return None
    k = q["idx"] - 1
    if k >= 0 and doc.quotes[k]["para"] >= q["para"] - 1:
        return None
    ps, pe = doc.paragraphs[q["para"] - 1]
    si = doc.sent_index(pe - 1)
    ss = max(ps, doc.sentences[si][0]) if doc.sentences else ps
    if not dialogue_mode(doc) and not _SPEECH_EVENT_RE.search(doc.text, ss, pe):
        return None      # news: only after a sentence about someone speaking ("spoke to reporters")
    tail = _speech_tail_subject(doc, ss, pe)
    if tail is not None:
        a = _resolved_attribution(doc, "narration_paragraph", 0.6, tail)
        if a is not None:
            return a
    return _resolved_attribution(doc, "narration_paragraph", 0.4, sentence_subject(doc.text, ss, pe))


def _speech_tail_subject(doc, ss, pe):
    """The subject of a verb that ends a paragraph with a comma or colon and so introduces the next
    paragraph's quotation: "…; for she calmly replied," -> "she". ``(start, end)`` or None."""
    text = doc.text
    end = len(text[:pe].rstrip())
    if end <= ss or text[end - 1] not in ",:":
        return None
    toks = tokens_between(text, max(ss, end - 160), end - 1)
    k = len(toks) - 1
    while k >= 0 and toks[k][2].islower() and toks[k][2].endswith("ly") and len(toks[k][2]) > 4:
        k -= 1
    if k < 0:
        return None
    t = toks[k][2]
    if not t.islower() or not (t in cue_forms() or t.endswith("ed") or t in _INVERTED_VERBS):
        return None
    while k > 0 and toks[k - 1][2].islower() and toks[k - 1][2].endswith("ly") and len(toks[k - 1][2]) > 4:
        k -= 1
    subj = subject_before(text, toks[k][0], ss)
    if subj is None:
        subj = main_clause_subject(text, ss, toks[k][0], inside_quote=getattr(doc, "inside_quote", None))
    return subj[:2] if subj else None


_WORDS_RE = re.compile(r"[^\W_]+")


def rule_headline_echo(doc, q):
    """A quote in the headline (first paragraph) with no cue repeats words a person says in the body:
    "‘We just drove’: residents flee fire" -> the speaker of the body quote containing "we just drove"."""
    if q["para"] != 0:
        return None
    words = _WORDS_RE.findall(doc.text[q["start"]:q["end"]].lower())
    if len(words) < 2:
        return None
    needle = " ".join(words)
    for other in doc.quotes[q["idx"] + 1:q["idx"] + 200]:
        if other["para"] == 0 or not _attributed(other) or "_resolved" not in other["attribution"]:
            continue
        hay = " ".join(_WORDS_RE.findall(doc.text[other["start"]:other["end"]].lower()))
        if needle in hay:
            return _inherit(other, "headline_echo", 0.6)
    return None


_ADDRESS_TITLES = (r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Lady|Lord|Sir|Madam|Madame|Mme|Aunt|Uncle|Cousin|Captain|Colonel|"
                   r"Major|General|Professor|Father|Mother|Sister|Brother|Master|Mistress|Mlle|Mme|Monsieur|Frau|Herr|"
                   r"Signor|Signora|Señor|Señora|Don|Donna)\.?\s+)?")
_ADDRESS_NAME = _ADDRESS_TITLES + r"[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?"
_VOCATIVE_END_RE = re.compile(r",\s+(?:my\s+(?:dear\s+)?|dear\s+)?(" + _ADDRESS_NAME + r")\s*(?=[.?!;]|—|--|,?[\s”\"’»]*$)")
_VOCATIVE_START_RE = re.compile(r"(?:(?:Oh|Well|Why|Yes|No|Now|Come|Ah|Look here|Dear|But|And)\s*,?\s+)?"
                                r"(?:[Mm]y\s+(?:dear\s+)?|[Dd]ear\s+)?(" + _ADDRESS_NAME + r")\s*[,!]\s*\S")


_SENTENCE_BREAK_RE = re.compile(r"[.?!]\s+(?=[A-Z])")


def vocatives(text: str, start: int, end: int) -> list:
    """Spans of names a quotation addresses: "Miss Schlegel, you are too kind", "…, Lord Henry?",
    "my dear Lady Ruxton". Capitalized words only; whether they name a person is checked later."""
    out = []
    if text.find(",", start, end) < 0 and text.find("!", start, end) < 0:
        return out      # both patterns need a comma (or an exclamation mark after the name)
    m = _VOCATIVE_START_RE.match(text, start, end)
    if m:
        out.append(m.span(1))
    for b in _SENTENCE_BREAK_RE.finditer(text, start, end):      # "Thank you. Clara, will you come?"
        m = _VOCATIVE_START_RE.match(text, b.end(), end)
        if m:
            out.append(m.span(1))
    out.extend(m.span(1) for m in _VOCATIVE_END_RE.finditer(text, start, end))
    return sorted(set(out))


def _addressee_key(article, text, start, end):
    """The article's person a vocative names, or the name itself when it looks like a person's
    (an honorific or a known first name); None for other capitalized words ("Certainly")."""
    words = text[start:end].split()
    honor = _honorific_gender()
    titled = words[0].lower() in honor or words[0].lower() + "." in honor
    core = words[1:] if titled and len(words) > 1 else words
    if not core or core[0] in _SENTENCE_WORDS:
        return None
    key = normalize_name(" ".join(words))
    if key in article.entities:
        return key
    cands = article.by_token.get(core[-1], set())
    if len(cands) == 1:
        return next(iter(cands))
    if titled or core[0] in first_names():
        return key
    return None


def rule_vocative(doc, q):
    """Dialogue: a quote paragraph answering one that addressed someone by name is that person's:
    "“Have you a bad influence, Lord Henry?”¶“There is no such thing…”" -> Lord Henry."""
    article = getattr(doc, "article", None)
    if article is None or not q["starts_para"] or q["idx"] < 1:
        return None
    k = q["idx"] - 1
    prev = doc.quotes[k]
    if prev["para"] != q["para"] - 1 or prev.get("continues"):
        return None
    said_by = _speaker_key(doc, prev) if _attributed(prev) else None
    while k >= 0 and doc.quotes[k]["para"] == prev["para"]:
        other = doc.quotes[k]
        for s, e in reversed(vocatives(doc.text, other["start"], other["end"])):
            key = _addressee_key(article, doc.text, s, e)
            if key and not (said_by and _same_person_mention(key, said_by)):
                a = _attribution("vocative", 0.6, (s, s), (s, e))
                a["cue_start"] = a["cue_end"] = None
                ent = article.entities.get(key)
                a["_resolved"] = (key, "person", ent.get("role") if ent else None)
                return a
        k -= 1
    return None


# the ordered sieve for direct quotes; the first rule that fires wins
SIEVE = [rule_trailing, rule_leading, rule_turn_taking, rule_continuation]
# the rules tried (in order) on a quote with no cue of its own; a rule returns an attribution that
# either carries ``inherited_from`` (the index of the quote whose speaker it takes) or its own
# ``_resolved`` triple (speaker_name, kind, role), resolved through ``doc.article`` when present
CUELESS_SIEVE = [rule_signature_line, rule_same_sentence_next, rule_headline_echo, rule_narration_after, rule_vocative, rule_cue_sentence_before, rule_turn_taking, rule_sentence_subject, rule_continuation, rule_narration_before,
                 rule_narration_paragraph, rule_after_reported]
