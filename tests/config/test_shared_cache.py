"""With OPENCONSULT_CACHE_URL set, every process shares one Redis cache, so the log-in limits and
the refusal of a used two-factor code hold across web workers: two gunicorn processes on the
same database and a private Redis, attacked in turn."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from accounts.models import User
from tests.factories import make_doctor, make_user
from tests.live_services import (
    BASE_DIR,
    RedisServer,
    database_url,
    free_port,
    service_env,
    tail,
    wait_for,
)
from tests.totp import fresh_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "a-long-test-password"
SECRET = "JBSWY3DPEHPK3PXPSHAREDCACHETESTA"


class Gunicorn:
    def __init__(self, *, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{tail(self.log_path)}")
        try:
            urllib.request.urlopen(f"{self.url}/api/specialties/", timeout=10)  # noqa: S310
        except OSError:  # refused, reset or timed out while it starts
            return False
        return True

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Gunicorn, Gunicorn, RedisServer]]:
    redis = RedisServer(tmp_path)
    redis.start()
    env = service_env(
        database_url=database_url(connection.settings_dict),
        broker_url="",
        OPENCONSULT_CACHE_URL=redis.url,
    )
    servers = [Gunicorn(env=env, log_path=tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            log = server.log_path
            wait_for(server.up, timeout=60, what="gunicorn", details=lambda log=log: tail(log))
        yield servers[0], servers[1], redis
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def _with_site_hasher(user: User) -> User:
    """The tests hash passwords fast (MD5); the servers run the site's settings, which only
    read the real hashers."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "sharedcachesalt")
    user.save(update_fields=["password"])
    return user


def _log_in(server: Gunicorn, **payload: str) -> int:
    request = urllib.request.Request(  # noqa: S310
        f"{server.url}/api/auth/token/",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_failed_log_ins_on_one_process_lock_the_account_on_the_other(two_servers):
    first, second, redis = two_servers
    alice = _with_site_hasher(make_user(email="alice@example.test"))
    statuses = [
        _log_in(server, email=alice.email, password=f"guess-{n}")
        for n, server in enumerate([first, second, first, second, first])
    ]
    assert statuses == [401] * 5
    # Each process alone has seen at most three failures; together they have seen five.
    assert _log_in(second, email=alice.email, password=PASSWORD) == 429
    assert _log_in(first, email=alice.email, password=PASSWORD) == 429
    assert redis.client().dbsize() > 0  # the limit lives in Redis, not in either process


def test_a_two_factor_code_used_on_one_process_is_refused_on_the_other(two_servers):
    first, second, _ = two_servers
    doctor = _with_site_hasher(make_doctor(totp=False, email="doctor@example.test"))
    TOTP.activate(doctor, SECRET)
    code = fresh_code(SECRET)
    assert _log_in(first, email=doctor.email, password=PASSWORD, code=code) == 200
    assert _log_in(second, email=doctor.email, password=PASSWORD, code=code) == 401
