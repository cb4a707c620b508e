"""The fast set (`scripts/test`) leaves out what the collection hook in tests/conftest.py keys on.

The hook names fixtures, not files. A fixture renamed or moved out of the tests would silently
bring its slow tests into the fast set, so every name it keys on must still be defined.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import SLOW_FIXTURES

TESTS = Path(__file__).resolve().parent


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _defined_fixtures() -> set[str]:
    names = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(map(_is_fixture, node.decorator_list)):
                names.add(node.name)
    return names


def test_every_fixture_the_hook_keys_on_is_defined() -> None:
    missing = SLOW_FIXTURES - _defined_fixtures()
    assert not missing, f"tests/conftest.py SLOW_FIXTURES names no fixture: {sorted(missing)}"
