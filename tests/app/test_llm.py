"""The CHAT_LLM_* settings, and the LLM end to end through `samsvar ask`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from app import Settings
from app.engine import open_assistant
from knowledge import get_demo_dir, load_answer_base
from tests.app.test_network import GUARD
from tests.conftest import RunSamsvar, samsvar_env
from tests.llm_server import FakeLLM, Text

LLM_MODULES = ("openai", "langchain_openai", "tiktoken")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for key in [k for k in os.environ if k.startswith("CHAT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_no_llm_by_default(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.llm_base_url is None and settings.llm_model is None
    assert settings.llm_api_key is None
    assert settings.llm_redact and settings.llm_stream and settings.llm_replies == "grounded"
    assert open_assistant(settings, load_answer_base(get_demo_dir())) is None


def test_llm_settings_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CHAT_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    clean_env.setenv("CHAT_LLM_MODEL", "llama3.1:8b")
    clean_env.setenv("CHAT_LLM_API_KEY", "sk-secret")
    clean_env.setenv("CHAT_LLM_TIMEOUT", "4.5")
    clean_env.setenv("CHAT_LLM_REDACT", "false")
    clean_env.setenv("CHAT_LLM_REPLIES", "translate")
    settings = Settings()
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(settings)
    assert (settings.llm_timeout, settings.llm_redact) == (4.5, False)
    assistant = open_assistant(settings, load_answer_base(get_demo_dir()))
    assert assistant is not None
    assert assistant.client.config.api_key == "sk-secret"
    assert assistant.client.config.model == "llama3.1:8b"
    assert (assistant.redact, assistant.replies) == (False, "translate")


def test_a_base_url_needs_a_model(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CHAT_LLM_BASE_URL", "https://api.openai.com/v1")
    with pytest.raises(ValidationError, match="CHAT_LLM_MODEL must be set"):
        Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHAT_LLM_BASE_URL", "api.openai.com/v1"),
        ("CHAT_LLM_TIMEOUT", "0"),
        ("CHAT_LLM_RETRIES", "9"),
        ("CHAT_LLM_REPLIES", "creative"),
        ("CHAT_LLM_TOKENIZER", "gpt2"),
        ("CHAT_LLM_CONTEXT_TOKENS", "100"),
    ],
)
def test_invalid_llm_settings_name_the_setting(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_env.setenv("CHAT_LLM_MODEL", "m")
    clean_env.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == (name.removeprefix("CHAT_").lower(),)


def test_the_cli_refuses_a_base_url_without_a_model(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    done = run_samsvar(
        "ask", "hei", data_dir=tmp_path, env={"CHAT_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    )
    assert done.returncode == 2
    assert "CHAT_LLM_MODEL must be set when CHAT_LLM_BASE_URL is set" in done.stderr


LOADED = textwrap.dedent(
    """
    import sys
    from app.engine import open_engine
    from app.settings import Settings

    engine = open_engine(Settings())
    engine.bot.turn("Hvorfor ble betalingen min avvist?")
    print(",".join(m for m in {modules!r} if m in sys.modules))
    """
)


@pytest.mark.slow
def test_without_a_base_url_nothing_llm_related_is_imported(
    demo_data_dir: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(modules=LLM_MODULES)],
        env=samsvar_env(demo_data_dir),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


@pytest.mark.slow
def test_ask_with_an_llm_end_to_end(
    demo_data_dir: Path, run_samsvar: RunSamsvar, llm_server: FakeLLM
) -> None:
    llm_server.script(Text("Sjekk at kortet er åpnet for netthandel [payment-declined]."))
    env = {"CHAT_LLM_BASE_URL": llm_server.url, "CHAT_LLM_MODEL": "gpt-4o-mini"}
    question = "Kortet mitt 4111 1111 1111 1111 ble avvist, hvorfor?"
    done = run_samsvar("ask", question, "--json", data_dir=demo_data_dir, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["by_llm"] is True
    assert result["text"] == "Sjekk at kortet er åpnet for netthandel."
    assert result["citations"] == ["payment-declined"]
    [request] = llm_server.requests
    assert "4111" not in request.text and "[CARD_1]" in request.user


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_ask_with_an_unreachable_llm_gives_the_curated_answer(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    env = {
        "CHAT_LLM_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1",
        "CHAT_LLM_MODEL": "gpt-4o-mini",
        "CHAT_LLM_RETRIES": "0",
    }
    done = run_samsvar("ask", "Hvorfor ble betalingen min avvist?", data_dir=demo_data_dir, env=env)
    assert done.returncode == 0, done.stderr
    assert "answer id:  payment-declined" in done.stdout
    assert "llm:        not used (connection_error): the curated answer" in done.stdout
    assert "Sjekk at kortnummer, utløpsdato og CVC er riktig" in done.stdout


OFFLINE = textwrap.dedent(
    """
    from app.engine import open_assistant
    from app.settings import Settings
    from knowledge import get_demo_dir, load_answer_base

    assistant = open_assistant(Settings(), load_answer_base(get_demo_dir()))
    result = assistant.reply("Kortet ble avvist", lang="nb", answer_ids=["payment-declined"])
    print(result.by_llm, assistant.counter.count("Hei på deg"))
    """
)


@pytest.mark.slow  # a fresh interpreter imports the whole LLM stack
def test_the_llm_path_needs_no_network_but_its_endpoint(
    tmp_path: Path, llm_server: FakeLLM
) -> None:
    """Token counting, LangChain and the SDK make no connection of their own (no downloads,
    no telemetry): the only connection is to the configured endpoint on loopback."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net.log"
    log.touch()
    env = samsvar_env(
        tmp_path / "data",
        {
            "PYTHONPATH": str(guard_dir),
            "SAMSVAR_TEST_NET_LOG": str(log),
            "SAMSVAR_TEST_NET_MARK": str(tmp_path / "guard.mark"),
            "TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-tiktoken-cache"),
            "CHAT_LLM_BASE_URL": llm_server.url,
            "CHAT_LLM_MODEL": "gpt-4o-mini",
        },
    )
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (tmp_path / "guard.mark").exists(), "the guard was not installed"
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "3"]
    assert log.read_text(encoding="utf-8") == ""
    assert len(llm_server.requests) == 1
