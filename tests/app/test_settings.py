"""`app.Settings`: CHAT_* variables, validation, and the threshold override end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from app import Settings
from knowledge import get_demo_dir
from tests.conftest import RunSamsvar


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No CHAT_* variable from the runner, and a working directory without a .env file."""
    for key in [k for k in os.environ if k.startswith("CHAT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.data_dir == Path("var")
    assert settings.answers_dir is None
    assert settings.chroma_url is None
    assert settings.answer_threshold is None
    assert settings.clarify_threshold is None


def test_reads_chat_variables(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("CHAT_DATA_DIR", str(tmp_path / "state"))
    clean_env.setenv("CHAT_ANSWER_THRESHOLD", "0.25")
    clean_env.setenv("CHAT_CLARIFY_THRESHOLD", "0.5")
    settings = Settings()
    assert settings.data_dir == tmp_path / "state"
    assert settings.answer_threshold == 0.25
    assert settings.clarify_threshold == 0.5


def test_reads_a_dotenv_file(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CHAT_ANSWER_THRESHOLD=0.75\n", encoding="utf-8")
    assert Settings().answer_threshold == 0.75


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_answer_threshold_out_of_range_is_a_validation_error(
    clean_env: pytest.MonkeyPatch, value: str
) -> None:
    clean_env.setenv("CHAT_ANSWER_THRESHOLD", value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == ("answer_threshold",)


def test_cli_refuses_an_invalid_setting(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    data_dir = tmp_path / "data"
    done = run_samsvar(
        "ask", "Hvor er pakken min?", data_dir=data_dir, env={"CHAT_ANSWER_THRESHOLD": "1.5"}
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: invalid setting: CHAT_ANSWER_THRESHOLD")
    assert "Traceback" not in done.stderr
    assert not data_dir.exists()


def test_threshold_zero_answers_an_off_topic_question(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    question = "hvem vant fotball-VM i 2018?"
    default = run_samsvar("ask", question, data_dir=demo_data_dir)
    assert default.returncode == 0, default.stderr
    assert "decision:   abstain" in default.stdout

    forced = run_samsvar(
        "ask", question, data_dir=demo_data_dir, env={"CHAT_ANSWER_THRESHOLD": "0.0"}
    )
    assert forced.returncode == 0, forced.stderr
    assert "decision:   answer" in forced.stdout
    assert "answer id:  -" not in forced.stdout


def test_check_reports_thresholds_from_the_settings(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    done = run_samsvar(
        "answers",
        "check",
        str(get_demo_dir()),
        data_dir=demo_data_dir,
        env={"CHAT_ANSWER_THRESHOLD": "0.0"},
    )
    assert done.returncode == 0, done.stderr
    assert "thresholds (settings): answer 0.000, clarify " in done.stdout
