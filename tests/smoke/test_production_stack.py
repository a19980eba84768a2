"""The production stack, started from the commands `docker-compose.yml` and the `Dockerfile` run
(read from those files, so the two cannot drift), on PostgreSQL and Redis, walked through over
HTTP as people would: a patient signs up (the confirmation mail is written by the worker to a
folder through EMAIL_URL), confirms, asks; the worker triages; a doctor with two-factor answers
through the API; the patient reads the answer.

Needs PostgreSQL (DATABASE_URL of the run names the server; the test makes its own database)
and runs on its own: `make smoke` (.ci/run calls it after the PostgreSQL pass).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import yaml

from tests.live_services import BASE_DIR, RedisServer, free_port, tail, wait_for

pytestmark = pytest.mark.smoke

HOST = "localhost"
PATIENT = "smoke.patient@example.test"
PASSWORD = "a-long-smoke-test-password"
DOCTOR = "smoke.doctor@example.test"
TOTP_SECRET = "JBSWY3DPEHPK3PXPSMOKETESTSECRETA"
QUESTION = {
    "title": "Calf twitching for three weeks",
    "body": "My left calf has twitched on and off for three weeks, mostly in the evening. "
    "No weakness, no numbness; I drink a lot of coffee.",
    "age_years": 31,
    "sex": "female",
}


def compose_commands() -> dict[str, list[str]]:
    """Each service's command: from docker-compose.yml, and the web's from the Dockerfile."""
    services = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]
    commands = {name: list(spec["command"]) for name, spec in services.items() if "command" in spec}
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    commands["web"] = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    collect = re.search(r"^\s*(python manage\.py collectstatic[^\n]*)$", dockerfile, re.M)
    commands["collectstatic"] = shlex.split(collect.group(1))
    return commands


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.fail("The production smoke test needs DATABASE_URL naming a PostgreSQL server.")
    return url


@dataclass
class Stack:
    env: dict[str, str]
    directory: Path
    mail_dir: Path
    port: int
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, command: list[str], timeout: int = 300) -> str:
        result = subprocess.run(
            command, cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = (self.directory / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def log(self, name: str) -> str:
        return f"{name} log:\n{tail(self.directory / f'{name}.log')}"

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _python(command: list[str]) -> list[str]:
    """A compose command run with this virtualenv's interpreter and tools."""
    bin_dir = Path(sys.executable).parent
    head = command[0]
    if head == "python":
        return [sys.executable, *command[1:]]
    return [str(bin_dir / head), *command[1:]]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    server = urlsplit(_server_url())
    name = f"smoke_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(server._replace(path="/postgres"))
    database = urlunsplit(server._replace(path=f"/{name}"))
    psql = ["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, timeout=60)
    redis = RedisServer(tmp_path)
    redis.start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "OPENCONSULT_", "CELERY_", "EMAIL_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="smoke-" + uuid.uuid4().hex * 2,
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=database,
        CELERY_BROKER_URL=redis.url,
        OPENCONSULT_CACHE_URL=redis.url.rsplit("/", 1)[0] + "/1",
        EMAIL_URL=f"filemail:///{mail_dir}",  # the path after the third slash
        OPENCONSULT_SITE_URL=f"https://{HOST}",
        PYTHONUNBUFFERED="1",
    )
    port = free_port()
    result = Stack(env=env, directory=tmp_path, mail_dir=mail_dir, port=port)
    commands = compose_commands()
    try:
        result.run(_python(commands["migrate"]))
        result.run([sys.executable, "manage.py", *commands["collectstatic"][2:]])
        result.start(
            "web",
            [*_python(commands["web"]), "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        )
        worker = _python(commands["worker"])
        result.start("worker", [*worker, "--hostname", f"smoke-{port}@%h"])
        result.start("beat", [*_python(commands["beat"][:-1]), f"--schedule={tmp_path}/beat"])

        def ready() -> bool:
            # Refused while gunicorn starts, or slow while it loads the model on a busy machine.
            try:
                return _get(result, "/readyz").status_code == 200
            except requests.RequestException:
                return False

        wait_for(ready, timeout=240, what="the web server", details=lambda: result.log("web"))
        yield result
    finally:
        result.stop()
        redis.stop()
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], timeout=60)


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    # What the TLS proxy in front of the site adds.
    return {"Host": HOST, "X-Forwarded-Proto": "https", **(extra or {})}


def _get(stack: Stack, path: str, **kwargs: object) -> requests.Response:
    return requests.get(stack.url + path, headers=_headers(), allow_redirects=False, timeout=30)


