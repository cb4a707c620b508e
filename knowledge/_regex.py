"""Field patterns that could take exponential time: found at load, on the parsed pattern.

A pattern from the answer base runs on what visitors write (up to 2,000 characters). Python's
`re` backtracks, and cannot be stopped once it runs, so a pattern such as `(a+)+$` can hold a
turn thread for minutes on 30 characters. Decision 0113 chose to refuse such patterns when
the base is loaded (with file and line), by looking at the parsed pattern, over running each
match with a time limit (that needs a process per match: `re` holds its thread until done).

Two shapes are refused under any quantifier that repeats without a small bound (`+`, `*`,
`{2,}`, `{1,50}`): a part that can match text of different lengths (`(a+)+`, `(\\w+\\s?)*`,
`(a|aa)*`), and alternatives that can start with the same character (`(\\d\\d|\\w\\w)+`).
Possessive quantifiers and atomic groups never give back what they matched and are allowed.
What is left is at worst polynomial (`\\d+\\d+$`), which 2,000 characters keep short.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The parser that `re` itself uses (Python 3.11 moved it to `re._parser`; `sre_parse` is
# its deprecated alias). Reading a pattern the way `re` does is the point here.
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

__all__ = ["backtracking_problem"]

LARGE = 16  # a repeat bounded below this many times is "small"
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
_ANY = "any"  # a first character that can be anything
_CATEGORY_TEST = {
    sre.CATEGORY_DIGIT: re.compile(r"\d"),
    sre.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    sre.CATEGORY_SPACE: re.compile(r"\s"),
    sre.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    sre.CATEGORY_WORD: re.compile(r"\w"),
    sre.CATEGORY_NOT_WORD: re.compile(r"\W"),
}


def backtracking_problem(pattern: str) -> str | None:
    """Why `pattern` may backtrack exponentially (a sentence to show), or None. The pattern
    must compile."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError):
        return None  # reported as an invalid pattern elsewhere
    return _walk(list(parsed))


def _large(low: int, high: Any) -> bool:
    return bool(high == sre.MAXREPEAT or (high - low >= 2 and high >= LARGE))


def _walk(items: list[tuple[Any, Any]]) -> str | None:
    for op, av in items:
        found: str | None = None
        if op in _REPEATS:
            low, high, body = av
            if _large(low, high) and _varies(body):
                return (
                    "repeats a part that can itself match text of different lengths (as in "
                    "`(a+)+` or `(a|aa)*`), which can take exponential time on some text; "
                    "repeat only the inner part, or make it possessive (`(a+)++`)"
                )
            if _large(low, high) and _overlapping_branches(list(body)):
                return (
                    "repeats alternatives that can start with the same character (as in "
                    "`(ab|a.)+`), which can take exponential time on some text; make the "
                    "alternatives start differently"
                )
            found = _walk(list(body))
        elif op == sre.SUBPATTERN:
            found = _walk(list(av[3]))
        elif op == sre.BRANCH:
            for branch in av[1]:
                found = found or _walk(list(branch))
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found = _walk(list(av[1]))
        elif op == sre.GROUPREF_EXISTS:
            found = _walk(list(av[1]))
            if av[2] is not None:
                found = found or _walk(list(av[2]))
        # POSSESSIVE_REPEAT and ATOMIC_GROUP never give back what they matched: safe
        if found is not None:
            return found
    return None


def _varies(body: Any) -> bool:
    """Whether a repeated part can match text of more than one length (and give some back:
    an atomic group or a possessive repeat never does)."""
    items = list(body)
    while len(items) == 1 and items[0][0] == sre.SUBPATTERN:
        items = list(items[0][1][3])
    if len(items) == 1 and items[0][0] in (sre.ATOMIC_GROUP, sre.POSSESSIVE_REPEAT):
        return False
    low, high = body.getwidth()
    return bool(low != high)


def _overlapping_branches(items: list[tuple[Any, Any]]) -> bool:
    """Whether the body is (a group around) alternatives two of which can start alike."""
    while len(items) == 1 and items[0][0] == sre.SUBPATTERN:
        items = list(items[0][1][3])
    if len(items) != 1 or items[0][0] != sre.BRANCH:
        return False
    firsts = [_first(list(branch)) for branch in items[0][1][1]]
    return any(
        _overlap(firsts[i], firsts[j])
        for i in range(len(firsts))
        for j in range(i + 1, len(firsts))
    )


def _first(items: list[tuple[Any, Any]]) -> set[Any]:
    """What the first character matched by `items` can be: characters, categories, or _ANY."""
    if not items:
        return {_ANY}
    op, av = items[0]
    if op == sre.LITERAL:
        return {chr(av)}
    if op == sre.IN:
        chars: set[Any] = set()
        for kind, value in av:
            if kind == sre.LITERAL:
                chars.add(chr(value))
            elif kind == sre.RANGE and value[1] - value[0] < 256:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            elif kind == sre.CATEGORY and value in _CATEGORY_TEST:
                chars.add(value)
            else:
                return {_ANY}
        return chars
    if op == sre.SUBPATTERN:
        return _first(list(av[3]) + items[1:])
    if op in _REPEATS and av[0] >= 1:
        return _first(list(av[2]))
    if op == sre.BRANCH:
        return set().union(*(_first(list(b)) for b in av[1]))
    if op == sre.AT:
        return _first(items[1:])
    return {_ANY}


def _overlap(one: set[Any], other: set[Any]) -> bool:
    if _ANY in one or _ANY in other or one & other:
        return True
    for a in one:
        for b in other:
            test = _CATEGORY_TEST.get(a) if not isinstance(a, str) else None
            if test is not None and isinstance(b, str) and test.fullmatch(b):
                return True
            test = _CATEGORY_TEST.get(b) if not isinstance(b, str) else None
            if test is not None and isinstance(a, str) and test.fullmatch(a):
                return True
            if not isinstance(a, str) and not isinstance(b, str):
                return True  # two categories (\d and \w, \s and \W …): assume they meet
    return False
