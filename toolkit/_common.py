"""Small helpers shared by the toolkit's modules."""
import math

import pandas as pd


def is_missing(value) -> bool:
    """True for None, pandas' NA and NaT, and float NaN: the ways a table cell can be empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def require_columns(table, columns, *, what="quote table") -> None:
    """Raise a message naming ``what`` and the missing columns when ``table`` lacks any of ``columns``."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame as the {what}, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"the {what} has no column {', '.join(map(repr, missing))}; "
                       f"columns found: {', '.join(map(str, table.columns))}")


def trim_span(text, start, end, strip):
    """Narrow ``text[start:end]`` by dropping the characters in ``strip`` from both ends."""
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end
