"""`newsstand up`: the web server and the background worker together, from one command.

Two child processes, gunicorn (2 sync workers by default: measured fastest at p99 here, see
docs/decisions.md) and `newsstand worker`, in one process group. Ctrl-C or SIGTERM stops both; if
either dies, the other is stopped too, so a half-running Newsstand never goes unnoticed.
`--no-worker` starts the web server alone, for web nodes whose workers run elsewhere.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from newsstand.server import metrics

DEFAULT_BIND = "127.0.0.1:8000"
READY_TIMEOUT_S = 30
STOP_GRACE_S = 10
POLL_S = 0.2


class Command(BaseCommand):
    help = "Start Newsstand: web server and background worker together. Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=DEFAULT_BIND, help="HOST:PORT (default %(default)s)")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument(
            "--task-workers", type=int, default=None, help="the worker's threads (its --threads)"
        )
        parser.add_argument("--no-worker", action="store_true", help="Web server only.")

    def handle(self, *args: Any, **options: Any) -> None:
        bind: str = options["bind"]
        host, sep, port = bind.rpartition(":")
        if not sep or not port.isdigit():
            raise CommandError(f"--bind {bind!r}: expected HOST:PORT, e.g. 127.0.0.1:8000")
        self._refuse_unmigrated()

        # Counts of an earlier run's processes are dropped (the node restarted).
        metrics.clear_process_files()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsstand.settings"}
        children: dict[str, subprocess.Popen[bytes]] = {
            "web": subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
                gunicorn_argv(bind, options["web_workers"]), env=env
            )
        }
        if not options["no_worker"]:
            worker = [sys.executable, "-m", "newsstand", "worker"]
            if options["task_workers"]:
                worker += ["--threads", str(options["task_workers"])]
            children["worker"] = subprocess.Popen(worker, env=env)  # noqa: S603 - fixed argv

        stopping = False

        def on_signal(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)

        url = f"http://{_reachable_host(host)}:{port}/"
        if self._wait_ready(url, children):
            self.stdout.write(self.style.SUCCESS(f"Newsstand is up at {url} (admin: {url}admin/)"))
            if "worker" in children:
                self._catch_up()
        exit_code = 0
        while not stopping:
            dead = [name for name, p in children.items() if p.poll() is not None]
            if dead:
                self.stderr.write(f"The {dead[0]} process stopped; stopping Newsstand.")
                exit_code = 1
                break
            time.sleep(POLL_S)
        self._stop(children)
        if exit_code:
            raise CommandError("stopped because a child process exited")
        self.stdout.write("Newsstand stopped.")

    def _refuse_unmigrated(self) -> None:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        connection.close()
        if pending:
            raise CommandError(
                f"{len(pending)} database migration(s) are not applied; "
                "run `newsstand migrate` first."
            )

    def _wait_ready(self, url: str, children: dict[str, subprocess.Popen[bytes]]) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in children.values()):
                return False
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2) as resp:  # noqa: S310 - our own server
                    if resp.status == 200:
                        return True
            except OSError:
                time.sleep(POLL_S)
        self.stderr.write(f"The web server did not answer at {url} within {READY_TIMEOUT_S} s.")
        return False

    def _catch_up(self) -> None:
        # Feeds that fell due while Newsstand was down are polled now, not at the next minute.
        from newsstand.ingest.tasks import tick_task

        tick_task.enqueue()
        connection.close()

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for p in children.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S + 5
        for p in children.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def gunicorn_argv(bind: str, web_workers: int) -> list[str]:
    """gunicorn's command line for this site's settings."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "newsstand.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(web_workers),
        "--graceful-timeout",
        str(STOP_GRACE_S),
        # X-Forwarded-Proto is believed from the proxies in front only, and with none from no one.
        "--forwarded-allow-ips",
        ",".join(settings.TRUSTED_PROXY_IPS) if settings.ALLAUTH_TRUSTED_PROXY_COUNT else "",
        # Load the app (and its imports, see wsgi.py) once in the master: workers
        # fork ready to answer and share those pages of memory.
        "--preload",
    ]
    if settings.LOG_FORMAT != "json":
        # In JSON mode the request middleware logs each request itself, with its id.
        argv += ["--access-logfile", "-"]
    return argv


def _reachable_host(bind_host: str) -> str:
    """Where to reach a server bound to bind_host from this machine."""
    if bind_host in {"", "0.0.0.0", "[::]"}:  # noqa: S104 - naming the wildcard, not binding it
        return "127.0.0.1"
    return bind_host
