"""Case numbers: `S-<year>-<6 digits>`, gapless per year (allocated in `actions`)."""

from __future__ import annotations

import re

__all__ = ["CASE_NUMBER", "format_case_number", "parse_case_number"]

CASE_NUMBER = re.compile(r"S-(\d{4})-(\d{6,})")


def format_case_number(year: int, number: int) -> str:
    """S-2026-000123 (more digits once a year has a million cases)."""
    return f"S-{year:04d}-{number:06d}"


def parse_case_number(text: str) -> tuple[int, int]:
    """(year, number); raises ValueError for anything else."""
    match = CASE_NUMBER.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a case number like S-2026-000123")
    return int(match.group(1)), int(match.group(2))
