"""An e-mail from raw bytes to what the channel needs: its ids for threading, the sender, the
signs that it was sent by a machine (an auto-responder, a list, a bounce), the customer's own
words (the plain text part or the HTML made text, without the quoted history and the
signature), and its attachments within a size limit.

Nothing a sender can put in a mail makes this fail: an unknown or wrong charset is decoded
with replacement characters, broken MIME gives what text can be found, and each such thing is
noted in `ParsedMail.notes` and logged.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

__all__ = [
    "ATTACHMENT_LIMIT",
    "Attachment",
    "ParsedMail",
    "html_to_text",
    "parse_mail",
    "strip_quoted",
]

log = logging.getLogger(__name__)

ATTACHMENT_LIMIT = 10 * 1024 * 1024  # bytes per attachment, CHAT_EMAIL_ATTACHMENT_MB
_ID = re.compile(r"<[^<>\s]{1,240}>")


@dataclass(frozen=True)
class Attachment:
    """A file that came with the mail; `data` is None when it was left out (`skipped`
    says why, e.g. larger than the limit), so the agent sees that something is missing."""

    name: str
    content_type: str
    size: int
    data: bytes | None
    skipped: str | None = None


@dataclass(frozen=True)
class ParsedMail:
    """What the channel reads in a mail. `message_id` is the mail's own (with its angle
    brackets), or one made from a hash of the raw bytes (`synthetic_id`) when it has none;
    `from_addr` is lower-cased, None when there is no usable address; `automatic` is why no
    automatic mail may answer it (`auto-replied`, `auto-submitted`, `precedence`,
    `autoreply`, `list`, `bounce`), None for a person's mail; `text` is the customer's own words."""

    message_id: str
    synthetic_id: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_addr: str | None
    from_name: str
    automatic: str | None
    text: str
    language: str | None
    attachments: tuple[Attachment, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids this mail answers, the closest first (In-Reply-To, then References from
        the last)."""
        ids = ([self.in_reply_to] if self.in_reply_to else []) + list(reversed(self.references))
        return tuple(dict.fromkeys(ids))


def parse_mail(
    raw: bytes,
    *,
    attachment_limit: int = ATTACHMENT_LIMIT,
    envelope_from: str | None = None,
) -> ParsedMail:
    """Parse `raw` (the mail as received). `envelope_from` is the SMTP `MAIL FROM` (an empty
    one is a bounce's). Never raises for what is in the mail."""
    notes: list[str] = []
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; this is the last resort
        notes.append(f"the mail could not be parsed ({exc.__class__.__name__}); read as text")
        return _as_text(raw, notes)
    for defect in message.defects:
        notes.append(f"malformed MIME: {defect.__class__.__name__}")
    message_id = _first_id(_header(message, "Message-ID", notes))
    synthetic = message_id is None
    if message_id is None:
        message_id = synthetic_id(raw)
        log.info("a mail without a Message-ID was given %s", message_id)
    from_name, from_addr = _sender(_header(message, "From", notes))
    try:
        text, attachments = _body(message, attachment_limit, notes)
    except Exception as exc:  # a structure the walker cannot follow
        notes.append(f"the mail's parts could not be read ({exc.__class__.__name__})")
        text, attachments = _as_text(raw, notes).text, []
    subject = " ".join(_header(message, "Subject", notes).split())
    parsed = ParsedMail(
        message_id=message_id,
        synthetic_id=synthetic,
        in_reply_to=_first_id(_header(message, "In-Reply-To", notes)),
        references=tuple(_ID.findall(_header(message, "References", notes)))[-20:],
        subject=subject[:300],
        from_addr=from_addr,
        from_name=from_name,
        automatic=_automatic(message, from_addr, envelope_from, notes),
        text=strip_quoted(text),
        language=_language(_header(message, "Content-Language", notes)),
        attachments=tuple(attachments),
        notes=tuple(notes),
    )
    for note in notes:
        log.info("mail %s: %s", message_id, note)
    return parsed


