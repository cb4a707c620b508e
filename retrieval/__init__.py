"""Retrieval: embeddings, the Chroma index, lexical evidence, fusion and calibrated confidence."""

from retrieval.batching import BatchingEncoder
from retrieval.calibration import (
    DEFAULT_MAX_WRONG,
    Expectation,
    Thresholds,
    describe_thresholds,
    thresholds_json,
)
from retrieval.embeddings import E5Embeddings, Encoder
from retrieval.errors import IndexBuildFailed, IndexUnavailable, RetrievalError
from retrieval.index import AnswerIndex, SyncReport, entries_from_base, open_chroma
from retrieval.probes import get_probe_langs, get_probes
from retrieval.ranking import Candidate, Entry, Ranking, Retriever

__all__ = [
    "DEFAULT_MAX_WRONG",
    "AnswerIndex",
    "BatchingEncoder",
    "Candidate",
    "E5Embeddings",
    "Encoder",
    "Entry",
    "Expectation",
    "IndexBuildFailed",
    "IndexUnavailable",
    "Ranking",
    "RetrievalError",
    "Retriever",
    "SyncReport",
    "Thresholds",
    "describe_thresholds",
    "entries_from_base",
    "get_probe_langs",
    "get_probes",
    "open_chroma",
    "thresholds_json",
]
