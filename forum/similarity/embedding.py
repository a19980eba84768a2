"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on the CPU, from files in the repository.

The model and its tokenizer are data files of this package, `forum/similarity/model/` (see the
README there for where they come from and how the model was made). Both are checked against their
SHA-256 when loaded, so a different file is an error rather than a silent change of vector space.
Nothing is downloaded at run time. Heavy imports (numpy, onnxruntime, tokenizers) happen on first
use, not at Django start-up.

The model's 36 weight MatMuls run on int8 weights (MatMulInteger, the activations quantized per
call by DynamicQuantizeLinear), which embeds in about two thirds of the time of float32 MatMuls.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# /2: texts are no longer padded to 128 pieces before pooling (vectors of /1 differ).
# /3: the weight MatMuls run in int8 with dynamically quantized activations (vectors differ
# slightly from /2's float32 MatMuls).
MODEL_VERSION = "all-MiniLM-L6-v2-onnx-int8/3"
DIMENSION = 384
# Titles and the opening of the body carry the question; 128 word pieces keep indexing fast.
DOCUMENT_MAX_TOKENS = 128
# The model's cost grows with length; typed queries are short (the labelled ones in
# tests/forum/similarity/data are at most 25 pieces), and a pasted essay is cut here.
QUERY_MAX_TOKENS = 64
# One text per model run: DynamicQuantizeLinear picks one scale for the whole input tensor, so a
# text run in a batch would get a vector that depends on its neighbours (and their padding),
# up to 0.02 in cosine from the same text run alone, as queries are. Batches of 16 were only
# 12 % faster at indexing.
_BATCH = 1

MODEL_DIR = Path(__file__).resolve().parent / "model"
# Another file means other vectors: change MODEL_VERSION with these.
MODEL_FILE = "all-MiniLM-L6-v2-int8.onnx"
MODEL_SHA256 = "41030aa2ef4b4098dae261e04662e843795bde105912f10429edfeda647be0b0"
TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

logger = logging.getLogger(__name__)


class EmbeddingModelError(RuntimeError):
    """The embedding model or tokenizer is missing or not the pinned file."""


def _verified_bytes(path: Path, sha256: str) -> bytes:
    """The file's bytes, if they are the pinned ones. Reading once and checking what was read
    means the file cannot change between the check and its use."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EmbeddingModelError(
            f"{path} is missing; the embedding model ships with the code (reinstall it)"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise EmbeddingModelError(f"{path} is not the pinned file (sha256 {digest})")
    return data


def model_bytes() -> tuple[bytes, bytes]:
    """(the ONNX model, tokenizer.json), read from `MODEL_DIR` and verified."""
    return (
        _verified_bytes(MODEL_DIR / MODEL_FILE, MODEL_SHA256),
        _verified_bytes(MODEL_DIR / TOKENIZER_FILE, TOKENIZER_SHA256),
    )


def model_files_present() -> bool:
    """Whether the files the embedder loads are on disk (without hashing them), for the
    readiness check (config/health.py)."""
    return all((MODEL_DIR / name).is_file() for name in (MODEL_FILE, TOKENIZER_FILE))


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

                model, tokenizer_json = model_bytes()
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                # Spinning threads make latency erratic on a busy machine shared with the
                # database and other workers; one thread per process scales by processes.
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                # From the verified bytes, not the path: the file could change in between.
                session = onnxruntime.InferenceSession(
                    model, options, providers=["CPUExecutionProvider"]
                )
                tokenizer = Tokenizer.from_str(tokenizer_json.decode())
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
        # Batches of similar length would waste little on padding (see _BATCH on why it is 1).
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