def synthetic_id(raw: bytes) -> str:
    """A stable Message-ID for a mail that has none: the same bytes give the same id, so a
    second delivery of it is still recognised."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@samsvar.invalid>"


def _as_text(raw: bytes, notes: list[str]) -> ParsedMail:
    text = raw.decode("utf-8", "replace")
    _head, _sep, body = text.replace("\r\n", "\n").partition("\n\n")
    return ParsedMail(
        message_id=synthetic_id(raw),
        synthetic_id=True,
        in_reply_to=None,
        references=(),
        subject="",
        from_addr=None,
        from_name="",
        automatic=None,
        text=strip_quoted(body),
        language=None,
        notes=tuple(notes),
    )


def _header(message: Message, name: str, notes: list[str]) -> str:
    """A header as text; a header the parser cannot read is taken as it was written."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception as exc:
        notes.append(f"the {name} header could not be read ({exc.__class__.__name__})")
        for key, raw in message.raw_items():
            if key.lower() == name.lower():
                return str(raw)
        return ""


def _first_id(value: str) -> str | None:
    found = _ID.search(value)
    return found.group(0) if found else None


def _sender(value: str) -> tuple[str, str | None]:
    pairs = getaddresses([value]) if value else []
    name, addr = pairs[0] if pairs else parseaddr(value)
    addr = addr.strip().lower()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", addr):
        return name, None
    return name, addr


