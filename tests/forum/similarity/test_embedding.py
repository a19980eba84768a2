"""The embedding model ships in the repository, is checked against its SHA-256 when loaded, runs
its weight MatMuls as integer kernels, and gives vectors close to the float32 ones."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest

from forum.similarity import embedding
from forum.similarity.embedding import Embedder, EmbeddingModelError, model_bytes

ROOT = Path(__file__).resolve().parents[3]
DATA = Path(__file__).parent / "data"
# MiniLM-L6 has six layers of six weight MatMuls (query, key, value, output, two feed-forward);
# the other twelve (two per layer) multiply activations by activations and stay float32.
WEIGHT_MATMULS = 36
ATTENTION_MATMULS = 12


def test_the_shipped_files_are_the_pinned_ones():
    model, tokenizer = model_bytes()
    assert hashlib.sha256(model).hexdigest() == embedding.MODEL_SHA256
    assert hashlib.sha256(tokenizer).hexdigest() == embedding.TOKENIZER_SHA256
    # The README next to the files states the same digests, for someone checking by hand.
    readme = (embedding.MODEL_DIR / "README.md").read_text()
    assert embedding.MODEL_SHA256 in readme
    assert embedding.TOKENIZER_SHA256 in readme


@pytest.mark.slow  # builds a wheel with pip
def test_the_wheel_carries_the_model_files(tmp_path):
    """What `pip install .` (the Dockerfile) installs: the package data must include the model.
    Built from a copy of what the Dockerfile copies, so the checkout gets no build folder."""
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for package in ("config", "accounts", "forum", "triage"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("openconsult-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in (embedding.MODEL_FILE, embedding.TOKENIZER_FILE):
            member = f"forum/similarity/model/{name}"
            assert member in names
            digest = hashlib.sha256(archive.read(member)).hexdigest()
            pinned = (
                embedding.MODEL_SHA256
                if name == embedding.MODEL_FILE
                else (embedding.TOKENIZER_SHA256)
            )
            assert digest == pinned


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "empty", "missing"])
def test_a_damaged_model_file_is_refused_with_a_clear_error(monkeypatch, tmp_path, damage):
    shutil.copytree(embedding.MODEL_DIR, tmp_path, dirs_exist_ok=True)
    target = tmp_path / embedding.MODEL_FILE
    data = target.read_bytes()
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        target.write_bytes(data[:1000] + bytes([data[1000] ^ 1]) + data[1001:])
    elif damage == "empty":
        target.write_bytes(b"")
    else:
        target.unlink()
    monkeypatch.setattr(embedding, "MODEL_DIR", tmp_path)

    expected = "is missing" if damage == "missing" else "is not the pinned file"
    with pytest.raises(EmbeddingModelError, match=expected):
        Embedder().embed(["calf twitching"])
    assert embedding.model_files_present() is (damage != "missing")


def test_a_damaged_tokenizer_is_refused(monkeypatch, tmp_path):
    shutil.copytree(embedding.MODEL_DIR, tmp_path, dirs_exist_ok=True)
    tokenizer = tmp_path / embedding.TOKENIZER_FILE
    tokenizer.write_text(tokenizer.read_text().replace('"[UNK]"', '"[UNKNOWN]"', 1))
    monkeypatch.setattr(embedding, "MODEL_DIR", tmp_path)
    with pytest.raises(EmbeddingModelError, match=r"tokenizer\.json is not the pinned file"):
        Embedder().embed(["calf twitching"])


def test_the_loaded_session_runs_the_weight_matmuls_as_integer_kernels(monkeypatch, tmp_path):
    sessions: list[Any] = []
    real_session = onnxruntime.InferenceSession

    def profiled(model: Any, options: Any, **kwargs: Any) -> Any:
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


def test_int8_vectors_stay_close_to_the_float32_ones_and_keep_their_neighbours():
    # Vectors of the same texts from the model with its weight MatMuls in float32, kept as data.
    reference = json.loads((DATA / "float32_reference.json").read_text())
    int8 = Embedder().embed(reference["texts"])
    float32 = np.array(reference["vectors"], dtype=np.float32)

    agreement = np.sum(int8 * float32, axis=1)
    assert agreement.min() > 0.98, agreement
    similarity = int8 @ int8.T
    np.fill_diagonal(similarity, -1.0)
    assert similarity[3].argmax() == 0  # the calf query finds the calf Q&A
    assert similarity[4].argmax() == 1  # the eyelid query the eyelid one
    assert similarity[3, 0] > similarity[3, 2] + 0.2
