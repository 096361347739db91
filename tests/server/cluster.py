"""A Newsstand cluster on loopback: web nodes and workers as child processes, each with its own
data dir, sharing one PostgreSQL database and one Redis database number.

Used by tests/server/test_multinode.py and by the benches that kill and load such a cluster
(bench/chaos.py, bench/soak.py). Nothing here knows pytest: a wait that runs out raises
TimeoutError, and the caller decides whether that fails a test or a bench.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

STOP_TIMEOUT_S = 20
RUN_TIMEOUT_S = 180
WAIT_POLL_S = 0.25
PAGE_SIZE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, check: Callable[[], bool], timeout_s: float) -> float:
    """Seconds until `check()` held (an exception counts as not yet); TimeoutError naming
    `what` after `timeout_s`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(WAIT_POLL_S)
    raise TimeoutError(f"{what}: not within {timeout_s} s")


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server reached as a role that may create databases."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> PostgresServer:
        import psycopg

        info = psycopg.conninfo.conninfo_to_dict(url)
        return cls(
            host=str(info.get("host") or "127.0.0.1"),
            port=int(info.get("port") or 5432),
            user=str(info.get("user") or "postgres"),
            password=str(info["password"]) if info.get("password") else None,
        )

    def url(self, database: str) -> str:
        user = quote(self.user, safe="")
        if self.password:
            user += ":" + quote(self.password, safe="")
        return f"postgres://{user}@{self.host}:{self.port}/{database}"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            dbname="postgres",
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            autocommit=True,
            connect_timeout=5,
        )

    def ping(self) -> None:
        """Raises psycopg.OperationalError when the server does not answer."""
        self._admin().close()

    def recreate(self, database: str) -> str:
        """Drop `database` if it exists, create it empty; its URL."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def drop(self, database: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def redis_db_url(base: str, number: int) -> str:
    """`base` (redis://host:port/any) pointed at database `number`."""
    return base.rsplit("/", 1)[0] + f"/{number}" if base.count("/") > 2 else f"{base}/{number}"


def cluster_env(
    *, database_url: str, redis_url: str, secret_key: str, **extra: str
) -> dict[str, str]:
    """What every node of the cluster gets: this environment without any NEWSSTAND_ or DJANGO_
    variable (but the shared corpus), then the cluster's settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSSTAND_", "DJANGO_"))}
    if os.environ.get("NEWSSTAND_SHARED_DATA"):
        base["NEWSSTAND_SHARED_DATA"] = os.environ["NEWSSTAND_SHARED_DATA"]
    return base | {
        "NEWSSTAND_DATABASE_URL": database_url,
        "NEWSSTAND_TASK_QUEUE_URL": redis_url,
        "NEWSSTAND_CACHE_URL": redis_url,
        "NEWSSTAND_SECRET_KEY": secret_key,
        "NEWSSTAND_SINGLE_NODE": "0",
        "NEWSSTAND_ALLOW_PRIVATE_URLS": "1",
        "NEWSSTAND_LOG_FORMAT": "json",
        **extra,
    }


def session_rss_kib(sid: int) -> int:
    """Resident memory of every process in session `sid` (a node and its children), in KiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command (which may hold spaces): state ppid pgrp session ...
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) != sid:
                continue
            total += int((entry / "statm").read_text().split()[1]) * PAGE_SIZE_KIB
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return total


@dataclass
class Cluster:
    """Nodes started with `start` / `start_web`, each in a session of its own (so a kill -9 of
    the session takes a web node's gunicorn workers with it), logging to `root/<name>.log`."""

    env: dict[str, str]
    root: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    commands: dict[str, tuple[tuple[str, ...], dict[str, str]]] = field(default_factory=dict)

    def node_env(self, name: str, **extra: str) -> dict[str, str]:
        data_dir = self.root / name
        data_dir.mkdir(exist_ok=True)
        return {**self.env, "NEWSSTAND_DATA_DIR": str(data_dir), **extra}

    def run(self, *args: str, stdin: str | None = None) -> str:
        """`newsstand ARGS` to the end (an admin's command); its output. AssertionError with the
        output's tail when it fails."""
        done = subprocess.run(
            [sys.executable, "-m", "newsstand", *args],
            env=self.node_env("admin"),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done.stdout

    def start(self, name: str, *args: str, **extra: str) -> None:
        self.commands[name] = (args, extra)
        log = (self.root / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "newsstand", *args],
            env=self.node_env(name, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child holds its own copy

    def start_web(self, name: str, *, web_workers: int = 1, **extra: str) -> str:
        """A web node (`up --no-worker`) on a free loopback port; its base URL."""
        port = self.ports[name] = free_port()
        self.start(
            name,
            "up",
            "--no-worker",
            "--bind",
            f"127.0.0.1:{port}",
            "--web-workers",
            str(web_workers),
            **extra,
        )
        return self.base_url(name)

    def base_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-4000:]

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def kill(self, name: str) -> int:
        """kill -9 of the node's whole session (a web node's gunicorn workers too), as a crash of
        its machine would; the pid that was killed."""
        proc = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return proc.pid

    def restart(self, name: str) -> None:
        """Start `name` again as it was first started (a web node on the same port)."""
        args, extra = self.commands[name]
        self.start(name, *args, **extra)

    def rss_kib(self, name: str) -> int:
        """The node's resident memory: its processes together (gunicorn's master and workers)."""
        return session_rss_kib(self.processes[name].pid)

    def stop_all(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
