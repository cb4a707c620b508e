"""The redaction of an earlier git revision, importable beside this tree's, to compare the two
in one run (same load on a shared machine, same findings expected)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def privacy_at(revision: str) -> ModuleType:
    """`bot.privacy` (with its `bot._names`) as it was at git `revision`, imported as
    `_baseline_privacy`; `bot._identity` is this tree's."""
    modules = {}
    for name, alias in (("_names", "_baseline_names"), ("privacy", "_baseline_privacy")):
        shown = subprocess.run(
            ["git", "show", f"{revision}:bot/{name}.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if shown.returncode != 0:
            raise SystemExit(f"no bot/{name}.py at {revision}: {shown.stderr.strip()}")
        source = shown.stdout.replace("from bot._names import", "from _baseline_names import")
        spec = importlib.util.spec_from_loader(alias, loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[alias] = module
        exec(compile(source, f"{revision}:bot/{name}.py", "exec"), module.__dict__)
        modules[name] = module
    return modules["privacy"]
