"""The documentation stays in step with the code: every setting, the README's two commands."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = ROOT / "docs" / "configuration.md"
README = ROOT / "README.md"
ENV_VARIABLE = re.compile(r"\bCHAT_[A-Z_]+\b")
SCRIPTS = ("scripts/run", "scripts/test", ".ci/run")


def _env_name(field: str) -> str:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return f"{prefix}{field}".upper()


def _settings_table_rows() -> set[str]:
    """The variables named in the first cell of a table row of docs/configuration.md."""
    rows = re.findall(r"^\|\s*`(CHAT_[A-Z_]+)`\s*\|", CONFIGURATION.read_text("utf-8"), re.M)
    return set(rows)


def test_settings_use_the_chat_prefix() -> None:
    assert Settings.model_config.get("env_prefix") == "CHAT_"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert _env_name(field) in _settings_table_rows(), (
        f"{_env_name(field)} needs a row in docs/configuration.md"
    )


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_has_a_description(field: str) -> None:
    description = Settings.model_fields[field].description
    assert description, f"Settings.{field} needs a description"


def test_configuration_names_only_real_settings() -> None:
    known = {_env_name(field) for field in Settings.model_fields}
    mentioned = set(ENV_VARIABLE.findall(CONFIGURATION.read_text("utf-8")))
    assert mentioned, "docs/configuration.md names no CHAT_ variable"
    assert mentioned <= known, f"not settings: {sorted(mentioned - known)}"


def test_readme_gives_the_run_and_test_commands() -> None:
    text = README.read_text("utf-8")
    assert "scripts/run" in text
    assert "scripts/test" in text


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_exist_and_are_executable(script: str) -> None:
    path = ROOT / script
    assert path.is_file(), f"{script} is missing"
    assert os.access(path, os.X_OK), f"{script} is not executable"


def test_ci_runs_the_readme_test_command() -> None:
    lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    commands = [line.strip() for line in lines if not line.lstrip().startswith("#")]
    assert any(re.match(r"^(bash\s+)?(\./)?scripts/test\b", line) for line in commands)


def test_the_decision_index_lists_every_decision() -> None:
    folder = ROOT / "docs" / "decisions"
    index = (folder / "README.md").read_text("utf-8")
    listed = set(re.findall(r"\]\((\d{4}-[a-z0-9-]+\.md)\)", index))
    records = {path.name for path in folder.glob("[0-9][0-9][0-9][0-9]-*.md")}
    assert listed == records, f"docs/decisions/README.md: missing {records - listed}"
