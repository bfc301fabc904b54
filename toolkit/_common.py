"""Small helpers shared by the toolkit's modules."""
import math

import pandas as pd


def is_missing(value) -> bool:
    """True for None, pandas' NA and NaT, and float NaN: the ways a table cell can be empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)
