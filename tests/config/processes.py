"""`manage.py` in a process of its own, with an environment the test chose: settings are read
once per process, so a setting's effect at start-up can only be seen in a new one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(
    *args: str, env: dict[str, str] | None = None, clean: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `manage.py *args` with this environment less every variable starting with one of
    `clean`, plus `env` (an empty value removes the variable)."""
    environment = {k: v for k, v in os.environ.items() if not (clean and k.startswith(clean))}
    environment.update(env or {})
    environment = {k: v for k, v in environment.items() if v}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def shell(code: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run Python `code` in `manage.py shell`."""
    return manage("shell", "--no-imports", "-c", code, **kwargs)  # type: ignore[arg-type]
