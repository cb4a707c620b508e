"""Every frame the server pushes to its clients, with the channel it goes on and its audience.

This is the one place where pushed frames are built (their shapes are in docs/api.md,
"WebSocket", and docs/agent-api.md, "The WebSocket"). The operations decide *when* something
happened; the functions here decide *what* each client is told and *who* may be told it.

Channels of the hub:

- a conversation's id: the visitor's connections watching it (messages, typing, status,
  streamed parts);
- `visitor_channel(id)`: the visitor's connections that have no conversation yet;
- `AGENTS`: every agent connection; each frame names its `Audience`, and an agent's
  connection passes on only the frames whose audience admits that agent;
- `agent_channel(id)`: one agent's connections (signing out).

A frame crosses processes as JSON (`to_json`, `from_json`), so a Redis hub carries it whole.
One frame never leaves its process: `resync`, which a Redis hub sends its own subscribers
after Redis was lost, so that they catch up what crossed nothing meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conversations.messages import message_json
from conversations.storage import Message
from handoff import AgentInfo, Case, can_see

__all__ = [
    "AGENTS",
    "Audience",
    "Frame",
    "agent_channel",
    "agent_signed_out",
    "agent_status",
    "agent_typing",
    "case_changed",
    "case_message",
    "case_note",
    "case_removed",
    "case_typing",
    "conversation_started",
    "message",
    "messages_of",
    "resync",
    "retract",
    "status",
    "stream_part",
    "typing",
    "visitor_channel",
]

AGENTS = "agents"  # the hub channel of every agent connection


def visitor_channel(visitor_id: str) -> str:
    """The visitor's own channel (ids are URL-safe, so no conversation id contains ':')."""
    return f"visitor:{visitor_id}"


def agent_channel(agent_id: str) -> str:
    """One agent's own channel."""
    return f"agent:{agent_id}"


@dataclass(frozen=True, slots=True)
class Audience:
    """The agents who may see a frame about a case: those who may see the case (its team, its
    agent, admins: `handoff.can_see`), and the agent it was taken from. `only_team`: only
    the team's members who are not admins (a case that left their team disappears for them,
    while admins and the new team get the case's update)."""

    team: str
    agent_id: str | None = None
    previous_agent_id: str | None = None
    only_team: bool = False

    @classmethod
    def of(cls, case: Case, *, with_previous: bool = False) -> Audience:
        previous = case.previous_agent_id if with_previous else None
        return cls(case.team, case.agent_id, previous)

    def admits(self, agent: AgentInfo) -> bool:
        if self.only_team:
            return self.team in agent.teams and not agent.agent.is_admin
        return can_see(agent, self.team, self.agent_id) or (
            self.previous_agent_id is not None and agent.id == self.previous_agent_id
        )


