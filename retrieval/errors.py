"""Errors raised by the retrieval package.

Tree::

    RetrievalError
    ├── IndexUnavailable      the vector store cannot be reached or opened
    └── IndexBuildFailed      building a new index failed; the old one keeps serving
"""

from __future__ import annotations

__all__ = ["IndexBuildFailed", "IndexUnavailable", "RetrievalError"]


class RetrievalError(Exception):
    """Base class of every error of the retrieval package."""


class IndexUnavailable(RetrievalError):
    """The vector store (embedded Chroma or a Chroma server) cannot be opened."""


class IndexBuildFailed(RetrievalError):
    """A (re-)index run failed before it was switched in; the previous index still serves."""