def _language(value: str) -> str | None:
    tag = value.split(",")[0].strip().lower()
    primary = tag.split("-")[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


def _automatic(
    message: Message, from_addr: str | None, envelope_from: str | None, notes: list[str]
) -> str | None:
    submitted = _header(message, "Auto-Submitted", notes).strip().lower().split(";")[0].strip()
    if submitted in ("auto-replied", "auto-notified"):
        return "auto-replied"
    if submitted and submitted != "no":
        return "auto-submitted"
    if (
        message.get_content_type() == "multipart/report"
        or (from_addr or "").startswith(_BOUNCE_SENDERS)
        or (envelope_from is not None and envelope_from.strip("<> ") == "")
        or _header(message, "Return-Path", notes).strip() == "<>"
    ):
        return "bounce"
    if _header(message, "Precedence", notes).strip().lower() in {"bulk", "junk", "list"}:
        return "precedence"
    if any(_header(message, h, notes) for h in ("X-Autoreply", "X-Autorespond")):
        return "autoreply"
    if _header(message, "List-Id", notes) or _header(message, "List-Unsubscribe", notes):
        return "list"
    return None


def _decode(part: Message, notes: list[str]) -> str:
    """A text part's content; an unknown charset is read as UTF-8 (else Windows-1252), a
    wrong one with replacement characters, both noted."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    charset = (part.get_content_charset() or "us-ascii").strip().strip('"')
    try:
        codecs.lookup(charset)
    except LookupError:
        notes.append(f"unknown charset {charset[:40]!r}; read as UTF-8 with replacement")
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", "replace")
    try:
        return payload.decode(charset)
    except UnicodeDecodeError:
        notes.append(f"text not valid in its charset {charset!r}; undecodable bytes replaced")
        return payload.decode(charset, "replace")
    except Exception:  # a codec that fails in its own way
        notes.append(f"charset {charset[:40]!r} failed; read as UTF-8 with replacement")
        return payload.decode("utf-8", "replace")


def _body(message: Message, limit: int, notes: list[str]) -> tuple[str, list[Attachment]]:
    plain: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []
    for part in _leaves(message):
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        if disposition == "attachment" or name or not content_type.startswith("text/"):
            if content_type.startswith("multipart/"):
                continue
            attachments.append(_attachment(part, name, content_type, limit, notes))
            continue
        if content_type == "text/plain" and plain is None:
            plain = _decode(part, notes)
        elif content_type == "text/html" and html is None:
            html = _decode(part, notes)
    if plain is not None and plain.strip():
        return plain, attachments
    if html is not None:
        return html_to_text(html), attachments
    return plain or "", attachments


def _leaves(message: Message) -> Iterable[Message]:
    """The parts with content, in order; a forwarded mail (message/rfc822) is one part (an
    attachment), not read as the customer's text."""
    if message.get_content_type() == "message/rfc822":
        yield message
        return
    if message.is_multipart():
        payload = message.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _leaves(sub)
        return
    yield message


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return re.sub(r"[\x00-\x1f/\\]", "_", name or "").strip()[:200]


def _attachment(
    part: Message, name: str, content_type: str, limit: int, notes: list[str]
) -> Attachment:
    if content_type == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        data = inner.as_bytes() if isinstance(inner, Message) else b""
        name = name or "forwarded.eml"
    else:
        try:
            decoded = part.get_payload(decode=True)
        except Exception:
            decoded = None
        data = decoded if isinstance(decoded, bytes) else b""
    name = name or f"attachment.{content_type.rpartition('/')[2] or 'bin'}"
    if len(data) > limit:
        notes.append(f"attachment {name!r} of {len(data):,} bytes left out (limit {limit:,})")
        return Attachment(name, content_type, len(data), None, "too_large")
    return Attachment(name, content_type, len(data), data)


# --- quoted history and signatures ---------------------------------------------------

_ATTRIBUTION = re.compile(
    r"\b(wrote|writes|skrev|skreiv|skriver|kirjoitti|schrieb)\b[^:\n]{0,160}:\s*$", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(original message|forwarded message|opprinnelig melding|"
    r"videresendt melding|opphavleg melding|vidaresendt melding|ursprungligt meddelande|"
    r"vidarebefordrat meddelande|oprindelig meddelelse|videresendt meddelelse|"
    r"alkuperäinen viesti|välitetty viesti)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(from|fra|frå|från|lähettäjä)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|subject|cc|sendt|dato|til|emne|skickat|datum|till|ämne|"
    r"lähetetty|päivämäärä|vastaanottaja|aihe|kopio)\s*:",
    re.IGNORECASE,
)
_MOBILE = re.compile(
    r"^\s*(sent from my|get outlook for|sendt fra min|sendt frå min|skickat från min|"
    r"sendt fra|lähetetty (?:iphone|android|laitteesta|puhelimesta))",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The customer's own words: the text before the quoted history (an "On … wrote:" line
    and its nb/nn/sv/da/fi kin, a forwarded or original-message separator, an Outlook
    header block), without ">" lines, and without a signature after a "-- " line or a
    "Sent from my phone" line. A greeting or a sign-off ("Hilsen Kari") is kept: the bot
    reads past it, and a person may need it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _cut_here(lines, index):
            break
        if line.rstrip() in ("--", "-- "):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or _MOBILE.match(kept[-1])):
        kept.pop()
    out = "\n".join(kept).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _cut_here(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if not line:
        return False
    if _SEPARATOR.match(line):
        return True
    if re.fullmatch(r"_{10,}", line) and _header_block(lines, index + 1):
        return True
    if _HEADER_FROM.match(line) and _header_block(lines, index):
        return True
    if _is_attribution(line):
        return True
    if index + 1 < len(lines) and not _is_attribution(lines[index + 1].strip()):
        return _is_attribution(f"{line} {lines[index + 1].strip()}")  # wrapped in two
    return False


def _is_attribution(line: str) -> bool:
    """ "On Tue, 1 Dec 2026 at 10:15, Kari <kari@example.no> wrote:" and its kin: the verb
    near the end, and an address or a time of day (so that a customer's own "as I wrote:"
    is kept)."""
    return (
        len(line) <= 300
        and not line.startswith(">")
        and bool(_ATTRIBUTION.search(line))
        and bool(re.search(r"@|\b\d{1,2}[:.]\d{2}\b", line))
    )


def _header_block(lines: list[str], start: int) -> bool:
    """A From:-line followed by at least one more header line within the next lines (an
    Outlook or Gmail forwarded header)."""
    seen = [x for x in lines[start : start + 6] if x.strip()]
    if not seen or not _HEADER_FROM.match(seen[0]):
        return False
    return any(_HEADER_NEXT.match(x) for x in seen[1:5])


# --- HTML ------------------------------------------------------------------------------

_BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "section", "article", "header", "footer", "pre", "hr",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "blockquote", "template"}
_QUOTE_MARKERS = ("gmail_quote", "divrplyfwdmsg", "appendonsend", "moz-cite-prefix", "yahoo_quoted")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        marks = " ".join((v or "") for k, v in attrs if k in ("class", "id")).lower()
        if any(m in marks for m in _QUOTE_MARKERS):
            self.done = True  # the quoted history starts here: nothing after it is new
            return
        if self.skipping or tag in _SKIP:
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag in _BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.done and not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: blocks become lines, scripts, styles and quoted
    history (a blockquote, Gmail's and Outlook's reply containers) are left out."""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; keep what was read
        pass
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
