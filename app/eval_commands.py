"""`samsvar eval`: run a suite (`samsvar eval SUITE.yaml …`) or generate one from a base.

`samsvar eval SUITE.yaml` is short for `samsvar eval run SUITE.yaml`: a plain command with a
positional argument cannot also have subcommands in click, so the group turns a first
argument that is not a subcommand into one for `run`.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from app.settings import Settings
    from eval import LlmEndpoint

__all__ = ["GATE_FAILED", "eval_app"]

#: Exit code of a run whose gate failed (see docs/decisions/0030-eval-gate-and-exit-codes.md).
GATE_FAILED = 3


class _DefaultRun(TyperGroup):
    """Treats `samsvar eval SUITE.yaml …` as `samsvar eval run SUITE.yaml …`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored Context
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_DefaultRun,
    no_args_is_help=True,
    help="Run an evaluation suite (samsvar eval SUITE.yaml … is short for samsvar eval run "
    "SUITE.yaml …), or generate one from an answer base.",
)

OutOpt = Annotated[Path | None, typer.Option(metavar="FILE")]


def _fail(message: str, code: int = 1) -> Any:
    from app.cli import _fail as fail

    return fail(message, code)


@contextmanager
def _progress(show: bool | None) -> Iterator[Any]:
    """A progress bar on stderr: on a terminal, or when asked for with --progress."""
    if not (sys.stderr.isatty() if show is None else show):
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(file=sys.stderr, unit="case", desc="eval", dynamic_ncols=True, disable=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def _llm(settings: Settings, wanted: bool | None) -> LlmEndpoint | None:
    from eval import LlmEndpoint

    if wanted is False:
        return None
    if not settings.llm_base_url:
        if wanted:
            _fail("error: --llm-metrics needs an endpoint: set CHAT_LLM_BASE_URL", 2)
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LlmEndpoint(settings.llm_base_url, str(settings.llm_model), key)


def _check_output(path: Path | None, flag: str) -> None:
    if path is not None and path.is_dir():
        _fail(f"error: {flag} {path}: is a folder; give a file name", 2)


def _load(suite_file: Path, baseline: Path | None) -> tuple[Any, Any]:
    from eval import BaselineInvalid, SuiteInvalid, load_baseline, load_suite

    try:
        suite = load_suite(suite_file)
        old = load_baseline(baseline) if baseline is not None else None
    except (SuiteInvalid, BaselineInvalid) as exc:
        _fail(f"error: {exc} [{exc.code}]", 2)
    return suite, old


def _write(report: dict[str, Any], json_out: Path | None, html_out: Path | None) -> None:
    from eval import do_write_text, render_html

    try:
        if json_out is not None:
            do_write_text(json_out, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        if html_out is not None:
            do_write_text(html_out, render_html(report))
    except OSError as exc:
        _fail(f"error: cannot write the report: {exc}")


@eval_app.command("run")
def eval_run(
    suite_file: Annotated[Path, typer.Argument(metavar="SUITE.yaml", help="The suite to run.")],
    answers: Annotated[
        Path | None,
        typer.Option(
            help="Answer base folder (default: the suite's answers:, CHAT_ANSWERS_DIR or the demo)."
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", metavar="OUT.json", help="Write the report as JSON.")
    ] = None,
    html_out: Annotated[
        Path | None,
        typer.Option("--html", metavar="OUT.html", help="Write a self-contained HTML report."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="OLD.json",
            help="An earlier --json report: list regressions and improvements case by case.",
        ),
    ] = None,
    jobs: Annotated[int, typer.Option(min=0, help="Worker processes (0: one per CPU core).")] = 1,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Progress bar on stderr (default: on a terminal)."
        ),
    ] = None,
    gate: Annotated[
        bool,
        typer.Option(
            "--gate/--no-gate",
            help="Exit 3 when the suite's gate fails (--no-gate: report it only).",
        ),
    ] = True,
    llm_metrics: Annotated[
        bool | None,
        typer.Option(
            "--llm-metrics/--no-llm-metrics",
            help="ragas faithfulness and response "
            "relevancy through CHAT_LLM_BASE_URL (default: when it is set).",
        ),
    ] = None,
    failed_only: Annotated[
        bool, typer.Option("--failed-only", help="List only the cases that failed.")
    ] = False,
) -> None:
    """Run an evaluation suite: PASS/FAIL per case, metrics, confusions and gaps, the gate."""
    from app.cli import _engine, _settings
    from app.urgency_judge import judge_urgency
    from eval import (
        RunFailed,
        SuiteInvalid,
        check_suite_against,
        cpu_count,
        evaluate,
        summary_lines,
    )

    suite, old = _load(suite_file, baseline)
    _check_output(json_out, "--json")
    _check_output(html_out, "--html")
    settings = _settings()
    endpoint = _llm(settings, llm_metrics)
    jobs = jobs or cpu_count()
    if jobs > 1 and settings.llm_base_url:
        typer.echo(
            f"note: --jobs {jobs} ignored: with CHAT_LLM_BASE_URL set the suite runs in one "
            "process, because worker processes would not carry the bot's LLM",
            err=True,
        )
        jobs = 1
    engine = _engine(settings, answers or suite.answers)
    try:
        check_suite_against(suite, engine.bot.base)
    except SuiteInvalid as exc:
        _fail(f"error: {exc} [{exc.code}]", 2)
    try:
        with _progress(progress) as on_progress:
            result = evaluate(
                suite,
                engine.bot,
                jobs=jobs,
                on_progress=on_progress,
                llm=endpoint,
                baseline=old,
                today=datetime.date.today(),
                judge=judge_urgency,
            )
    except RunFailed as exc:
        _fail(f"error: {exc} [{exc.code}]")
    for line in summary_lines(result.report, failed_only=failed_only):
        typer.echo(line)
    _write(result.report, json_out, html_out)
    if gate and result.gate is not None and not result.gate.passed:
        raise typer.Exit(GATE_FAILED)


@eval_app.command("generate")
def eval_generate(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The answer base folder.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="Write the suite here (default: standard output)."
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace FILE if it exists.")] = False,
    probes: Annotated[
        bool,
        typer.Option(
            "--probes/--no-probes", help="Add the shipped off-topic probes as abstain cases."
        ),
    ] = True,
) -> None:
    """Write a suite from the base itself: each question held out, plus off-topic probes."""
    from eval import OutputExists, do_write_text, generate_suite
    from knowledge import AnswerBaseInvalid, load_answer_base

    try:
        generated = generate_suite(load_answer_base(directory), probes=probes)
    except AnswerBaseInvalid as exc:
        _fail(f"error: {exc}")
    text = generated.text(out)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        do_write_text(out, text, overwrite=overwrite)
    except OutputExists as exc:
        _fail(f"error: {exc} [{exc.code}]", 2)
    except OSError as exc:
        _fail(f"error: cannot write {out}: {exc}")
    typer.echo(
        f"wrote {out}: {generated.held_out} held-out questions and {generated.probes} "
        "off-topic probes",
        err=True,
    )
