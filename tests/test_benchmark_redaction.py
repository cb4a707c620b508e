"""The redaction benchmark's labelled set reads as it should (benchmarks/run_redaction.py)."""

from __future__ import annotations

from benchmarks.run_redaction import DATA, LANGS, load, parse_line, score


def test_a_marked_line_becomes_its_text_and_spans() -> None:
    sentence = parse_line("nb", "Jeg heter [[name|Kari]], kort [[card|4111 1111 1111 1111]].")
    assert sentence.text == "Jeg heter Kari, kort 4111 1111 1111 1111."
    assert [sentence.text[a:b] for _, a, b in sentence.spans] == ["Kari", "4111 1111 1111 1111"]


def test_every_language_has_forty_sentences_and_negatives() -> None:
    sentences = load(DATA)
    for lang in LANGS:
        mine = [s for s in sentences if s.lang == lang]
        assert len(mine) >= 40, lang
        assert sum(not s.spans for s in mine) >= 12, lang


def test_scoring_counts_overlaps_by_category() -> None:
    sentence = parse_line("en", "I am [[name|Kari Nordmann]] at [[ip|10.0.0.1]]")
    found = [[("name", 5, 9), ("phone", 0, 1)]]  # half the name; a wrong finding
    table = score([sentence], found, ("name", "ip", "phone"))["all"]
    assert (table["name"]["tp_spans"], table["name"]["exact"]) == (1, 0)
    assert (table["ip"]["spans"], table["ip"]["tp_spans"]) == (1, 0)
    assert (table["phone"]["found"], table["phone"]["tp_found"]) == (1, 0)
