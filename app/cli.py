"""The `samsvar` command."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from app.channel_commands import apikeys_app
from app.eval_commands import eval_app
from app.gap_commands import answers_gaps
from app.learn_commands import answers_learn
from app.privacy_commands import privacy_app
from app.report_commands import report
from app.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    help="Samsvar: a self-hosted customer-service chatbot answering from a curated answer base.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
answers_app = typer.Typer(help="Check, import and index answer bases.", no_args_is_help=True)
app.add_typer(answers_app, name="answers")
db_app = typer.Typer(help="The conversation database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
agents_app = typer.Typer(
    help="The agents who answer handed-off conversations.", no_args_is_help=True
)
app.add_typer(agents_app, name="agents")
app.add_typer(eval_app, name="eval")
app.add_typer(privacy_app, name="privacy")
app.add_typer(apikeys_app, name="apikeys")
answers_app.command("learn")(answers_learn)
answers_app.command("gaps")(answers_gaps)
app.command("report")(report)

AnswersOpt = Annotated[
    Path | None,
    typer.Option("--answers", help="Answer base folder (default: CHAT_ANSWERS_DIR or the demo)."),
]


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"CHAT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            if e["loc"]
            else str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        )
        _fail(f"error: invalid setting: {problems}", 2)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    return settings


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


class _StartupProgress:
    """Start-up progress on standard error: what is done, how far, about how long is left.

    A first run embeds about a thousand texts, which takes minutes on a small CPU; without
    this the command looks hung. On a terminal one line is rewritten; otherwise a line is
    written at most every `EVERY` seconds, and the last one always.
    """

    EVERY = 5.0

    def __init__(self) -> None:
        self._started: float | None = None
        self._shown = 0.0
        self._tty = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int, chars: int, all_chars: int) -> None:
        now = time.monotonic()
        if stage == "ranking":
            typer.echo("Preparing the ranking models…", err=True)
            return
        if self._started is None:
            self._started = now
            typer.echo(f"Indexing the answer base: {total:,} texts to embed.", err=True)
        if done == 0:
            return
        elapsed = now - self._started
        # Long answer texts take longer than short questions: time follows the characters.
        left = elapsed / chars * (all_chars - chars) if chars else 0.0
        share = 100 * chars // max(all_chars, 1)
        line = f"  embedded {done:,}/{total:,} ({share} %), about {left:.0f} s left"
        if done >= total:
            line = f"  embedded {total:,} texts in {elapsed:.0f} s"
        if self._tty:
            typer.echo(f"\r{line}\x1b[K", err=True, nl=done >= total)
        elif done >= total or now - self._shown >= self.EVERY:
            typer.echo(line, err=True)
            self._shown = now


def _engine(settings: Settings, answers: Path | None) -> Any:
    from app.engine import open_engine
    from knowledge import AnswerBaseInvalid
    from retrieval import RetrievalError

    try:
        return open_engine(settings, answers, progress=_StartupProgress())
    except AnswerBaseInvalid as exc:
        _fail(f"error: {exc}\nNothing was indexed.")
    except RetrievalError as exc:
        _fail(f"error: {exc}")


def _outcome_json(outcome: Any) -> dict[str, Any]:
    from bot import Acknowledge, Clarify, Escalate, Proactive, Reply

    data: dict[str, Any] = {
        "decision": outcome.decision,
        "answer_id": outcome.answer_id if isinstance(outcome, Reply) else None,
        "text": outcome.text,
        "confidence": outcome.confidence,
        "lang": outcome.lang,
        "ranked": [{"id": c.id, "score": c.score} for c in outcome.ranked],
        "ms": outcome.ms,
        "offer_human": outcome.offer_human,
        "ask_feedback": outcome.ask_feedback,
        "read_with": outcome.read_with,
        "rewritten": outcome.rewritten,
    }
    if isinstance(outcome, Reply):
        data |= {
            "note": outcome.note,
            "reply_lang": outcome.reply_lang,
            "fallback": outcome.fallback,
            "links": list(outcome.links),
            "by_llm": outcome.by_llm,
            "citations": list(outcome.citations),
            "machine_translated": outcome.machine_translated,
            "source_lang": outcome.source_lang,
            "llm_fallback": outcome.llm_fallback,
        }
    if isinstance(outcome, Clarify | Proactive):
        data["choices"] = [{"id": c.answer_id, "label": c.label} for c in outcome.choices]
    if isinstance(outcome, Escalate):
        data |= {
            "reason": outcome.reason,
            "team": outcome.team,
            "question": outcome.question,
            "topic": outcome.answer_id,
            "tried": list(outcome.tried),
            "collect": list(outcome.collect),
        }
    if isinstance(outcome, Acknowledge):
        data["helpful"] = outcome.helpful
    if isinstance(outcome, Proactive):
        data |= {"rule_id": outcome.rule_id, "case_number": outcome.case_number}
    return data


def _print_outcome(outcome: Any) -> None:
    data = _outcome_json(outcome)
    typer.echo(f"decision:   {data['decision']}")
    typer.echo(f"answer id:  {data['answer_id'] or '-'}")
    typer.echo(f"confidence: {data['confidence']:.3f}")
    lang = data["lang"]
    if data.get("fallback"):
        lang += f" (no answer in {data['lang']}: replied in {data['reply_lang']})"
    typer.echo(f"language:   {lang}")
    typer.echo(f"time:       {data['ms']:.1f} ms")
    if data["read_with"]:
        typer.echo(f"read with:  {data['read_with']}")
    if data["rewritten"]:
        typer.echo(f"rewritten:  {data['rewritten']}")
    if data.get("by_llm"):
        typer.echo(f"llm:        written from {', '.join(data['citations'])}")
    elif data.get("llm_fallback"):
        typer.echo(f"llm:        not used ({data['llm_fallback']}): the curated answer")
    if data["decision"] == "handoff":
        typer.echo(f"hand-off:   {data['reason']}, team {data['team'] or '-'}")
    typer.echo("")
    if data.get("note"):
        typer.echo(f"({data['note']})")
    typer.echo(data["text"])
    for number, choice in enumerate(data.get("choices", []), start=1):
        typer.echo(f"  {number}. {choice['label']}  [{choice['id']}]")
    for link in data.get("links", []):
        typer.echo(f"  {link}")


def _turn(engine: Any, question: str, page: str | None, page_lang: str | None) -> Any:
    from bot import InvalidMessage, Page

    try:
        return engine.bot.turn(question, page_lang=page_lang, page=Page(url=page) if page else None)
    except InvalidMessage as exc:
        _fail(f"error: {exc} [{exc.code}]", 2)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The visitor's question.")],
    page: Annotated[str | None, typer.Option(help="URL of the page the visitor is on.")] = None,
    page_lang: Annotated[
        str | None,
        typer.Option("--page-lang", help="The page's language (nb, nn, sv, da, fi, en)."),
    ] = None,
    answers: AnswersOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer one question: the decision, the answer, its id, confidence, language and time."""
    from bot import InvalidMessage, check_message

    try:
        check_message(question)
    except InvalidMessage as exc:
        _fail(f"error: {exc} [{exc.code}]", 2)
    engine = _engine(_settings(), answers)
    outcome = _turn(engine, question, page, page_lang)
    if as_json:
        typer.echo(json.dumps(_outcome_json(outcome), ensure_ascii=False, indent=2))
    else:
        _print_outcome(outcome)


