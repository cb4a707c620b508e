"""No code path needs the network unless an endpoint is configured: `samsvar ask` offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import RunSamsvar, samsvar_env

# Installed through PYTHONPATH in the child process: every socket connection or name lookup
# that is not loopback or a unix socket is written to the log and refused.
GUARD = textwrap.dedent(
    """
    import os
    import sys

    _LOG = os.environ["SAMSVAR_TEST_NET_LOG"]
    _EVENTS = frozenset(["socket.connect", "socket.getaddrinfo", "socket.gethostbyname"])
    _LOCAL = frozenset(["", "localhost", "::1", "0:0:0:0:0:0:0:1", "0.0.0.0", "::"])


    def _outside(event, args):
        if event == "socket.connect":
            address = args[1]
            if isinstance(address, (str, bytes)):  # AF_UNIX
                return None
            host = address[0] if isinstance(address, tuple) and address else address
        else:
            host = args[0] if args else None
        if host is None or isinstance(host, int):  # passive lookup, netlink
            return None
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        host = str(host)
        if host in _LOCAL or host.startswith("127.") or host.startswith("::ffff:127."):
            return None
        return f"{event} {host!r} {args!r}"


    def _guard(event, args):
        if event in _EVENTS:
            target = _outside(event, args)
            if target is not None:
                with open(_LOG, "a", encoding="utf-8") as log:
                    log.write(target + "\\n")
                raise OSError(f"network access blocked by the test: {target}")


    sys.addaudithook(_guard)
    with open(os.environ["SAMSVAR_TEST_NET_MARK"], "w", encoding="utf-8") as mark:
        mark.write("installed\\n")
    """
)


@pytest.fixture
def net_guard(tmp_path: Path) -> dict[str, str]:
    """Environment variables that install the guard in a child Python process."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net.log"
    log.touch()
    return {
        "PYTHONPATH": str(guard_dir),
        "SAMSVAR_TEST_NET_LOG": str(log),
        "SAMSVAR_TEST_NET_MARK": str(tmp_path / "guard.mark"),
    }


CONTROL = """
import socket

attempts = [
    lambda: socket.socket().connect(("192.0.2.1", 9)),  # TEST-NET-1: never routed
    lambda: socket.getaddrinfo("example.com", 443),
    lambda: socket.gethostbyname("example.org"),
]
for attempt in attempts:
    try:
        attempt()
    except OSError as exc:
        print(exc)
socket.getaddrinfo("localhost", 80)
socket.getaddrinfo("127.0.0.1", 80)
"""


def test_the_guard_catches_outbound_attempts(tmp_path: Path, net_guard: dict[str, str]) -> None:
    """The control: the same guard refuses and logs each kind of attempt, and lets loopback be."""
    done = subprocess.run(
        [sys.executable, "-c", CONTROL],
        env=samsvar_env(tmp_path / "data", net_guard),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("network access blocked by the test") == 3
    log = Path(net_guard["SAMSVAR_TEST_NET_LOG"]).read_text(encoding="utf-8").splitlines()
    assert [line.split(" (")[0] for line in log] == [
        "socket.connect '192.0.2.1'",
        "socket.getaddrinfo 'example.com'",
        "socket.gethostbyname 'example.org'",
    ]


def test_ask_makes_no_outbound_connection(
    demo_data_dir: Path, run_samsvar: RunSamsvar, net_guard: dict[str, str]
) -> None:
    question = "Hvor er pakken min? Jeg vil gjerne spore den."
    done = run_samsvar("ask", question, data_dir=demo_data_dir, env=net_guard)
    assert Path(net_guard["SAMSVAR_TEST_NET_MARK"]).exists(), "the guard was not installed"
    assert done.returncode == 0, done.stderr
    assert "answer id:  order-tracking" in done.stdout
    assert Path(net_guard["SAMSVAR_TEST_NET_LOG"]).read_text(encoding="utf-8") == ""


def _can_unshare_net() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        done = subprocess.run(
            [unshare, "--net", "--", "true"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def test_ask_in_a_network_namespace_without_any_interface(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    """Also covers native code (Chroma, onnxruntime) that the Python audit hook cannot see."""
    if not _can_unshare_net():
        pytest.skip("`unshare --net` is not permitted on this machine")
    done = run_samsvar(
        "ask",
        "kortet ble avvist",
        "--json",
        data_dir=demo_data_dir,
        prefix=("unshare", "--net", "--"),
    )
    assert done.returncode == 0, done.stderr
    assert '"answer_id": "payment-declined"' in done.stdout
