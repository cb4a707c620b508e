"""The vector index of an answer base in Chroma: incremental, atomic, tied to its model.

Layout in Chroma, for an answer base with key K (a hash of where the base lives):

* ``K-manifest``: an empty collection whose metadata names the active index collection and the
  content (the set of vectors) the base needs.
* ``K-<content hash>-<time>``: one record per distinct vector: a question (query vector), an
  answer text (passage vector) or an off-topic probe, named ``<mode>:<text hash>``; metadata
  holds the answer id, kind, position and text hash, and the collection metadata holds the
  model name and version.

A sync embeds only texts whose hash is not in the active collection. With the same model it
adds their records to the active collection, switches the manifest, and only then deletes the
records no longer used: an index serving the previous base never misses a vector of its own, so
a failed run leaves it serving. With another model (or no index yet) it writes a complete new
collection and switches the manifest to it. The fitted ranking models are derived data, cached
as JSON under the data directory per collection and refitted when missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from knowledge import AnswerBase
from retrieval.embeddings import Encoder, Vectors
from retrieval.errors import IndexBuildFailed, IndexUnavailable
from retrieval.prior import prior_digest
from retrieval.probes import get_probe_langs, get_probes
from retrieval.ranking import Entry, Retriever

__all__ = ["AnswerIndex", "Progress", "SyncReport", "entries_from_base", "open_chroma"]

# (texts embedded so far, texts to embed, and the same in characters, which the time follows)
Progress = Callable[[int, int, int, int], None]

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
log = logging.getLogger(__name__)

QUERY, PASSAGE = "query", "passage"
REFIT_SHARE = 0.05
MAX_LABELLED = 2000  # labelled traffic pairs passed to the fit, the most recent first
HNSW_M = 4
READ_PAGE = 1000
LAYOUT = 2  # records named after their vectors, updated in place
HNSW_CONSTRUCTION_EF = 16


@dataclass(frozen=True)
class SyncReport:
    """What a sync did: the active collection and how many texts it embedded or reused."""

    collection: str
    embedded: int
    reused: int
    changed: bool
    seconds: float


@dataclass(frozen=True)
class _Record:
    id: str
    text: str
    mode: str
    metadata: dict[str, str | int]

    @property
    def key(self) -> str:
        return f"{self.mode}:{self.metadata['text_hash']}"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def entries_from_base(base: AnswerBase) -> list[Entry]:
    """One retrieval entry per published answer: its questions (and title), its answer texts."""
    entries = []
    for answer in base.published():
        questions = list(dict.fromkeys(answer.questions))
        if answer.title not in questions:
            questions.append(answer.title)
        texts = tuple(answer.answer[lang] for lang in sorted(answer.answer))
        entries.append(Entry(answer.id, tuple(questions), texts))
    return entries


def open_chroma(data_dir: Path, chroma_url: str | None = None) -> Any:
    """An embedded PersistentClient under data_dir, or an HttpClient when chroma_url is set."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    try:
        if chroma_url:
            parts = urlsplit(chroma_url)
            return chromadb.HttpClient(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 8000,
                ssl=parts.scheme == "https",
                settings=settings,
            )
        path = Path(data_dir) / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:  # chromadb raises plain exceptions for connection problems
        where = chroma_url or str(data_dir)
        raise IndexUnavailable(f"cannot open the Chroma index at {where}: {exc}") from exc


def _records(entries: Sequence[Entry], probes: Iterable[str]) -> list[_Record]:
    records = []
    for entry in entries:
        for i, q in enumerate(entry.questions):
            meta: dict[str, str | int] = {"answer_id": entry.id, "kind": "question", "pos": i}
            records.append(_record(q, QUERY, meta))
        for i, t in enumerate(entry.texts):
            meta = {"answer_id": entry.id, "kind": "text", "pos": i}
            records.append(_record(t, PASSAGE, meta))
    for i, p in enumerate(probes):
        records.append(_record(p, QUERY, {"answer_id": "", "kind": "probe", "pos": i}))
    return records


def _record(text: str, mode: str, meta: dict[str, str | int]) -> _Record:
    """A record is named after its vector (mode and text hash), so it can be shared and kept."""
    text_hash = _hash(text)
    return _Record(f"{mode}:{text_hash}", text, mode, meta | {"text_hash": text_hash})


def _unique(records: list[_Record]) -> list[_Record]:
    """One record per vector: a text used twice (two answers, or a probe) is stored once."""
    unique: dict[str, _Record] = {}
    for record in records:
        unique.setdefault(record.id, record)
    return list(unique.values())


