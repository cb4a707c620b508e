"""No package imports another package's private modules (`bot._collecting` from `app`, …).

import-linter keeps the direction of the layers; this keeps their surfaces: a module whose name
starts with `_` belongs to its own package, which exports what others may use.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "knowledge",
    "retrieval",
    "bot",
    "eval",
    "handoff",
    "conversations",
    "insights",
    "privacy",
    "app",
)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def _private_elsewhere(package: str, module: str) -> bool:
    parts = module.split(".")
    if parts[0] not in PACKAGES or parts[0] == package:
        return False
    return any(part.startswith("_") and not part.startswith("__") for part in parts[1:])


def test_no_package_imports_another_packages_private_modules() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, module in _imports(path)
        if _private_elsewhere(package, module)
    ]
    assert wrong == []


def test_the_check_finds_a_private_import() -> None:
    assert _private_elsewhere("app", "bot._collecting")
    assert _private_elsewhere("conversations", "bot._collect_texts.SKIP_LABEL")
    assert not _private_elsewhere("bot", "bot._collecting")
    assert not _private_elsewhere("app", "bot.collect")
