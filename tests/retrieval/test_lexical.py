"""Character n-gram BM25: Nordic letters, casing, short words and typos."""

from __future__ import annotations

import numpy as np

from retrieval.lexical import LexicalIndex, char_ngrams


def test_ngrams_keep_nordic_letters_and_mark_word_edges() -> None:
    assert char_ngrams("Ærlig") == ["_ærl", "ærli", "rlig", "lig_"]
    assert char_ngrams("bølge") == ["_bøl", "bølg", "ølge", "lge_"]


def test_ngrams_ignore_case() -> None:
    assert char_ngrams("RETURETIKETT Åpen ØL") == char_ngrams("returetikett åpen øl")


def test_composed_and_decomposed_letters_give_the_same_ngrams() -> None:
    decomposed = "a\u030apen"  # "a" + combining ring above
    assert char_ngrams(decomposed) == char_ngrams("åpen")


def test_short_words_are_kept_whole() -> None:
    assert char_ngrams("på i øl") == ["_på_", "_i_", "_øl_"]


def test_punctuation_splits_words() -> None:
    assert char_ngrams("retur-etikett!") == char_ngrams("retur etikett")
    assert char_ngrams("?!  ") == []


DOCS = [
    "Hvor er pakken min?",
    "Skriv ut returetikett fra Mine ordre",
    "Betalingen ble avvist i kassen",
]


def test_a_typo_still_finds_the_document() -> None:
    index = LexicalIndex(DOCS)

    scores = index.scores("returetiket")

    assert scores.shape == (3,)
    assert int(np.argmax(scores)) == 1
    assert scores[1] > 0
    assert scores[0] == scores[2] == 0


def test_overlap_is_the_share_of_query_ngrams_in_the_document() -> None:
    index = LexicalIndex(DOCS)

    assert index.overlap("returetikett", 1) == 1.0
    assert 0.5 < index.overlap("returetiket", 1) < 1.0
    assert index.overlap("returetikett", 0) == 0.0
    assert index.overlap("", 1) == 0.0


def test_an_empty_query_or_unknown_words_score_zero() -> None:
    index = LexicalIndex(DOCS)

    for query in ("", "   ", "?!", "xyzq"):
        scores = index.scores(query)
        assert scores.dtype == np.float32
        assert np.array_equal(scores, np.zeros(3, dtype=np.float32))


def test_an_empty_index_scores_nothing() -> None:
    index = LexicalIndex([])

    assert len(index) == 0
    assert index.scores("returetikett").shape == (0,)
    assert index.scores("").shape == (0,)


def test_documents_without_words_can_be_indexed() -> None:
    index = LexicalIndex(["!!!", "Returetikett"])

    assert len(index) == 2
    assert int(np.argmax(index.scores("returetikett"))) == 1
