"""Text embeddings behind one small protocol, chosen once by a setting.

`NEWSSTAND_EMBEDDING_BACKEND` (a dotted path to a class with a no-argument constructor) picks the
backend; the default is WordLlama, whose weights ship inside its wheel. Nothing here downloads:
a backend that cannot load from local files raises `EmbeddingUnavailable`, and `get_backend()`
then falls back to `NullBackend`, so similarity degrades to TF-IDF alone instead of failing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string
from scipy import sparse

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "newsstand.stories.embeddings.WordLlamaBackend"
# The 256-dimension l2_supercat model is the one the wordllama wheel ships; other sizes would
# need a download.
WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256
# Characters of headline + body embedded: about 400 tokens, the headline and first paragraphs.
EMBED_MAX_CHARS = 2000


class EmbeddingUnavailable(RuntimeError):
    """The backend's package or its local weights are missing."""


@runtime_checkable
class EmbeddingBackend(Protocol):
    """Maps texts to L2-normalised float32 rows, shape (len(texts), dim); dim 0 means "none"."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class NullBackend:
    """No embedding: similarity falls back to its lexical signals."""

    name = "none"
    dim = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 0), dtype=np.float32)


class WordLlamaBackend:
    """WordLlama static token embeddings, average-pooled (about 0.1 ms a news article)."""

    name = "wordllama"
    dim = WORDLLAMA_DIM

    def __init__(self) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:
            raise EmbeddingUnavailable("the wordllama package is not installed") from exc
        # Plain WordLlama.load() looks for the tokenizer under "<package>/tokenizer/" (singular)
        # while the wheel ships it under "<package>/tokenizers/", then tries to download it.
        # Pointing the cache at the package folder finds both files; disable_download makes a
        # missing file an error instead of a network request.
        package_dir = Path(wordllama.__file__).resolve().parent
        try:
            self._model: Any = WordLlama.load(
                config=WORDLLAMA_CONFIG,
                dim=WORDLLAMA_DIM,
                cache_dir=package_dir,
                disable_download=True,
            )
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise EmbeddingUnavailable(f"wordllama weights not loadable offline: {exc}") from exc

        # WordLlama's own embed() pads each batch to its longest text and pools a
        # (batch, tokens, dim) array; pooling the unpadded token ids through a sparse count
        # matrix gives the same vectors at a fraction of the cost. A private tokenizer copy
        # keeps the model's padding setting untouched.
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_str(self._model.tokenizer.to_str())
        self._tokenizer.no_padding()
        self._table: np.ndarray = self._model.embedding

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The tokenizer has no pre-tokenizer, so its BPE cost grows faster than linearly with
        # length; news states its event up top (inverted pyramid), so the head is enough.
        heads = [t[:EMBED_MAX_CHARS] for t in texts]
        encoded = self._tokenizer.encode_batch(heads, add_special_tokens=False)
        ids = [np.asarray(e.ids, dtype=np.int32) for e in encoded]
        indptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in ids], out=indptr[1:])
        flat = np.clip(np.concatenate(ids), 0, self._table.shape[0] - 1)
        # A (texts x vocabulary) count matrix times the embedding table sums each text's token
        # rows without materialising them; the sum has the mean's direction.
        counts = sparse.csr_matrix(
            (np.ones(flat.size, dtype=np.float32), flat, indptr),
            shape=(len(ids), self._table.shape[0]),
        )
        out = np.asarray(counts @ self._table, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


_lock = threading.Lock()
_cached: dict[str, EmbeddingBackend] = {}


def backend_path() -> str:
    return str(getattr(settings, "NEWSSTAND_EMBEDDING_BACKEND", DEFAULT_BACKEND) or "")


def load_backend(path: str) -> EmbeddingBackend:
    """Instantiate the backend at `path`; raises EmbeddingUnavailable when it cannot load."""
    if not path or path in {"none", "null"}:
        return NullBackend()
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise EmbeddingUnavailable(f"no embedding backend at {path!r}") from exc
    backend = cls()
    if not isinstance(backend, EmbeddingBackend):
        raise EmbeddingUnavailable(f"{path!r} does not implement EmbeddingBackend")
    return backend


def get_backend() -> EmbeddingBackend:
    """The configured backend, loaded once per process (NullBackend if it cannot load)."""
    path = backend_path()
    with _lock:
        if path not in _cached:
            try:
                _cached[path] = load_backend(path)
            except EmbeddingUnavailable as exc:
                logger.warning(
                    "embedding backend unavailable, lexical similarity only backend=%s error=%s",
                    path,
                    exc,
                )
                _cached[path] = NullBackend()
            logger.info("embedding backend loaded backend=%s", _cached[path].name)
        return _cached[path]
