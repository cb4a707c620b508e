"""The committed OpenAPI document (docs/openapi.json) is what the server describes today."""

from __future__ import annotations

import json
from pathlib import Path

from app.serve import openapi_json
from tests.conftest import RunSamsvar

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = "scripts/run openapi > docs/openapi.json"


def test_the_committed_openapi_document_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == openapi_json(), (
        f"docs/openapi.json is stale: run `{REGENERATE}` and commit it"
    )


def test_it_documents_every_widget_and_agent_route_and_the_error_shape() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    routes = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    prefix, agent = "/api/v1/widget", "/api/v1/agent"
    assert routes == {
        ("POST", f"{prefix}/visitors"),
        ("POST", f"{prefix}/conversations"),
        ("GET", f"{prefix}/conversations/{{conversation_id}}"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/messages"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/choices"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/human"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/feedback"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/skip"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/email"),
        ("POST", f"{prefix}/conversations/{{conversation_id}}/rating"),
        ("POST", f"{prefix}/pages"),
        # docs/agent-api.md
        ("POST", f"{agent}/sign-in"),
        ("POST", f"{agent}/sign-out"),
        ("GET", f"{agent}/me"),
        ("POST", f"{agent}/me/status"),
        ("GET", f"{agent}/teams"),
        ("GET", f"{agent}/queue"),
        ("GET", f"{agent}/cases/{{case_id}}"),
        ("GET", f"{agent}/cases/{{case_id}}/messages"),
        ("GET", f"{agent}/cases/{{case_id}}/attachments/{{attachment_id}}"),  # docs/email.md
        ("POST", f"{agent}/cases/{{case_id}}/claim"),
        ("POST", f"{agent}/cases/{{case_id}}/transfer"),
        ("POST", f"{agent}/cases/{{case_id}}/messages"),
        ("POST", f"{agent}/cases/{{case_id}}/notes"),
        ("POST", f"{agent}/cases/{{case_id}}/resolve"),
        ("GET", f"{agent}/answers/search"),
        ("GET", f"{agent}/audit"),
        # docs/insights.md: the dashboard (admins)
        ("GET", f"{agent}/insights"),
        ("GET", f"{agent}/insights/gaps"),
        ("POST", f"{agent}/insights/gaps/assign"),
        ("POST", f"{agent}/insights/gaps/draft"),
        # docs/privacy.md: export and erase (admins)
        ("GET", f"{agent}/privacy/export"),
        ("POST", f"{agent}/privacy/erase"),
    }
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"error", "code"}
    send = document["paths"][f"{prefix}/conversations/{{conversation_id}}/messages"]["post"]
    assert {"403", "404", "413", "422", "429"} <= set(send["responses"])


def test_the_command_prints_the_same_document(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    done = run_samsvar("openapi", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert done.stdout == DOCUMENT.read_text(encoding="utf-8")