@answers_app.command("check")
def answers_check(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The answer base folder.")],
    index: Annotated[
        bool, typer.Option("--index/--no-index", help="Also index it and report the thresholds.")
    ] = True,
) -> None:
    """Validate an answer base; print every problem with file, line and field."""
    from knowledge import check_answer_base

    base, problems = check_answer_base(directory)
    for problem in problems:
        typer.echo(str(problem), err=problem.severity == "error")
    if base is None:
        errors = sum(p.severity == "error" for p in problems)
        _fail(f"{errors} error(s): the answer base was not indexed.")
    published = len(base.published())
    typer.echo(f"ok: {published} published answers, languages {', '.join(sorted(base.languages))}")
    if base.templates:
        typer.echo(f"registration templates: {len(base.templates)} (templates.yaml)")
    if index:
        from retrieval import describe_thresholds, thresholds_json

        engine = _engine(_settings(), directory)
        for line in describe_thresholds(thresholds_json(engine.bot.thresholds)):
            typer.echo(line)


@answers_app.command("index")
def answers_index(answers: AnswersOpt = None) -> None:
    """Bring the index of an answer base up to date (only changed answers are embedded)."""
    engine = _engine(_settings(), answers)
    s = engine.sync
    typer.echo(
        f"index {s.collection}: embedded {s.embedded}, reused {s.reused} ({s.seconds:.1f} s)"
    )