class _StoredVectors:
    """An `Encoder` that answers from vectors already in the index (and embeds any others)."""

    def __init__(self, vectors: dict[str, Vectors], encoder: Encoder) -> None:
        self._vectors = vectors
        self._encoder = encoder
        self.model_name = encoder.model_name
        self.model_version = encoder.model_version

    def _get(self, mode: str, texts: Sequence[str]) -> Vectors:
        missing = [t for t in texts if f"{mode}:{_hash(t)}" not in self._vectors]
        if missing:
            embed = self._encoder.query_vectors if mode == QUERY else self._encoder.passage_vectors
            for text, vec in zip(missing, embed(missing), strict=True):
                self._vectors[f"{mode}:{_hash(text)}"] = vec
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._vectors[f"{mode}:{_hash(t)}"] for t in texts]).astype(np.float32)

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        return self._get(QUERY, texts)

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        return self._get(PASSAGE, texts)


class AnswerIndex:
    """The Chroma index of one answer base."""

    def __init__(self, client: Any, base: AnswerBase, encoder: Encoder, state_dir: Path) -> None:
        self._client = client
        self._base = base
        self._encoder = encoder
        self._state_dir = Path(state_dir)
        self.key = "samsvar-" + hashlib.sha1(str(base.path.resolve()).encode()).hexdigest()[:12]
        self.entries = entries_from_base(base)
        self._written: tuple[str, dict[str, Vectors]] | None = None

    # -- manifest -------------------------------------------------------------------------
    def _manifest(self) -> Any:
        return self._client.get_or_create_collection(
            f"{self.key}-manifest", embedding_function=None
        )

    def active_collection(self) -> str | None:
        active = (self._manifest().metadata or {}).get("active")
        return str(active) if active else None

    def _open(self, name: str) -> Any:
        return self._client.get_collection(name, embedding_function=None)

    def _model_matches(self, collection: Any) -> bool:
        meta = collection.metadata or {}
        return bool(
            meta.get("model") == self._encoder.model_name
            and meta.get("model_version") == self._encoder.model_version
        )

    def _complete(self, name: str, records: list[_Record]) -> bool:
        """The collection exists, holds every record and was built with this model.

        A cheap check (no vectors are read), so an up-to-date index costs nothing to open.
        """
        try:
            collection = self._open(name)
        except Exception:  # a manifest pointing at a vanished collection: rebuild
            return False
        return self._model_matches(collection) and collection.count() == len(records)

    def _stored_vectors(self, name: str | None) -> dict[str, Vectors]:
        if name is None:
            return {}
        if self._written is not None and self._written[0] == name:
            return self._written[1]  # just written by this process: no need to read it back
        try:
            collection = self._open(name)
        except Exception:  # a manifest pointing at a vanished collection: rebuild
            log.warning("index collection %s is missing; rebuilding", name)
            return {}
        if not self._model_matches(collection):
            log.info("index %s was built with another model; rebuilding", name)
            return {}
        vectors: dict[str, Vectors] = {}
        # Read page by page: one call for every record holds several copies of all vectors
        # (Chroma's own, float64, float32) at once, which is most of a server's memory peak.
        for offset in range(0, collection.count(), READ_PAGE):
            got = collection.get(
                include=["embeddings", "metadatas"], limit=READ_PAGE, offset=offset
            )
            for meta, vec in zip(got["metadatas"], got["embeddings"], strict=True):
                mode = PASSAGE if meta["kind"] == "text" else QUERY
                vectors[f"{mode}:{meta['text_hash']}"] = np.asarray(vec, dtype=np.float32)
        return vectors

    # -- sync -----------------------------------------------------------------------------
    def sync(self, progress: Progress | None = None) -> SyncReport:
        """Make the active index match the base, embedding only what changed.

        `progress(done, total, chars_done, chars_total)` is called before the first batch of
        texts is embedded and after each (not at all when nothing needs embedding), so a first
        run can show how far it is.
        """
        started = time.perf_counter()
        active = self.active_collection()
        records = _unique(_records(self.entries, get_probes()))
        content = _hash("\n".join(sorted(r.key for r in records)) + self._encoder.model_version)
        manifest = self._manifest().metadata or {}
        if active and manifest.get("content") == content and self._complete(active, records):
            return SyncReport(active, 0, len(records), False, time.perf_counter() - started)
        collection = self._updatable(active)
        if collection is not None:
            embedded = self._update(collection, records, content, progress)
        else:
            active, embedded = self._rebuild(active, records, content, progress)
        reused = len(records) - embedded
        return SyncReport(str(active), embedded, reused, True, time.perf_counter() - started)

    def _updatable(self, name: str | None) -> Any | None:
        """The active collection when it can be brought up to date in place."""
        if name is None:
            return None
        try:
            collection = self._open(name)
        except Exception:  # a manifest pointing at a vanished collection: rebuild
            log.warning("index collection %s is missing; rebuilding", name)
            return None
        meta = collection.metadata or {}
        if not self._model_matches(collection) or meta.get("layout") != LAYOUT:
            return None
        return collection

    def _update(
        self,
        collection: Any,
        records: list[_Record],
        content: str,
        progress: Progress | None = None,
    ) -> int:
        """Add the new texts' vectors, switch the manifest, then delete what is no longer used.

        Records are keyed by their text's hash, so an index that serves the previous base
        never reads a vector that is not its own: until the manifest switches, new records are
        extras it ignores, and a failed run leaves it exactly as it was (besides such extras,
        which the next sync deletes).
        """
        stored = self._stored_metadata(collection)
        missing = [r for r in records if r.id not in stored]
        vectors: dict[str, Vectors] = {}
        try:
            self._embed(missing, vectors, progress)
            self._add(collection, missing, vectors)
        except Exception as exc:
            raise IndexBuildFailed(
                f"re-indexing failed, the previous index still serves: {exc}"
            ) from exc
        self._manifest().modify(
            metadata={
                "active": collection.name,
                "content": content,
                "base_hash": self._base.content_hash,
            }
        )
        wanted = {r.id for r in records}
        stale = [key for key in stored if key not in wanted]
        if stale:
            collection.delete(ids=stale)
        moved = [r for r in records if r.id in stored and stored[r.id] != r.metadata]
        if moved:  # the same text now belongs to another answer, or sits elsewhere
            collection.update(ids=[r.id for r in moved], metadatas=[r.metadata for r in moved])
        self._sweep(keep=collection.name)
        self._written = None
        return len(missing)

    def _stored_metadata(self, collection: Any) -> dict[str, dict[str, Any]]:
        stored: dict[str, dict[str, Any]] = {}
        for offset in range(0, collection.count(), READ_PAGE):
            got = collection.get(include=["metadatas"], limit=READ_PAGE, offset=offset)
            stored.update(zip(got["ids"], got["metadatas"], strict=True))
        return stored

    def _rebuild(
        self,
        active: str | None,
        records: list[_Record],
        content: str,
        progress: Progress | None = None,
    ) -> tuple[str, int]:
        """Write a complete new collection, reusing what vectors the old one has, and switch."""
        stored = self._stored_vectors(active)
        missing = [r for r in records if r.key not in stored]
        name = f"{self.key}-{content}-{time.time_ns() // 1_000_000}"
        try:
            self._embed(missing, stored, progress)
            self._write(name, records, stored)
            self._written = (name, stored)
        except Exception as exc:
            self._drop(name)
            raise IndexBuildFailed(
                f"re-indexing failed, the previous index still serves: {exc}"
            ) from exc
        self._manifest().modify(
            metadata={"active": name, "content": content, "base_hash": self._base.content_hash}
        )
        if active and active != name:
            self._drop(active)
        self._sweep(keep=name)
        return name, len(missing)

    def _embed(
        self, missing: list[_Record], stored: dict[str, Vectors], progress: Progress | None = None
    ) -> None:
        done = chars = 0
        total_chars = sum(len(r.text) for r in missing)
        if progress is not None and missing:
            progress(0, len(missing), 0, total_chars)
        for mode in (QUERY, PASSAGE):
            todo = [r for r in missing if r.mode == mode]
            embed = self._encoder.query_vectors if mode == QUERY else self._encoder.passage_vectors
            for start in range(0, len(todo), 64):
                batch = todo[start : start + 64]
                for record, vec in zip(batch, embed([r.text for r in batch]), strict=True):
                    stored[record.key] = vec
                done += len(batch)
                chars += sum(len(r.text) for r in batch)
                if progress is not None:
                    progress(done, len(missing), chars, total_chars)

    def _write(self, name: str, records: list[_Record], stored: dict[str, Vectors]) -> None:
        collection = self._client.create_collection(
            name,
            embedding_function=None,
            metadata={
                "hnsw:space": "cosine",
                # Ranking never uses Chroma's approximate search (it scores every answer
                # exactly), so a small graph is enough and keeps a re-index cheap.
                "hnsw:M": HNSW_M,
                "hnsw:construction_ef": HNSW_CONSTRUCTION_EF,
                "model": self._encoder.model_name,
                "model_version": self._encoder.model_version,
                "base": str(self._base.path),
                "layout": LAYOUT,
            },
        )
        self._add(collection, records, stored)

    def _add(self, collection: Any, records: list[_Record], vectors: dict[str, Vectors]) -> None:
        step = int(self._client.get_max_batch_size())
        for start in range(0, len(records), step):
            batch = records[start : start + step]
            collection.add(
                ids=[r.id for r in batch],
                embeddings=np.stack([vectors[r.key] for r in batch]),
                metadatas=[r.metadata for r in batch],
                documents=[r.text for r in batch],
            )

    def _drop(self, name: str) -> None:
        try:
            self._client.delete_collection(name)
        except Exception:  # already gone: nothing to clean
            log.debug("collection %s was not there to drop", name)

    def _sweep(self, keep: str) -> None:
        """Drop collections left behind by interrupted runs of this base."""
        for collection in self._client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{self.key}-") and name not in (keep, f"{self.key}-manifest"):
                self._drop(name)

    # -- loading --------------------------------------------------------------------------
    def load_retriever(self, *, labelled: Sequence[tuple[str, str]] = ()) -> Retriever:
        """The ranking model over the active index.

        `labelled` is traffic whose right answer is known: (a visitor's question, the answer
        id), the most recent first. Pairs whose answer is not a published answer of the base
        are left out, and at most `MAX_LABELLED` are used; they join the fit (see
        `Retriever.fit`). Their hash is part of the saved state, so other traffic refits.

        The fitted models are cached per index collection. After a small edit (at most
        `REFIT_SHARE` of the answers changed since the last full fit) the previous models are
        carried over, since they score generic features, not particular answers; this keeps a
        re-index after one changed answer within seconds. Bigger changes refit.
        """
        active = self.active_collection()
        if active is None:
            raise IndexUnavailable("the answer base has not been indexed yet")
        encoder = _StoredVectors(self._stored_vectors(active), self._encoder)
        fingerprint = {e.id: _hash(repr(e)) for e in self.entries}
        traffic = self._usable(labelled)
        traffic_hash = _labelled_hash(traffic)
        # The answering policy and the shipped prior decide the models and thresholds too.
        policy = {"max_wrong": self._base.config.answering.max_wrong, "prior": prior_digest()}
        for path, state in self._saved_states(active):
            fitted_on = state.get("fitted_on", {})
            if state.get("model_version") != self._encoder.model_version:
                continue  # fitted on another model's vectors: its scores mean something else
            if state.get("labelled", "") != traffic_hash:
                continue  # fitted on other traffic
            if state.get("policy") != policy:
                continue  # chosen for another policy, or blended with another prior
            if _changed_share(fitted_on, fingerprint) > REFIT_SHARE:
                continue
            retriever = Retriever.from_state(self.entries, encoder, state)
            if retriever is not None:
                if path.stem != active:
                    self._save_state(active, state)
                return retriever
        retriever = Retriever.fit(
            self.entries,
            encoder,
            probes=get_probes(),
            probe_langs=get_probe_langs(),
            labelled=traffic,
            max_wrong=self._base.config.answering.max_wrong,
        )
        self._save_state(
            active,
            retriever.state()
            | {
                "fitted_on": fingerprint,
                "model_version": self._encoder.model_version,
                "labelled": traffic_hash,
                "policy": policy,
            },
        )
        return retriever

    def _usable(self, labelled: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """The pairs of `labelled` whose answer is published, each once, at most MAX_LABELLED."""
        published = {e.id for e in self.entries}
        usable: dict[tuple[str, str], None] = {}
        for question, answer_id in labelled:
            if answer_id in published and question.strip():
                usable.setdefault((question, answer_id), None)
            if len(usable) >= MAX_LABELLED:
                break
        return list(usable)

    def _saved_states(self, active: str) -> list[tuple[Path, dict[str, Any]]]:
        """The state of the active collection first, then any earlier one of this base."""
        paths = sorted(self._state_dir.glob(f"{self.key}-*.json"), key=lambda p: p.stem != active)
        states = []
        for path in paths:
            try:
                states.append((path, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                log.warning("ignoring unreadable model state %s", path)
        return states

    def _save_state(self, active: str, state: dict[str, Any]) -> None:
        self._state_dir.mkdir(parents=True, exist_ok=True)
        path = self._state_dir / f"{active}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, path)
        for old in self._state_dir.glob(f"{self.key}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)


def _labelled_hash(labelled: Sequence[tuple[str, str]]) -> str:
    """A hash of the labelled pairs, whatever their order; "" for none (as states without it)."""
    if not labelled:
        return ""
    return _hash(json.dumps(sorted(labelled), ensure_ascii=False))


def _changed_share(before: dict[str, str], after: dict[str, str]) -> float:
    """The share of answers added, removed or changed between two fingerprints."""
    if not before:
        return 1.0
    keys = before.keys() | after.keys()
    changed = sum(before.get(k) != after.get(k) for k in keys)
    return changed / max(len(keys), 1)
