"""who-says-what: find every quotation in a news corpus and say who said it.

    >>> import toolkit as tk
    >>> corpus = tk.load_corpus("data/sample")
    >>> quotes = tk.extract_quotes(corpus)
    >>> tk.top_speakers(quotes, n=5)
"""
from .corpus import MissingColumnError, corpus_report, iter_corpus, load_corpus
from .quotes import extract_quotes
from .rules import attribution_rules
# Imported after .quotes so that `tk.speakers` is the function, not the submodule.
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
from .analysis import (
    UNATTRIBUTED,
    UNNAMED,
    cue_profile,
    distinctive_terms,
    keyword_in_context,
    quote_lengths,
    quote_network,
    speaker_timeline,
    top_speakers,
    who_says_what,
)
from .viz import (
    QuoteView,
    plot_cue_profile,
    plot_distinctive_terms,
    plot_quote_lengths,
    plot_quote_network,
    plot_share_of_voice,
    plot_speaker_heatmap,
    plot_speaker_timeline,
    plot_top_speakers,
    show_quotes,
)
from .evaluate import errors, load_gold, score
from .scale import extract_quotes_parallel, extract_quotes_stream, progress_bar, read_quotes
from .cluster import extract_quotes_dask

__version__ = "0.1.0"