@answers_app.command("import")
def answers_import(
    csv_file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="Spreadsheet export.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the answer files to.")] = Path(
        "answers"
    ),
    language: Annotated[
        str, typer.Option("--language", help="Language of rows with an empty language cell.")
    ] = "nb",
    overwrite: Annotated[bool, typer.Option(help="Replace answer files that exist.")] = False,
) -> None:
    """Turn a CSV export (question, answer, language, id columns) into answer files."""
    from knowledge import CsvImportError, import_csv

    try:
        written = import_csv(csv_file, out, default_language=language, overwrite=overwrite)
    except CsvImportError as exc:
        _fail(f"error: {exc}\nNo files were written.")
    typer.echo(f"wrote {len(written)} answer files to {out}")


def _past_turn(text: str, outcome: Any) -> Any:
    from bot import Clarify, PastTurn, Proactive, Reply

    return PastTurn(
        text=text,
        lang=outcome.lang,
        decision=outcome.decision,
        answer_id=outcome.answer_id if isinstance(outcome, Reply) else None,
        offered=tuple(c.answer_id for c in outcome.choices)
        if isinstance(outcome, Clarify | Proactive)
        else (),
    )


def _chat_turn(engine: Any, line: str, turns: list[Any], page: str | None) -> tuple[str, Any]:
    """What the visitor said and the bot's outcome: a typed question, or the number of one of
    the choices the bot just offered (then the visitor said the choice's label)."""
    from bot import Clarify, Page

    last = turns[-1][1] if turns else None
    text = line.strip()
    if isinstance(last, Clarify) and text.isdigit() and 1 <= int(text) <= len(last.choices):
        choice = last.choices[int(text) - 1]
        past = [_past_turn(said, outcome) for said, outcome in turns]
        return choice.label, engine.bot.choose(choice.answer_id, lang=last.lang, turns=past)
    past = [_past_turn(said, outcome) for said, outcome in turns]
    return text, engine.bot.turn(line, turns=past, page=Page(url=page) if page else None)


