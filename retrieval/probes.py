"""The shipped multilingual off-topic probes used to calibrate when not to answer."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

__all__ = ["get_probes"]

PROBES_FILE = Path(__file__).parent / "data" / "offtopic.yaml"


@cache
def get_probes() -> tuple[str, ...]:
    """Short visitor messages that a web shop's answer base must not answer, in six languages."""
    data = yaml.safe_load(PROBES_FILE.read_text(encoding="utf-8"))
    return tuple(str(p["text"]) for p in data["probes"])
