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
    prefix, agent, channel = "/api/v1/widget", "/api/v1/agent", "/api/v1/channel"
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
        # docs/agent-api.md, "Registering an inquiry" (decision 0123)
        ("GET", f"{agent}/templates"),
        ("GET", f"{agent}/customers/recent"),
        ("POST", f"{agent}/registrations"),
        ("GET", f"{agent}/cases/{{number}}/customer"),
        # docs/insights.md: the dashboard (admins)
        ("GET", f"{agent}/insights"),
        ("GET", f"{agent}/insights/gaps"),
        ("POST", f"{agent}/insights/gaps/assign"),
        ("POST", f"{agent}/insights/gaps/draft"),
        # docs/privacy.md: export and erase (admins)
        ("GET", f"{agent}/privacy/export"),
        ("POST", f"{agent}/privacy/erase"),
        # docs/channel-api.md: the channel API, its keys and webhooks (admins), the customer
        ("POST", f"{channel}/inquiries"),
        ("GET", f"{channel}/conversations/{{conversation_id}}"),
        ("GET", f"{channel}/cases/{{number}}"),
        ("GET", f"{agent}/apikeys"),
        ("POST", f"{agent}/apikeys"),
        ("POST", f"{agent}/apikeys/{{key_id}}/revoke"),
        ("GET", f"{agent}/webhooks"),
        ("POST", f"{agent}/webhooks"),
        ("POST", f"{agent}/webhooks/{{webhook_id}}/remove"),
        ("GET", f"{agent}/webhooks/deliveries"),
        ("GET", f"{agent}/customers"),
    }
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"error", "code"}
    send = document["paths"][f"{prefix}/conversations/{{conversation_id}}/messages"]["post"]
    assert {"403", "404", "413", "422", "429"} <= set(send["responses"])
    inquiry = document["paths"]["/api/v1/channel/inquiries"]["post"]
    assert {"200", "201", "401", "403", "413", "422", "429"} <= set(inquiry["responses"])
    assert inquiry["security"] == [{"HTTPBearer": []}]


def test_the_command_prints_the_same_document(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    done = run_samsvar("openapi", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert done.stdout == DOCUMENT.read_text(encoding="utf-8")