@app.command()
def chat(
    answers: AnswersOpt = None,
    page: Annotated[str | None, typer.Option(help="URL of the page the visitor is on.")] = None,
) -> None:
    """Chat with the bot in the terminal (an empty line or Ctrl-D ends).

    Short follow-ups are read with the previous question; type a choice's number to pick it.
    """
    from bot import InvalidMessage

    engine = _engine(_settings(), answers)
    typer.echo(f"{engine.bot.base.config.name}: ask a question (empty line to quit)")
    turns: list[tuple[str, Any]] = []
    for line in sys.stdin:
        if not line.strip():
            break
        try:
            said, outcome = _chat_turn(engine, line, turns, page)
        except InvalidMessage as exc:
            typer.echo(f"error: {exc}")
            continue
        turns.append((said, outcome))
        _print_outcome(outcome)
        typer.echo("")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (CHAT_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (CHAT_PORT; 0: any free port).")
    ] = None,
    answers: AnswersOpt = None,
) -> None:
    """Serve the visitor API, the WebSocket, the widget and the demo shop."""
    from app.errors import RedisUnavailable, StorageUnavailable
    from app.serve import bind, check_redis, serve_forever, upgrade_database

    settings = _settings()
    host = host or settings.host
    port = settings.port if port is None else port
    try:
        sock = bind(host, port)
    except OSError as exc:
        _fail(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}")
    engine = _engine(settings, answers)
    try:
        upgrade_database(settings)
        check_redis(settings)
    except (StorageUnavailable, RedisUnavailable) as exc:
        _fail(f"error: {exc}")

    def announce(url: str) -> None:
        typer.echo(f"Samsvar is running at {url}  (the demo shop; Ctrl-C stops it)")
        typer.echo(f"  widget script: {url}widget.js   visitor API: {url}api/v1/widget/")

    serve_forever(settings, engine, sock, announce)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema (serve does this on start too)."""
    from app.errors import StorageUnavailable
    from app.serve import upgrade_database

    try:
        before, after = upgrade_database(_settings())
    except StorageUnavailable as exc:
        _fail(f"error: {exc}")
    if before == after:
        typer.echo(f"database is up to date (revision {after})")
    else:
        typer.echo(f"database migrated from {before or 'empty'} to revision {after}")


@agents_app.command("add")
def agents_add(
    name: str = typer.Argument(..., help="What the agent signs in with."),
    team: list[str] = typer.Option(..., "--team", help="A team of base.yaml (repeat for more)."),  # noqa: B008
    admin: bool = typer.Option(False, "--admin", help="Sees every team's cases."),
    max_chats: int = typer.Option(3, "--max-chats", min=1, max=50, help="Cases at once."),
    display_name: str | None = typer.Option(None, "--display-name", help="Shown to visitors."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read it from stdin."),
    answers: Path | None = typer.Option(None, "--answers", help="The answer base (its teams)."),  # noqa: B008
) -> None:
    """Create an agent; the password comes from a prompt (or standard input)."""
    import sys

    from app.agents import add_agent
    from handoff import HandoffError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        agent_id = add_agent(
            _settings(),
            answers,
            name,
            password,
            team,
            admin=admin,
            max_chats=max_chats,
            display_name=display_name,
        )
    except (ValueError, HandoffError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"agent {name} added ({agent_id}), teams: {', '.join(team)}")


@agents_app.command("list")
def agents_list() -> None:
    """List the agents: name, display name, teams, admin, status, max chats."""
    from app.agents import list_agents

    for info in list_agents(_settings()):
        agent = info.agent
        flag = " admin" if agent.is_admin else ""
        typer.echo(
            f"{agent.name}\t{agent.display_name}\t{','.join(info.teams)}\t"
            f"{agent.status}\tmax {agent.max_chats}{flag}"
        )


@agents_app.command("totp")
def agents_totp(
    name: str = typer.Argument(..., help="The agent's sign-in name."),
    remove: bool = typer.Option(False, "--remove", help="Sign in without a code again."),
) -> None:
    """Enrol an agent in the second factor: prints the otpauth:// URI for an authenticator app
    (a new secret each time; the old one stops working). Sign-in then asks for the code."""
    from app.agents import enrol_totp
    from handoff import HandoffError

    try:
        uri = enrol_totp(_settings(), name, remove=remove)
    except HandoffError as exc:
        _fail(f"error: {exc}", 2)
    if uri is None:
        typer.echo(f"agent {name} signs in without a code")
        return
    typer.echo(f"agent {name} now signs in with a code from an authenticator app.")
    typer.echo("Give the agent this URI (as text or a QR code); it is shown only now:")
    typer.echo(uri)


@app.command()
def audit(
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="Entries to show."),
    action: str | None = typer.Option(None, "--action", help="Only this action, e.g. claim."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """The audit log, newest first: sign-ins, failed sign-ins, claims, transfers, resolutions,
    and what the commands changed."""
    import json

    from app.agents import read_audit
    from conversations.case_json import audit_json

    for entry in read_audit(_settings(), limit=limit, action=action):
        row = audit_json(entry)
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            detail = json.dumps(entry.detail, ensure_ascii=False) if entry.detail else ""
            typer.echo(
                f"{row['at']}\t{entry.action}\t{entry.actor or '-'}\t{entry.address or '-'}\t"
                f"{entry.target or '-'}\t{detail}".rstrip()
            )


@app.command()
def openapi() -> None:
    """Print the OpenAPI document of the HTTP API (docs/openapi.json is this output)."""
    from app.serve import openapi_json

    typer.echo(openapi_json(), nl=False)


def main() -> None:
    app()
