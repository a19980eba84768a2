"""Real services for the tests and benchmarks that need them.

A private `redis-server` on a free port (so stopping it never disturbs anyone else's Redis), a
real `celery worker` process pointed at a given database and broker, and a switch that points this
process's Celery app at that broker.

Imported by the worker too (`-I tests.live_services`): with `OPENCONSULT_LIVE_DIR` set, each
triage attempt is recorded there, and `OPENCONSULT_LIVE_PAUSE` makes the first attempt stop inside
its transaction (`in_transaction`) or after its commit but before the acknowledgement
(`after_commit`), long enough for a test to kill the child process running it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

BASE_DIR = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
TRIAGE_TASK = "forum.tasks.triage_question"
# Far longer than any test waits: a paused attempt only ends by being killed.
PAUSE_SECONDS = 120

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    predicate: Callable[[], T], *, timeout: float, what: str, details: Callable[[], str] = str
) -> T:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"Waited {timeout:.0f} s for {what}.\n{details()}")
        time.sleep(0.05)


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class RedisServer:
    """A throwaway redis-server: no persistence, so a restart comes back empty, like a new one."""

    def __init__(self, directory: Path) -> None:
        if not os.path.exists(REDIS_SERVER):
            raise RuntimeError(
                "redis-server is needed for the real-service tests: apt-get install -y redis-server"
            )
        self.directory = directory
        self.port = free_port()
        self.log_path = directory / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.log_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._up_or_exited, timeout=15, what="redis-server", details=self.log)
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited at start-up:\n{self.log()}")

    def _up_or_exited(self) -> bool:
        return self.ping() or (self.process is not None and self.process.poll() is not None)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def stop(self) -> None:
        """Shut the server down (refused connections from now on) and wait until it has gone."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def freeze(self) -> None:
        """Stop answering without closing anything: clients see timeouts, not refusals."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def log(self) -> str:
        return tail(self.log_path)


class CeleryWorker:
    """`celery -A config worker --pool=prefork` in its own process group, output to a file."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        concurrency: int = 2,
        include: tuple[str, ...] = (),
    ) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.concurrency = concurrency
        self.include = include
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--loglevel=INFO",
            "--hostname",
            f"live-{os.getpid()}-{self.log_path.stem}@%h",
            # Nothing to gossip with or mingle with: these only delay start-up.
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        for module in self.include:
            command += ["--include", module]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(self._ready_or_exited, timeout=60, what="the worker", details=self.log)
        except TimeoutError:
            self.stop()
            raise
        if self.process.poll() is not None:
            raise RuntimeError(f"The worker exited at start-up:\n{self.log()}")

    def _ready_or_exited(self) -> bool:
        assert self.process is not None
        return self.process.poll() is not None or " ready." in self.log_path.read_text(
            errors="replace"
        )

    def children(self) -> list[int]:
        """The pool's child processes (the ones that run tasks)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # The command name may hold spaces; the parent pid follows its closing ")".
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        """Cold shutdown; whatever is left of the process group is killed."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def log(self) -> str:
        return "worker log:\n" + tail(self.log_path)


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL for another process to reach the database of `settings_dict`."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("Another process cannot share an in-memory SQLite database.")
        return f"sqlite:///{name}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(str(settings_dict['NAME']))}"
    raise RuntimeError(f"No DATABASE_URL form for {engine}")


