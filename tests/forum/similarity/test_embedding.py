"""The embedding model runs its weight MatMuls in int8, derived once from the pinned file and
cached; a bad cached copy is derived again; processes starting together all get a whole file."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest

from forum.similarity import embedding
from forum.similarity.embedding import (
    Embedder,
    int8_model,
    int8_model_path,
    model_cache_dir,
    model_files,
)
from tests.forum.similarity.helpers import CALF, EYELID, RASH

ROOT = Path(__file__).resolve().parents[3]
# MiniLM-L6 has six layers of six weight MatMuls (query, key, value, output, two feed-forward);
# the other twelve (two per layer) multiply activations by activations and stay float32.
WEIGHT_MATMULS = 36
ATTENTION_MATMULS = 12


@pytest.fixture
def good_copy() -> Path:
    """The int8 model in the default cache, derived there once if need be."""
    int8_model(model_cache_dir())
    return int8_model_path(model_cache_dir())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_loaded_session_runs_the_weight_matmuls_as_integer_kernels(monkeypatch, tmp_path):
    sessions: list[Any] = []
    real_session = onnxruntime.InferenceSession

    def profiled(model: Any, options: Any, **kwargs: Any) -> Any:
        import onnx

        graph_ops = Counter(node.op_type for node in onnx.load_from_string(model).graph.node)
        assert graph_ops["MatMulInteger"] == WEIGHT_MATMULS
        assert graph_ops["DynamicQuantizeLinear"] > 0
        assert graph_ops["MatMul"] == ATTENTION_MATMULS
        options.enable_profiling = True
        options.profile_file_prefix = str(tmp_path / "profile")
        sessions.append(real_session(model, options, **kwargs))
        return sessions[-1]

    monkeypatch.setattr(onnxruntime, "InferenceSession", profiled)
    Embedder().embed(["calf twitching"])
    profile = json.loads(Path(sessions[0].end_profiling()).read_text())
    kernels = Counter(
        event["args"]["op_name"]
        for event in profile
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time")
    )
    # What the runtime actually ran, after fusing DynamicQuantizeLinear + MatMulInteger + scale.
    integer = kernels["MatMulInteger"] + kernels["MatMulIntegerToFloat"]
    assert integer + kernels["DynamicQuantizeMatMul"] == WEIGHT_MATMULS
    assert kernels["MatMul"] + kernels["FusedMatMul"] == ATTENTION_MATMULS


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "empty"])
def test_a_corrupt_cached_model_is_derived_again(settings, tmp_path, good_copy, damage):
    settings.SIMILARITY_MODEL_CACHE = str(tmp_path)
    cached = int8_model_path(tmp_path)
    data = good_copy.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped byte":
        data = data[:1000] + bytes([data[1000] ^ 1]) + data[1001:]
    else:
        data = b""
    cached.write_bytes(data)

    loaded = int8_model(model_cache_dir())

    assert _digest(loaded) == embedding._INT8_SHA256
    assert _digest(cached.read_bytes()) == embedding._INT8_SHA256
    assert sorted(p.name for p in tmp_path.iterdir()) == [cached.name]


def test_deriving_removes_models_of_other_versions_and_logs_no_quantizer_chatter(tmp_path, caplog):
    older = tmp_path / "all-MiniLM-L6-v2-aaaaaaaaaaaa-int8-bbbbbbbbbbbb.onnx"
    older.write_bytes(b"a model derived by an earlier release")
    unrelated = tmp_path / "notes.onnx"
    unrelated.write_bytes(b"not ours")
    caplog.set_level(logging.INFO)

    assert _digest(int8_model(tmp_path)) == embedding._INT8_SHA256

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [int8_model_path(tmp_path).name, "notes.onnx"]
    )
    assert [r for r in caplog.records if "onnxruntime" in r.pathname] == []
    assert any("derived the int8 embedding model" in r.getMessage() for r in caplog.records)
    assert logging.getLogger().filters == []


def test_a_good_cached_model_is_used_as_it_is(monkeypatch, tmp_path, good_copy):
    shutil.copy(good_copy, int8_model_path(tmp_path))

    def derive(*args: object) -> None:
        raise AssertionError("derived again")

    monkeypatch.setattr(embedding, "_derive_int8", derive)
    assert _digest(int8_model(tmp_path)) == embedding._INT8_SHA256


def test_a_derivation_that_differs_from_the_pin_is_an_error(monkeypatch, tmp_path):
    def derive(source: bytes, output: Path) -> None:
        output.write_bytes(b"another quantizer's idea of the model")

    monkeypatch.setattr(embedding, "_derive_int8", derive)
    with pytest.raises(embedding.EmbeddingModelError, match="not the pinned one"):
        int8_model(tmp_path)
    assert list(tmp_path.iterdir()) == []  # no half-made or wrong file left behind


def test_two_processes_loading_at_once_both_get_the_whole_model(tmp_path):
    script = (
        "import sys, hashlib, pathlib, django; django.setup();"
        "from forum.similarity.embedding import int8_model;"
        "print(hashlib.sha256(int8_model(pathlib.Path(sys.argv[1]))).hexdigest())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert out.split()[-1] == embedding._INT8_SHA256
    cached = int8_model_path(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [cached.name]
    assert _digest(cached.read_bytes()) == embedding._INT8_SHA256


def test_int8_vectors_stay_close_to_the_float32_ones_and_keep_their_neighbours():
    texts = [" ".join(pair) for pair in (CALF, EYELID, RASH)] + [
        "My calves keep twitching when I'm stressed",
        "Why does my eyelid flicker after coffee?",
    ]
    int8 = Embedder().embed(texts)
    reference = Embedder()
    source, _ = model_files()
    reference._load().session = onnxruntime.InferenceSession(
        str(source), providers=["CPUExecutionProvider"]
    )
    float32 = reference.embed(texts)

    agreement = np.sum(int8 * float32, axis=1)
    assert agreement.min() > 0.98, agreement
    similarity = int8 @ int8.T
    np.fill_diagonal(similarity, -1.0)
    assert similarity[3].argmax() == 0  # the calf query finds the calf Q&A
    assert similarity[4].argmax() == 1  # the eyelid query the eyelid one
    assert similarity[3, 0] > similarity[3, 2] + 0.2
