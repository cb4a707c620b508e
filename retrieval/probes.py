"""The shipped multilingual off-topic probes used to calibrate when not to answer."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

__all__ = ["get_probe_langs", "get_probes"]

PROBES_FILE = Path(__file__).parent / "data" / "offtopic.yaml"


@cache
def _probes() -> tuple[tuple[str, str], ...]:
    data = yaml.safe_load(PROBES_FILE.read_text(encoding="utf-8"))
    return tuple((str(p["text"]), str(p["lang"])) for p in data["probes"])


def get_probes() -> tuple[str, ...]:
    """Short visitor messages that a web shop's answer base must not answer, in six languages."""
    return tuple(text for text, _ in _probes())


def get_probe_langs() -> tuple[str, ...]:
    """The language of each probe, in the order of `get_probes()`."""
    return tuple(lang for _, lang in _probes())
