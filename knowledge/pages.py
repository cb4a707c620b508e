"""Page URL patterns: where an answer is offered proactively."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

__all__ = ["describe_pattern_problem", "match_page", "pattern_specificity"]

_ABSOLUTE = ("http://", "https://")


def match_page(pattern: str, url: str) -> bool:
    """True when the page at `url` matches `pattern`.

    A pattern is either a path glob (``/checkout/*``, ``/orders/**``, ``/returns``)
    or an absolute URL glob (``https://shop.example/help/*``).

    * A path pattern is matched against the path of `url`; `url` may be a full
      URL or a bare path. An absolute pattern is matched against scheme, host
      and path (scheme and host case-insensitively); it never matches a bare path.
    * Query strings and fragments of `url` are ignored; percent-escapes are
      decoded (``/s%C3%B8k`` is ``/søk``). Paths are case-sensitive.
    * ``*`` matches any characters except ``/`` (so within one segment),
      ``**`` matches anything including ``/``. Everything else is literal.
    * One trailing ``/`` is ignored on both sides (except for the root path
      ``/``), so ``/returns`` matches ``/returns/``, and ``/checkout/*`` matches
      ``/checkout/payment-failed`` and ``/checkout/payment-failed/`` but not
      ``/checkout`` nor ``/checkout/``. An empty path is ``/``.

    A pattern that is neither a path nor an http(s) URL matches nothing; the
    loader rejects such patterns.
    """
    if pattern.startswith("/"):
        target: str | None = _path_of(url)
        pattern = unquote(pattern)
    elif pattern.lower().startswith(_ABSOLUTE):
        target = _absolute_of(url)
        pattern = _absolute_of(pattern) or ""
    else:
        return False
    if target is None:
        return False
    return _compile(_trim(pattern)).fullmatch(_trim(target)) is not None


def pattern_specificity(pattern: str) -> tuple[int, int, int]:
    """How specific a pattern is, for choosing between patterns that match the same page.

    Larger is more specific: a pattern without wildcards beats any with them; then the one
    with more literal characters (``/orders/*/complaint`` beats ``/orders/*``); then the one
    with fewer ``**``.
    """
    literal = len(re.sub(r"\*+", "", _trim(pattern)))
    return (0 if "*" in pattern else 1, literal, -pattern.count("**"))


def describe_pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not a valid page pattern, or None when it is."""
    if pattern.lower().startswith(_ABSOLUTE):
        if not urlsplit(pattern).netloc:
            return "an absolute page pattern needs a host, e.g. https://shop.example/help/*"
    elif not pattern.startswith("/"):
        return "a page pattern must start with '/' (a path) or with http:// or https://"
    if any(char.isspace() for char in pattern):
        return "a page pattern must not contain spaces"
    if "?" in pattern or "#" in pattern:
        return "a page pattern must not contain '?' or '#'; queries and fragments are ignored"
    return None


def _path_of(url: str) -> str:
    if url.lower().startswith(_ABSOLUTE):
        path = urlsplit(url).path
    else:
        path = re.split(r"[?#]", url, maxsplit=1)[0]
    return unquote(path) or "/"


def _absolute_of(url: str) -> str | None:
    if not url.lower().startswith(_ABSOLUTE):
        return None
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{unquote(parts.path) or '/'}"


def _trim(path: str) -> str:
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    pieces = []
    for token in re.split(r"(\*\*|\*)", pattern):
        if token == "**":
            pieces.append(".*")
        elif token == "*":
            pieces.append("[^/]*")
        else:
            pieces.append(re.escape(token))
    return re.compile("".join(pieces))
