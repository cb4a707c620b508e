"""The redaction benchmark's labelled set reads as it should (benchmarks/run_redaction.py)."""

from __future__ import annotations

import sys

import pytest

from benchmarks.run_redaction import DATA, LANGS, differences, load, parse_line, score


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


def test_an_earlier_revision_is_compared_finding_by_finding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot
    from benchmarks._baseline import privacy_at

    old = privacy_at("HEAD")
    assert old.__name__ == "_baseline_privacy" and old is not sys.modules["bot.privacy"]
    assert [
        f.kind for f in old.find_personal_data("kari@example.no, Ola Nordmann", broad=True)
    ] == [
        "email",
        "name",
    ]
    sentences = [parse_line("nb", "Jeg heter [[name|Kari]], ring [[phone|912 34 567]].")]
    assert differences("HEAD", sentences) == []
    found = bot.find_personal_data
    monkeypatch.setattr(bot, "find_personal_data", lambda text, broad=False: found(text)[1:])
    assert differences("HEAD", sentences) == ["nb: Jeg heter Kari, ring 912 34 567."]
