"""The attribution rules, as a table: what each name in the quote table's ``rule`` column means."""
from __future__ import annotations

import csv
import io
from importlib import resources

import pandas as pd

RULE_COLUMNS = ["rule", "quote_types", "pattern", "example", "meaning"]


def attribution_rules() -> pd.DataFrame:
    """Describe every attribution rule the quote engine can name in the ``rule`` column.

    Returns one row per rule with the columns ``rule`` (the name in the quote table),
    ``quote_types`` (the quote types it attributes: direct, indirect, mixed), ``pattern`` (its
    shape: “…,” X said), ``example`` (a sentence it applies to; " ¶ " marks a paragraph break) and
    ``meaning`` (what it decides and when). Rows come in sieve order: rules for direct quotations
    first, then those for indirect and mixed speech. A rule name with "+interrupted" appended means
    the quotation was interrupted by its attribution ("“A,” X said, “B.”") and its pieces were
    joined into one quote with two fragments.

        >>> rules = attribution_rules()
        >>> rules.set_index("rule").loc["trailing", "pattern"]
        '“…,” X said'
    """
    text = resources.files("toolkit").joinpath("data", "attribution_rules.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))     # (an example may hold a line break)
    return pd.DataFrame(rows, columns=RULE_COLUMNS)
