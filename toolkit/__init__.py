"""who-says-what: find every quotation in a news corpus and say who said it.

    >>> import toolkit as tk
    >>> corpus = tk.load_corpus("data/sample")
"""
__version__ = "0.1.0"
