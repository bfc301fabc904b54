"""who-says-what: find every quotation in a news corpus and say who said it.

    >>> import toolkit as tk
    >>> corpus = tk.load_corpus("data/sample")
    >>> sentences = tk.sentences(corpus)
"""
from .corpus import MissingColumnError, corpus_report, iter_corpus, load_corpus
from .quotes import extract_quotes
from .speakers import load_aliases, resolve_speakers, speakers
from .tokens import (
    SentenceSplitter,
    default_splitter,
    load_abbreviations,
    normalize_quotes,
    paragraph_spans,
    paragraphs,
    sentence_spans,
    sentences,
    stopwords,
    tokenize,
    train_sentence_splitter,
    word_spans,
)

__version__ = "0.1.0"
