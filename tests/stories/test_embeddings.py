from __future__ import annotations

import socket

import numpy as np
import pytest

from newsstand.stories.embeddings import (
    DEFAULT_BACKEND,
    EmbeddingBackend,
    WordLlamaBackend,
    load_backend,
)

pytest.importorskip("wordllama", reason="wordllama is a dependency; install the project")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_wordllama_loads_offline_from_the_wheel(no_network: None) -> None:
    backend = load_backend(DEFAULT_BACKEND)
    assert isinstance(backend, WordLlamaBackend)
    assert isinstance(backend, EmbeddingBackend)
    vecs = backend.embed(["Floods in Valencia", "Valencia flooding", "Sourdough recipe", ""])
    assert vecs.shape == (4, 256)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs[:3], axis=1), 1.0, rtol=1e-5)
    assert not vecs[3].any()
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


def test_pooling_matches_wordllama_embed() -> None:
    backend = WordLlamaBackend()
    texts = ["The council approved the library.", "Nvidia reported record revenue on Wednesday."]
    ours = backend.embed(texts)
    reference = backend._model.embed(texts, norm=True)
    np.testing.assert_allclose(ours, reference, atol=1e-5)
