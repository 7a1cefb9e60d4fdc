"""A private PostgreSQL primary with a streaming hot standby, for the load test's faults.

Both clusters live in one temporary folder, listen on 127.0.0.1 only, on ports of their own,
and are run by the `postgres` OS user (PostgreSQL refuses root). The machine's own cluster is
never touched: the load test restarts these two at will."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("LOTLINE_PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = """
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 5
hot_standby = on
max_connections = 200
shared_buffers = 128MB
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PgPair:
    """`start()` makes and starts both; `url(standby=…)`; `restart(…)`; `stop()` removes all."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="lotline-pgpair-"))
        self.primary_port = free_port()
        self.standby_port = free_port()
        self.dirs = {"primary": self.base / "primary", "standby": self.base / "standby"}

    def url(self, *, standby: bool = False) -> str:
        port = self.standby_port if standby else self.primary_port
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, args: list[str]) -> None:
        subprocess.run(as_postgres(args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, cwd=self.base)

    def _ctl(self, name: str, *args: str) -> None:
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.dirs[name]), "-w", "-t", "60",
                   "-l", str(self.base / f"{name}.log"), *args])

    def _configure(self, name: str, port: int) -> None:
        with (self.dirs[name] / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"{SETTINGS}port = {port}\nunix_socket_directories = '{self.base}'\n")

    def start(self) -> PgPair:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._run([str(PG_BIN / "initdb"), "-D", str(self.dirs["primary"]), "-U", "postgres",
                   "-A", "trust", "--no-sync"])
        self._configure("primary", self.primary_port)
        self._ctl("primary", "start")
        self._run([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p",
                   str(self.primary_port), "-U", "postgres", "-D", str(self.dirs["standby"]),
                   "-R", "-X", "stream", "--no-sync"])
        self._configure("standby", self.standby_port)
        self._ctl("standby", "start")
        return self

    def restart(self, name: str) -> float:
        """Restart one cluster (fast shutdown: sessions are cut); the seconds it took."""
        began = time.monotonic()
        self._ctl(name, "restart", "-m", "fast")
        return time.monotonic() - began

    def stop(self) -> None:
        for name in ("standby", "primary"):
            if (self.dirs[name] / "postmaster.pid").exists():
                subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.dirs[name]),
                                            "-m", "immediate", "stop"]),
                               check=False, capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
