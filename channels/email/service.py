"""The e-mail channel running in a server: the SMTP (or LMTP) receiver on the event loop,
the worker that takes stored mails in, and the sender of the outbox. `samsvar serve`
starts one when `CHAT_EMAIL_ADDRESS` is set and stops it with the server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.intake import (
    EmailConfig,
    TakeOutcome,
    do_answer_mails,
    do_store_mails,
    do_take_mails,
)
from channels.email.outbox import do_send_mails
from channels.email.replies import do_mail_agent_replies
from conversations.mail import MailSettings
from conversations.services import Services

__all__ = ["EmailChannel"]

log = logging.getLogger(__name__)


class _Storing:
    """The receiver's writes, committed in groups: a mail that arrives while a group is
    being written waits for the next, and all that waited are written in one transaction
    (`do_store_mails`). Each is told only after the commit, so the 250 still follows the
    write; a burst costs one transaction per group instead of one per mail, and leaves the
    database to the rest of the channel (decision 0124)."""

    GROUP = 64

    def __init__(self, services: Services) -> None:
        self.services = services
        self.waiting: list[tuple[bytes, str | None, asyncio.Future[tuple[str, bool]]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def store(self, raw: bytes, envelope_from: str | None) -> tuple[str, bool]:
        kept: asyncio.Future[tuple[str, bool]] = asyncio.get_running_loop().create_future()
        self.waiting.append((raw, envelope_from, kept))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        return await kept

    async def _write(self) -> None:
        while self.waiting:
            group, self.waiting = self.waiting[: self.GROUP], self.waiting[self.GROUP :]
            try:
                stored = await do_store_mails(
                    self.services.db,
                    [(raw, sender) for raw, sender, _ in group],
                    self.services.clock(),
                )
            except Exception as exc:  # each of them is told (451), none is lost
                for _raw, _sender, kept in group:
                    if not kept.done():
                        kept.set_exception(exc)
                continue
            for (_raw, _sender, kept), result in zip(group, stored, strict=True):
                if not kept.done():
                    kept.set_result(result)


class _Handler:
    """aiosmtpd's handler: a mail is stored before the 250; a failure to store it is a
    451 (the sending server keeps it and tries again)."""

    def __init__(self, channel: EmailChannel) -> None:
        self.channel = channel
        self.storing = _Storing(channel.services)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw or "").encode("utf-8", "surrogateescape")
        sender = envelope.mail_from
        try:
            message_id, new = await self.storing.store(
                raw, sender if isinstance(sender, str) else None
            )
        except Exception:
            log.exception("a received mail could not be stored; the sender is told to retry")
            return "451 4.3.0 the mail could not be stored; try again later"
        self.channel.intake.set()
        if not new:
            log.info("mail %s was delivered again; it is kept once", message_id)
        return f"250 2.0.0 kept as {message_id}"


class EmailChannel:
    """The channel's loops: `start` listens on (host, port) and starts the workers;
    `stop` closes the listener and waits for the workers to stop."""

    def __init__(
        self,
        services: Services,
        config: EmailConfig,
        mail: MailSettings | None,
        *,
        every: float = 5.0,
        sender_name: str | None = None,
        widget_after: dt.timedelta = dt.timedelta(minutes=2),
    ) -> None:
        self.services = services
        self.config = config
        self.mail = mail
        self.every = every
        self.sender_name = sender_name
        self.widget_after = widget_after
        self.intake = asyncio.Event()
        self.outbox = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(
        self, host: str, port: int, *, lmtp: bool = False, max_bytes: int = 50 * 1024 * 1024
    ) -> int:
        """Listen and start the workers; the port listened on comes back (0: a free one)."""
        loop = asyncio.get_running_loop()
        kind: Any = LMTP if lmtp else SMTP
        handler = _Handler(self)

        def protocol() -> SMTP:
            return kind(  # type: ignore[no-any-return]
                handler,
                data_size_limit=max_bytes,
                hostname=self.config.domain,
                ident="Samsvar",
                enable_SMTPUTF8=True,
            )

        self._server = await loop.create_server(protocol, host, port)
        self._tasks = [
            asyncio.create_task(self._take_loop()),
            asyncio.create_task(self._send_loop()),
            asyncio.create_task(self._agent_loop()),
        ]
        bound = self._server.sockets[0].getsockname()[1]
        log.info("receiving e-mail for %s on %s:%d", self.config.address, host, bound)
        return int(bound)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    async def _take_loop(self) -> None:
        """Acknowledging comes first (decision 0124): a round of the bot's answers is taken
        only when no received mail waits, so that in a burst every mail is acknowledged
        within about one round of answers (`answer_batch` turns) of its arrival."""
        while True:
            self.intake.clear()
            taken = await self._round(do_take_mails, "intake")
            if len(taken) >= self.config.batch:
                continue  # more may be waiting
            answered = await self._round(do_answer_mails, "answer")
            if len(answered) >= self.config.answer_batch or self.intake.is_set() or taken:
                continue
            await _wait(self.intake, self.every)

    async def _round(
        self,
        step: Callable[[Services, EmailConfig], Awaitable[list[TakeOutcome]]],
        name: str,
    ) -> list[TakeOutcome]:
        try:
            outcomes = await step(self.services, self.config)
        except Exception:  # the loop must outlive a failed round
            log.exception("the mail %s round failed; trying again", name)
            return []
        if any(o.reply for o in outcomes):
            self.outbox.set()
        return outcomes

    async def _send_loop(self) -> None:
        while True:
            self.outbox.clear()
            sent = 0
            if self.mail is not None:
                try:
                    sent, _failed = await do_send_mails(
                        self.services.db,
                        self.mail,
                        self.services.clock(),
                        sender=self.config.address,
                        name=self.sender_name,
                    )
                except Exception:
                    log.exception("the outbox round failed; trying again")
            if sent:
                continue
            await _wait(self.outbox, self.every)

    async def _agent_loop(self) -> None:
        """Agents' replies that go out by e-mail (`do_mail_agent_replies`), looked for every
        few seconds in the database."""
        while True:
            try:
                if await do_mail_agent_replies(
                    self.services, self.config, widget_after=self.widget_after
                ):
                    self.outbox.set()
            except Exception:
                log.exception("the round of agents' replies by e-mail failed; trying again")
            await asyncio.sleep(max(self.every, 1.0))


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
