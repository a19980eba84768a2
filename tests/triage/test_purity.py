from __future__ import annotations

import ast
from pathlib import Path

import triage

FORBIDDEN = ("django", "rest_framework", "celery")
PACKAGE = Path(triage.__file__).parent


def _engine_modules() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if p.name != "apps.py" and "management" not in p.relative_to(PACKAGE).parts
    ]


def test_engine_modules_import_no_web_framework() -> None:
    offenders = []
    for path in _engine_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(_engine_modules()) >= 5