@dataclass(frozen=True, slots=True)
class Frame:
    """One pushed frame: where it goes, what the client receives (`body`), and, on the agents'
    channel, who may receive it (`audience`; None: everyone on the channel)."""

    channel: str
    body: Mapping[str, Any]
    audience: Audience | None = None

    @property
    def type(self) -> str:
        return str(self.body["type"])

    def to_json(self) -> str:
        audience = None
        if self.audience is not None:
            a = self.audience
            audience = [a.team, a.agent_id, a.previous_agent_id, a.only_team]
        return json.dumps(
            {"channel": self.channel, "body": self.body, "audience": audience},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Frame:
        data = json.loads(text)
        audience = data.get("audience")
        return cls(
            str(data["channel"]),
            dict(data["body"]),
            Audience(*audience) if audience is not None else None,
        )


def resync(channel: str) -> Frame:
    """To every connection on `channel` of this process: frames may have been missed (Redis
    was lost). A visitor's connection sends what the database has that it has not sent; an
    agent's console is told to reload its lists (docs/agent-api.md)."""
    return Frame(channel, {"type": "resync"})


# --- to the visitor's connections -------------------------------------------------------


def message(conversation_id: str, stored: Message) -> Frame:
    return Frame(conversation_id, {"type": "message", "message": message_json(stored)})


def typing(conversation_id: str, *, on: bool, agent_name: str | None = None) -> Frame:
    """The bot (or, with `agent_name`, the case's agent) is writing."""
    body: dict[str, Any] = {"type": "typing", "on": on}
    if agent_name is not None:
        body |= {"role": "agent", "agent_name": agent_name}
    return Frame(conversation_id, body)


def status(conversation_id: str, value: str, case: Mapping[str, Any] | None = None) -> Frame:
    """The conversation's status (`bot`, `waiting_human`, `with_agent`, `resolved`), with the
    case as the visitor sees it when there is one."""
    body: dict[str, Any] = {"type": "status", "status": value}
    if case is not None:
        body["case"] = dict(case)
    return Frame(conversation_id, body)


def conversation_started(visitor_id: str, conversation_id: str) -> Frame:
    body = {"type": "conversation", "conversation_id": conversation_id, "status": "bot"}
    return Frame(visitor_channel(visitor_id), body)


def stream_part(conversation_id: str, reply_to: str, offset: int, text: str) -> Frame:
    body = {"type": "delta", "reply_to": reply_to, "offset": offset, "text": text}
    return Frame(conversation_id, body)


def retract(conversation_id: str, reply_to: str, reason: str) -> Frame:
    return Frame(conversation_id, {"type": "retract", "reply_to": reply_to, "reason": reason})


# --- to the agents ----------------------------------------------------------------------


def case_changed(case: Case, row: Mapping[str, Any], change: str | None = None) -> Frame:
    """`case_created` (no `change`) or `case_updated`; the agent it was taken from sees it too."""
    body: dict[str, Any] = {"type": "case_created" if change is None else "case_updated"}
    body["case"] = dict(row)
    if change is not None:
        body["change"] = change
    return Frame(AGENTS, body, Audience.of(case, with_previous=True))


def case_message(case: Case, stored: Message) -> Frame:
    body = {
        "type": "message",
        "case_id": case.id,
        "conversation_id": case.conversation_id,
        "message": message_json(stored),
    }
    return Frame(AGENTS, body, Audience.of(case))


def case_typing(case: Case, *, on: bool) -> Frame:
    """The visitor is writing in the case's conversation."""
    return Frame(AGENTS, {"type": "typing", "case_id": case.id, "on": on}, Audience.of(case))


def case_note(case: Case, note: Mapping[str, Any]) -> Frame:
    body = {"type": "note", "case_id": case.id, "note": dict(note)}
    return Frame(AGENTS, body, Audience.of(case))


def case_removed(case_id: str, old_team: str, why: str) -> Frame:
    """The case left `old_team`: its members who are not admins stop seeing it."""
    body = {"type": "case_removed", "case_id": case_id, "why": why}
    return Frame(AGENTS, body, Audience(old_team, only_team=True))


def agent_status(agent: Mapping[str, Any]) -> Frame:
    return Frame(AGENTS, {"type": "agent_status", "agent": dict(agent)})


def agent_signed_out(agent_id: str) -> Frame:
    return Frame(agent_channel(agent_id), {"type": "signed_out"})


def agent_typing(case: Case, agent_name: str, *, on: bool) -> Frame:
    """The case's agent is writing: to the visitor's connections."""
    return typing(case.conversation_id, on=on, agent_name=agent_name)


def messages_of(
    conversation_id: str, stored: Sequence[Message], case: Case | None = None
) -> list[Frame]:
    """The frames for messages stored in one change: each to the visitor's connections and,
    in a case, to its agents too (a visitor's own message reaches them by `case_message`)."""
    frames = []
    for stored_message in stored:
        frames.append(message(conversation_id, stored_message))
        if case is not None and stored_message.role != "visitor":
            frames.append(case_message(case, stored_message))
    return frames
