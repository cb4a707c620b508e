"""The dashboard's API (`/api/v1/agent/insights*`): admins only, the figures of a period with
filters, the gaps and their two actions, and clear errors, over a real server on loopback
(its own small answer base, so that drafts and phrasings are written to a copy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.agents import Clock, Desk, add_agent
from tests.insights.conftest import shop_answers
from tests.insights.test_gaps import unanswered_week
from tests.server import LiveServer, make_settings, start_server

pytestmark = pytest.mark.slow
WEEK = {"from": "2026-12-07", "to": "2026-12-13"}


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    folder = tmp_path_factory.mktemp("insights-api")
    root = shop_answers(folder)
    settings = make_settings(folder / "var", answers_dir=root)
    clock = Clock(dt.datetime(2026, 12, 14, 8, 0, tzinfo=dt.UTC))
    with start_server(settings, clock=clock) as live:
        live.run(unanswered_week(live.db))
        add_agent(live, "anne", ["payments"], admin=True)
        add_agent(live, "per", ["payments"])
        yield live, root


@pytest.fixture
def desks() -> Iterator[list[Desk]]:
    opened: list[Desk] = []
    yield opened
    for desk in opened:
        desk.close()


@pytest.fixture
def signed_in(desks: list[Desk]) -> Callable[[LiveServer, str], Desk]:
    def sign_in(live: LiveServer, name: str) -> Desk:
        desk = Desk(live, name)
        desks.append(desk)
        if name != "nobody":
            assert desk.sign_in().status_code == 200
        return desk

    return sign_in


SignedIn = Callable[[LiveServer, str], Desk]


def test_the_figures_are_for_admins_only(
    signed_in: SignedIn, shop_server: tuple[LiveServer, Path]
) -> None:
    live, _ = shop_server
    answer = signed_in(live, "per").http.get("/insights", params=WEEK)
    assert answer.status_code == 403
    assert answer.json() == {
        "ok": False,
        "error": "the dashboard is for agents with the admin role",
        "code": "forbidden",
    }
    anonymous = signed_in(live, "nobody").http.get("/insights", params=WEEK)
    assert anonymous.status_code == 401


def test_an_admin_gets_the_figures_of_a_period(
    signed_in: SignedIn, shop_server: tuple[LiveServer, Path]
) -> None:
    live, _ = shop_server
    admin = signed_in(live, "anne")
    report = admin.http.get("/insights", params=WEEK).json()["report"]
    assert report["period"]["from"] == "2026-12-07" and report["inquiries"] == 16
    assert report["abstained"] == 10 and report["gaps_included"] is False
    default = admin.http.get("/insights").json()["report"]["period"]
    assert (default["from"], default["to"]) == ("2026-12-08", "2026-12-14")  # 7 days to today
    swedish = admin.http.get("/insights", params=WEEK | {"language": "sv"}).json()["report"]
    assert swedish["inquiries"] == 2


@pytest.mark.parametrize(
    ("params", "status", "code", "words"),
    [
        ({"from": "2026-12-13", "to": "2026-12-07"}, 422, "bad_period", "ends (2026-12-07) before"),
        ({"from": "7.12.2026"}, 422, "bad_period", "write it YYYY-MM-DD"),
        ({"team": "marketing"}, 404, "unknown_team", "no team 'marketing'"),
        ({"answer": "gift-cards"}, 404, "unknown_answer", "no answer 'gift-cards'"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    signed_in: SignedIn,
    shop_server: tuple[LiveServer, Path],
    params: dict[str, str],
    status: int,
    code: str,
    words: str,
) -> None:
    live, _ = shop_server
    answer = signed_in(live, "anne").http.get("/insights", params=params)
    assert answer.status_code == status
    body = answer.json()
    assert body["ok"] is False and body["code"] == code and words in body["error"]


def test_gaps_then_assign_and_draft(
    signed_in: SignedIn, shop_server: tuple[LiveServer, Path]
) -> None:
    live, root = shop_server
    admin = signed_in(live, "anne")
    assert signed_in(live, "per").http.get("/insights/gaps", params=WEEK).status_code == 403
    gaps = admin.http.get("/insights/gaps", params=WEEK).json()["gaps"]
    assert gaps[0]["size"] == 10 and len(gaps[0]["questions"]) == 5
    opening = next(g for g in gaps if "What time do you open on Saturday?" in g["examples"])
    questions = [q["text"] for q in opening["questions"]]
    assigned = admin.http.post(
        "/insights/gaps/assign", json={"questions": questions, "answer_id": "order-tracking"}
    )
    assert assigned.status_code == 200, assigned.text
    assert all(a["added"] for a in assigned.json()["assigned"])
    again = admin.http.post(
        "/insights/gaps/assign", json={"questions": questions, "answer_id": "returns"}
    )
    assert again.status_code == 409 and again.json()["code"] == "questions_not_added"
    drafted = admin.http.post(
        "/insights/gaps/draft",
        json={"questions": [q["text"] for q in gaps[0]["questions"]], "answer_id": "gift-cards"},
    )
    assert drafted.status_code == 200, drafted.text
    document = yaml.safe_load((root / "drafts" / "gift-cards.yaml").read_text("utf-8"))
    assert document["status"] == "draft" and len(document["questions"]) == 5
    twice = admin.http.post(
        "/insights/gaps/draft", json={"questions": ["x"], "answer_id": "gift-cards"}
    )
    assert twice.status_code == 409 and twice.json()["code"] == "draft_exists"
    left = admin.http.get("/insights/gaps", params=WEEK).json()["gaps"]
    assert {e for g in left for e in g["examples"]} == {
        "jakke retur bytte",
        "kortet blir avvist hver gang",
    }
