"""Browser tests live in tests/web_widget, which pytest runs last: its session-wide Chromium
(Playwright's sync API) keeps an event loop running in the main thread, and every
`asyncio.run` after it fails. One e-mail test in tests/channels once took 121 tests down."""

from __future__ import annotations

import pathlib

TESTS = pathlib.Path(__file__).parent


def test_only_tests_web_widget_uses_the_session_browser() -> None:
    outside = [
        path.relative_to(TESTS).as_posix()
        for path in sorted(TESTS.rglob("*.py"))
        if "web_widget" not in path.relative_to(TESTS).parts
        and path.name != pathlib.Path(__file__).name
        and "from tests.web_widget" in path.read_text(encoding="utf-8")
    ]
    assert outside == [], f"move these browser tests to tests/web_widget: {outside}"
