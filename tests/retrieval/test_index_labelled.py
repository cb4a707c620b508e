"""Labelled traffic in `AnswerIndex.load_retriever`: it joins the fit, and other traffic refits."""

from __future__ import annotations

import json
import pathlib
from typing import Any

from knowledge import load_answer_base
from retrieval import AnswerIndex, open_chroma
from tests.builders import write_base
from tests.retrieval.encoders import CachedE5, CountingEncoder

JACKET = "Jeg vil sende tilbake en jakke jeg kjøpte"


def open_index(tmp_path: pathlib.Path, encoder: Any) -> AnswerIndex:
    base = load_answer_base(tmp_path / "answers")
    return AnswerIndex(
        open_chroma(tmp_path / "data"), base, encoder, tmp_path / "data" / "retrieval"
    )


def saved_state(tmp_path: pathlib.Path) -> dict[str, Any]:
    [path] = (tmp_path / "data" / "retrieval").glob("*.json")
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def test_labelled_traffic_joins_the_fit_and_other_traffic_refits(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    index = open_index(tmp_path, encoder)
    index.sync()
    index.load_retriever()
    assert saved_state(tmp_path).get("labelled", "") == ""
    pairs = [
        (JACKET, "returns"),
        ("Selger dere gavekort?", "gift-cards"),  # not an answer of this base: left out
        (JACKET, "returns"),  # the same pair twice counts once
    ]

    counting = CountingEncoder(encoder)
    open_index(tmp_path, counting).load_retriever(labelled=pairs)

    assert counting.queries == [JACKET]  # refitted, with the traffic (the rest is stored)
    fitted_with = saved_state(tmp_path)["labelled"]
    assert fitted_with != ""

    again = CountingEncoder(encoder)
    open_index(tmp_path, again).load_retriever(labelled=list(reversed(pairs)))
    assert again.queries == []  # the same traffic: the saved models, not a refit
    assert saved_state(tmp_path)["labelled"] == fitted_with

    more = [*pairs, ("Hur skickar jag tillbaka en jacka?", "returns")]
    open_index(tmp_path, again).load_retriever(labelled=more)
    assert again.queries == [JACKET, "Hur skickar jag tillbaka en jacka?"]  # new traffic: refit
    assert saved_state(tmp_path)["labelled"] not in ("", fitted_with)
