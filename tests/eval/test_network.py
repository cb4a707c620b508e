"""`samsvar eval` with ragas's offline metrics reaches nothing outside the machine."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.app.test_network import GUARD, _can_unshare_net
from tests.conftest import RunSamsvar

pytestmark = pytest.mark.slow

SUITE = """
name: offline
cases:
  - id: tracking
    ask: Hvor er pakken min? Jeg vil gjerne spore den.
    expect: order-tracking
  - id: clarify
    ask: Noe er galt med bestillingen
    expect: clarify
  - id: off-topic
    ask: Hvem vant fotball-VM i 2018?
    expect: abstain
"""


def _guard(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "guard"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    (tmp_path / "net.log").touch()
    return {
        "PYTHONPATH": str(folder),
        "SAMSVAR_TEST_NET_LOG": str(tmp_path / "net.log"),
        "SAMSVAR_TEST_NET_MARK": str(tmp_path / "guard.mark"),
        "RAGAS_DO_NOT_TRACK": "false",  # eval must switch ragas's telemetry off itself
    }


def _check_report(out: Path) -> None:
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["cases"] == 3
    overall = report["metrics"]["overall"]
    assert overall["context_precision"] is not None and overall["context_recall"] is not None
    assert report["ragas"]["llm"] is None


def test_eval_with_ragas_makes_no_outbound_connection(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(textwrap.dedent(SUITE).lstrip(), encoding="utf-8")
    env = _guard(tmp_path)
    out = tmp_path / "out.json"
    done = run_samsvar(
        "eval",
        str(suite),
        "--json",
        str(out),
        "--html",
        str(tmp_path / "out.html"),
        data_dir=demo_data_dir,
        env=env,
    )
    assert Path(env["SAMSVAR_TEST_NET_MARK"]).exists(), "the guard was not installed"
    assert done.returncode == 0, done.stderr
    assert Path(env["SAMSVAR_TEST_NET_LOG"]).read_text(encoding="utf-8") == ""
    _check_report(out)


def test_eval_in_a_network_namespace_without_any_interface(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    """Also covers native code that the Python audit hook cannot see, and --jobs workers."""
    if not _can_unshare_net():
        pytest.skip("`unshare --net` is not permitted on this machine")
    suite = tmp_path / "suite.yaml"
    suite.write_text(textwrap.dedent(SUITE).lstrip(), encoding="utf-8")
    out = tmp_path / "out.json"
    done = run_samsvar(
        "eval",
        str(suite),
        "--jobs",
        "2",
        "--json",
        str(out),
        data_dir=demo_data_dir,
        prefix=("unshare", "--net", "--"),
    )
    assert done.returncode == 0, done.stderr
    _check_report(out)