class Browser:
    """A session over the proxy's HTTPS: the site's cookies are `Secure`, so they are kept here
    by hand, and every form post carries the CSRF token and an HTTPS Referer."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.cookies: dict[str, str] = {}

    def _send(
        self, method: str, path: str, data: dict[str, str] | None = None
    ) -> requests.Response:
        headers = _headers({"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        if method == "POST":
            headers["Referer"] = f"https://{HOST}{path}"
            headers["Origin"] = f"https://{HOST}"
        response = requests.request(
            method,
            self.stack.url + path,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    def get(self, path: str) -> requests.Response:
        return self._send("GET", path)

    def submit(self, path: str, fields: dict[str, str]) -> requests.Response:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self._send("POST", path, {"csrfmiddlewaretoken": token, **fields})


def _api(
    stack: Stack, method: str, path: str, token: str = "", **body: object
) -> requests.Response:
    headers = _headers({"Authorization": f"Token {token}"} if token else {})
    return requests.request(
        method, stack.url + path, json=body or None, headers=headers, timeout=30
    )


def _confirmation_link(stack: Stack) -> str:
    def mail() -> str:
        for path in sorted(stack.mail_dir.glob("*.log")):
            text = path.read_text()
            if PATIENT in text:
                return text
        return ""

    text = wait_for(
        mail, timeout=60, what="the confirmation e-mail", details=lambda: stack.log("worker")
    )
    return re.search(r"https://localhost(/accounts/confirm-email/[^\s]+/)", text).group(1)


def _code() -> str:
    from tests.totp import fresh_code

    return fresh_code(TOTP_SECRET)


MAKE_DOCTOR = f"""
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from accounts.models import DoctorProfile, DoctorStatus, Role, User
from forum.models import Specialty
doctor = User.objects.create_user(email="{DOCTOR}", password="{PASSWORD}", role=Role.DOCTOR)
EmailAddress.objects.create(user=doctor, email=doctor.email, verified=True, primary=True)
profile = DoctorProfile.objects.create(user=doctor, display_name="Dr. Smoke Test",
    licence_number="SMOKE-1", issuing_authority="Medical Council", country="Ireland",
    status=DoctorStatus.VERIFIED)
profile.specialties.set(Specialty.objects.all())
TOTP.activate(doctor, "{TOTP_SECRET}")
"""


def test_sign_up_ask_triage_answer_and_read_on_the_production_stack(stack):
    assert _get(stack, "/healthz").json() == {"status": "ok"}
    # Plain HTTP (no proxy header) is sent to HTTPS.
    plain = requests.get(stack.url + "/", headers={"Host": HOST}, allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

    patient = Browser(stack)
    signed_up = patient.submit(
        "/accounts/signup/",
        {
            "email": PATIENT,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "birth_year": "1994",
            "sex": "female",
        },
    )
    assert signed_up.status_code == 302, signed_up.text[:2000]
    confirmed = patient.submit(_confirmation_link(stack), {})
    assert confirmed.status_code == 302
    assert patient.get("/me/profile/").status_code == 200  # logged in by the confirmation

    logged_in = _api(stack, "POST", "/api/auth/token/", email=PATIENT, password=PASSWORD)
    token = logged_in.json()["token"]
    asked = _api(stack, "POST", "/api/questions/", token, **QUESTION)
    assert asked.status_code == 201, asked.text
    question = asked.json()["id"]

    def triaged() -> bool:
        body = _api(stack, "GET", f"/api/questions/{question}/", token).json()
        return body["status"] == "queued"

    wait_for(triaged, timeout=90, what="the worker's triage", details=lambda: stack.log("worker"))

    stack.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", MAKE_DOCTOR])
    doctor = _api(
        stack, "POST", "/api/auth/token/", email=DOCTOR, password=PASSWORD, code=_code()
    ).json()["token"]
    assert _api(stack, "POST", f"/api/queue/{question}/claim/", doctor).status_code == 200
    answer = "Twitching like this with no weakness is very often benign; cut down on coffee."
    answered = _api(stack, "POST", f"/api/queue/{question}/answer/", doctor, body=answer)
    assert answered.status_code in (200, 201), answered.text

    read = _api(stack, "GET", f"/api/questions/{question}/", token).json()
    assert read["status"] == "answered"
    assert read["answer"]["body"] == answer
    assert read["answer"]["doctor"] == "Dr. Smoke Test"
    for name in ("web", "worker", "beat"):
        assert stack.processes[name].poll() is None, stack.log(name)
