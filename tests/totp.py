"""Two-factor codes for tests that log in through a real server or browser."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

WINDOW = 30  # seconds a TOTP code is good for (allauth's default period, no tolerance)


def fresh_code(secret: str, *, at_least: float = 10.0) -> str:
    """The current code, taken with at least `at_least` seconds of its window left: a log-in
    through another process or a browser can take seconds on a busy machine, and a code that
    expires on the way is refused."""
    if WINDOW - time.time() % WINDOW < at_least:
        time.sleep(WINDOW - time.time() % WINDOW + 0.2)
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // WINDOW)))
