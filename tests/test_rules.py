"""The attribution-rule table: every rule the engine can name is described, with an example it applies to."""
import re
from pathlib import Path

import pytest

import toolkit as tk

TOOLKIT = Path(__file__).resolve().parents[1] / "toolkit"
# the ways a rule name is written where an attribution is made
RULE_NAME_PATTERNS = [
    r"_attribution\(\s*\"([a-z_]+)\"",
    r"_resolved_attribution\(\s*doc,\s*\"([a-z_]+)\"",
    r"_inherit\(\s*\w+,\s*\"([a-z_]+)\"",
    r"\"rule\":\s*\"([a-z_]+)\"",
    r"\brule\s*=\s*\"([a-z_]+)\"",
    r"\"(indirect_[a-z_]+)\"",
]


def _base(rule):
    return rule.split("+")[0]


def test_the_table_has_one_described_row_per_rule():
    rules = tk.attribution_rules()
    assert list(rules.columns) == ["rule", "quote_types", "pattern", "example", "meaning"]
    assert rules["rule"].is_unique
    assert rules.notna().all().all() and (rules.map(lambda v: len(v.strip())) > 0).all().all()
    for types in rules["quote_types"]:
        assert set(t.strip() for t in types.split(",")) <= {"direct", "indirect", "mixed"}


def test_every_rule_named_in_the_engine_source_is_in_the_table():
    source = "\n".join((TOOLKIT / name).read_text(encoding="utf-8") for name in ("quotes.py", "speakers.py"))
    named = {m for pattern in RULE_NAME_PATTERNS for m in re.findall(pattern, source)}
    assert len(named) >= 20          # the patterns still find the rule names
    assert named - set(tk.attribution_rules()["rule"]) == set()


@pytest.fixture(scope="module")
def sample_quotes():
    return tk.extract_quotes(tk.load_corpus(Path(__file__).resolve().parents[1] / "data" / "sample"),
                             include_stances=True, progress=False)


def test_every_rule_used_on_the_bundled_corpus_is_in_the_table(sample_quotes):
    used = {_base(r) for r in sample_quotes["rule"].dropna()}
    assert used and used <= set(tk.attribution_rules()["rule"])


def test_each_example_is_attributed_by_its_rule():
    rules = tk.attribution_rules()
    shown = rules[~rules["example"].str.contains("(in a long dialogue)", regex=False)
                  & ~rules["example"].str.startswith("A paragraph")]
    assert len(shown) >= 25
    for row in shown.itertuples():
        quotes = tk.extract_quotes(row.example.replace(" ¶ ", "\n\n"), include_stances=True)
        assert row.rule in {_base(r) for r in quotes["rule"].dropna()}, (row.rule, quotes["rule"].tolist())