def service_env(*, database_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker on that database and broker, with the site's real settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCONSULT_LIVE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _drop_pools(app: Any) -> None:
    from kombu import pools

    # kombu keeps producer pools in a global registry keyed by connection: a pool closed below
    # would otherwise be handed out again for the same broker address.
    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")  # a cached property: only reset it if it was built
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None


@contextlib.contextmanager
def celery_sends_to(app: Any, broker_url: str) -> Iterator[None]:
    """Make this process's Celery app send tasks to `broker_url` instead of running them here.

    The app reads its configuration from Django settings once, and Celery prefers the
    CELERY_BROKER_URL environment variable (set in CI) to any configuration: both are switched,
    and pooled connections to the old broker closed, on the way in and on the way out.
    """
    saved_conf = {
        "broker_url": app.conf.get("broker_url"),
        "task_always_eager": app.conf.task_always_eager,
    }
    saved_env = {name: os.environ.get(name) for name in _BROKER_ENV}
    _drop_pools(app)
    for name in _BROKER_ENV:
        os.environ.pop(name, None)
    os.environ["CELERY_BROKER_URL"] = broker_url
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    try:
        # Never let a test's tasks leak into a shared broker.
        connection = app.connection_for_write()
        wanted = urlsplit(broker_url)
        if (connection.hostname, connection.port) != (wanted.hostname, wanted.port):
            raise RuntimeError(f"Tasks would go to {connection.as_uri()}, not to {broker_url}")
        yield
    finally:
        _drop_pools(app)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        app.conf.update(saved_conf)


_BROKER_ENV = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")


# --- Loaded inside the worker (`--include tests.live_services`) --------------------------------


def attempts(directory: Path, event: str = "start") -> list[tuple[int, int]]:
    """(question id, pid) of each triage attempt the worker recorded, in order."""
    path = directory / "attempts.log"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        name, question_id, pid = line.split()
        if name == event:
            rows.append((int(question_id), int(pid)))
    return rows


def paused_pid(directory: Path) -> int | None:
    """The pid of the child stopped by OPENCONSULT_LIVE_PAUSE, once it has stopped."""
    path = directory / "paused"
    return int(path.read_text()) if path.exists() else None


def loaded_at_start(directory: Path) -> dict[int, dict[str, Any]]:
    """Per pool process (pid): what it had from the main process at the fork (the model, the
    knowledge base, the index) and its memory once started, before any task (MB)."""
    path = directory / "children.log"
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return {row.pop("pid"): row for row in rows}


def process_memory(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages split between the processes sharing them) and private memory."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0])
    private = fields["Private_Clean"] + fields["Private_Dirty"]
    return {
        "rss_mb": round(fields["Rss"] / 1024, 1),
        "pss_mb": round(fields["Pss"] / 1024, 1),
        "private_mb": round(private / 1024, 1),
    }


def _install_worker_hooks(directory: Path, pause: str) -> None:
    from celery.signals import task_postrun, task_prerun, worker_process_init

    loaded_at_fork: dict[str, bool] = {}

    def note_loaded_at_fork() -> None:
        """Right after the fork, in the new process, before Celery's or the project's start-up
        code runs in it: what came with the fork from the main process."""
        from forum.similarity import embedding, vector_index
        from triage.engine import knowledge_base

        embedder = embedding._embedder
        index = vector_index._index
        loaded_at_fork.update(
            embedder=embedder is not None and embedder._runtime is not None,
            knowledge_base=knowledge_base.cache_info().currsize == 1,
            index=index is not None and index._loaded,
        )

    os.register_at_fork(after_in_child=note_loaded_at_fork)

    def record_loaded_at_start() -> None:
        """A pool process, started: what it had at the fork, and its memory now."""
        row = {"pid": os.getpid(), **loaded_at_fork, **process_memory(os.getpid())}
        with (directory / "children.log").open("a") as log:
            log.write(json.dumps(row) + "\n")

    def record(event: str, question_id: object) -> None:
        # One short O_APPEND write per line: lines from both children never interleave.
        with (directory / "attempts.log").open("a") as log:
            log.write(f"{event} {question_id} {os.getpid()}\n")

    def pause_first_attempt() -> None:
        try:
            os.close(os.open(directory / "pause.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return  # only the first attempt stops; the redelivered one runs through
        scratch = directory / f"paused.{os.getpid()}"
        scratch.write_text(str(os.getpid()))
        scratch.rename(directory / "paused")  # the test never reads a half-written pid
        time.sleep(PAUSE_SECONDS)

    @task_prerun.connect(weak=False)
    def on_prerun(sender: Any = None, args: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == TRIAGE_TASK:
            record("start", args[0])

    @task_postrun.connect(weak=False)
    def on_postrun(sender: Any = None, args: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == TRIAGE_TASK:
            record("end", args[0])
            if pause == "after_commit":
                # The task has returned; the parent acknowledges the message only after this.
                pause_first_attempt()

    @worker_process_init.connect(weak=False)
    def in_each_child(**kwargs: Any) -> None:
        record_loaded_at_start()
        if pause != "in_transaction":
            return
        from forum import services

        assess = services.assess_question

        def assess_after_pause(question: Any) -> Any:
            # Called by question_triage with the question row locked and nothing committed.
            pause_first_attempt()
            return assess(question)

        services.assess_question = assess_after_pause


# Only a worker started with CeleryWorker(env=service_env(..., OPENCONSULT_LIVE_DIR=...)) has it.
if os.environ.get("OPENCONSULT_LIVE_DIR"):
    _install_worker_hooks(
        Path(os.environ["OPENCONSULT_LIVE_DIR"]), os.environ.get("OPENCONSULT_LIVE_PAUSE", "")
    )
