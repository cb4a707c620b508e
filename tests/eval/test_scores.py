"""ragas scores: the offline ID-based metrics on a hand-checked example, and the LLM metrics
through a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from eval import LlmEndpoint, llm_scores, offline_scores, points_of, shown_ids
from knowledge import AnswerBase, load_answer_base
from retrieval import E5Embeddings
from tests.builders import make_answer_dict, write_base
from tests.eval.llm_server import FakeLLM, fake_llm
from tests.eval.outcomes import abstain, clarify, reply, result

# Hand-checked: the ids shown are the answer given or the choices offered.
#   case  expects         shown                                 precision  recall
#   q1    returns         [returns]                             1          1
#   q2    returns         [refund-time]                         0          0
#   q3    order-tracking  [order-tracking, missing-package, r.] 1/3        1
#   q4    abstain         [warranty]                            0          -
#   q5    abstain         []                                    -          -
#   q6    order-tracking  []                                    -          0
OFFLINE = [
    result("q1", "returns", reply("returns")),
    result("q2", "returns", reply("refund-time")),
    result("q3", "order-tracking", clarify("order-tracking", "missing-package", "returns")),
    result("q4", "abstain", reply("warranty")),
    result("q5", "abstain", abstain("warranty")),
    result("q6", "order-tracking", abstain("order-tracking")),
]


def test_shown_ids() -> None:
    assert [shown_ids(r.outcome) for r in OFFLINE] == [
        ["returns"],
        ["refund-time"],
        ["order-tracking", "missing-package", "returns"],
        ["warranty"],
        [],
        [],
    ]


def test_offline_id_based_precision_and_recall() -> None:
    scores = offline_scores(points_of(OFFLINE))
    assert scores[("q1", 0)] == {"context_precision": 1.0, "context_recall": 1.0}
    assert scores[("q2", 0)] == {"context_precision": 0.0, "context_recall": 0.0}
    assert scores[("q3", 0)]["context_precision"] == pytest.approx(1 / 3)
    assert scores[("q3", 0)]["context_recall"] == 1.0
    assert scores[("q4", 0)] == {"context_precision": 0.0}
    assert ("q5", 0) not in scores
    assert scores[("q6", 0)] == {"context_recall": 0.0}
    precision = np.mean(
        [s["context_precision"] for s in scores.values() if "context_precision" in s]
    )
    recall = np.mean([s["context_recall"] for s in scores.values() if "context_recall" in s])
    assert (round(float(precision), 4), float(recall)) == (round(1 / 3, 4), 0.5)


CONTEXT = "Pakken er sendt med Posten. Sporingen finner du under Mine ordrer."
REPLY = "Pakken er sendt med Posten. Den kommer i morgen."  # one of two statements is supported
QUESTION = "Hvor er pakken min?"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> AnswerBase:
    answer = make_answer_dict(id="order-tracking", answer={"nb": CONTEXT, "en": "Sent by post."})
    return load_answer_base(write_base(tmp_path_factory.mktemp("base"), [answer]))


@pytest.fixture(scope="module")
def e5() -> E5Embeddings:
    return E5Embeddings()


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with fake_llm() as server:
        yield server


ANSWERED = [
    result("a", "order-tracking", reply("order-tracking", text=REPLY), ask=QUESTION),
    result("b", "abstain", abstain("order-tracking"), ask="Fortell en vits"),
]


def test_faithfulness_and_relevancy_through_the_endpoint(
    base: AnswerBase, e5: E5Embeddings, llm: FakeLLM
) -> None:
    endpoint = LlmEndpoint(llm.url, "local-model", api_key="sekret")
    scored = llm_scores(points_of(ANSWERED), endpoint, e5, base)

    assert (scored.model, scored.tried, scored.failed, scored.error) == ("local-model", 1, 0, None)
    assert list(scored.scores) == [("a", 0)]  # only answered turns are scored
    values = scored.scores[("a", 0)]
    assert values["faithfulness"] == 0.5
    generated = "Pakken er sendt med Posten?"  # what the server asks for the reply
    q, g = e5.query_vectors([QUESTION, generated])
    assert values["response_relevancy"] == pytest.approx(float(q @ g), abs=1e-4)

    # 2 faithfulness prompts + 3 relevancy prompts (ragas's default strictness), all to the
    # configured model, with the key, in JSON mode.
    assert len(llm.requests) == 5
    assert {r["path"] for r in llm.requests} == {"/v1/chat/completions"}
    assert {r["auth"] for r in llm.requests} == {"Bearer sekret"}
    assert {r["body"]["model"] for r in llm.requests} == {"local-model"}
    assert all(r["body"]["response_format"] == {"type": "json_object"} for r in llm.requests)
    sent = "\n".join(str(r["body"]["messages"]) for r in llm.requests)
    assert CONTEXT in sent  # the answer's text in the reply language is the context


def test_a_failing_endpoint_is_reported_not_raised(
    base: AnswerBase, e5: E5Embeddings, llm: FakeLLM
) -> None:
    llm.fail_with = 503
    scored = llm_scores(points_of(ANSWERED), LlmEndpoint(llm.url, "m"), e5, base)
    assert (scored.tried, scored.failed, scored.scores) == (1, 1, {})
    assert scored.error is not None and "503" in scored.error


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_endpoint_is_reported(
    base: AnswerBase, e5: E5Embeddings, tmp_path: Path
) -> None:
    endpoint = LlmEndpoint(f"http://127.0.0.1:{_closed_port()}/v1", "m", timeout=5)
    scored = llm_scores(points_of(ANSWERED), endpoint, e5, base)
    assert scored.failed == 1
    assert scored.error is not None and "Connection" in scored.error
