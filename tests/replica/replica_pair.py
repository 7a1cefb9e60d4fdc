"""A PostgreSQL primary and its hot standby of the test run's own, on free ports of 127.0.0.1.

Plain initdb and pg_ctl into a temporary directory (`lotline-replica-<pid>-…`), not Debian's
pg_createcluster: nothing is registered with the system (no /etc/postgresql entry that a
crashed run would leave behind), the machine's main cluster and its configuration are never
touched, and removing the directory removes everything. PostgreSQL refuses to run as root, so
as root the server binaries run as the `postgres` user (runuser); as anyone else, as that
user. A run killed before its cleanup leaves a directory whose pid is dead: the next run stops
its servers and removes it."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PREFIX = "lotline-replica-"


def server_bin() -> Path | None:
    """The newest PostgreSQL server's bin directory with initdb, pg_ctl and pg_basebackup."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                        else 0)
    for path in reversed(candidates):
        if all((Path(path) / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return Path(path)
    return None


def unavailable_reason() -> str | None:
    """Why a pair cannot be made here (None: it can)."""
    if server_bin() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) under " \
               "/usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as `postgres`"
        if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode != 0:
            return "running as root and there is no `postgres` user to run PostgreSQL"
    return None


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str], timeout: float = 60) -> None:
    done = subprocess.run(_as_server_user(args), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Pair:
    base: Path
    bin: Path
    primary_port: int
    standby_port: int

    @property
    def primary_dir(self) -> Path:
        return self.base / "primary"

    @property
    def standby_dir(self) -> Path:
        return self.base / "standby"

    def url(self, port: int) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def standby_url(self) -> str:
        return self.url(self.standby_port)

    def pg_ctl(self, data: Path, *action: str) -> None:
        _run([str(self.bin / "pg_ctl"), "-D", str(data), "-l", f"{data}.log", "-w", "-t", "30",
              *action])

    def stop_standby(self) -> None:
        self.pg_ctl(self.standby_dir, "stop", "-m", "fast")

    def start_standby(self) -> None:
        self.pg_ctl(self.standby_dir, "start")


def start_pair() -> Pair:
    clean_stale()
    bin_dir = server_bin()
    assert bin_dir is not None
    base = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    pair = Pair(base, bin_dir, free_port(), free_port())
    try:
        _start(pair)
    except BaseException:
        stop_pair(pair)
        raise
    return pair


def _start(pair: Pair) -> None:
    _run([str(pair.bin / "initdb"), "-D", str(pair.primary_dir), "-U", "postgres",
          "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
    # initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
    _configure(pair.primary_dir, pair.primary_port, pair.base,
               "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
    pair.pg_ctl(pair.primary_dir, "start")
    _run([str(pair.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(pair.primary_port),
          "-U", "postgres", "-D", str(pair.standby_dir), "-R", "-X", "stream",
          "--checkpoint=fast", "--no-sync"])
    # pg_basebackup -R wrote standby.signal and primary_conninfo; a later `port` line wins.
    _configure(pair.standby_dir, pair.standby_port, pair.base,
               "hot_standby = on\nhot_standby_feedback = on\n")
    pair.start_standby()


def _configure(data: Path, port: int, socket_dir: Path, extra: str) -> None:
    settings = (f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{socket_dir}'\nshared_buffers = 16MB\n"
                f"max_connections = 60\n{extra}")
    _run(["sh", "-c", f"cat >> '{data}/postgresql.conf' <<'EOF'\n{settings}EOF\n"])


def stop_pair(pair: Pair) -> None:
    for data in (pair.standby_dir, pair.primary_dir):
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                pair.pg_ctl(data, "stop", "-m", "immediate")
    shutil.rmtree(pair.base, ignore_errors=True)


def clean_stale() -> None:
    """Stop and remove the pairs of runs whose process is gone (killed before cleanup)."""
    bin_dir = server_bin()
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{PREFIX}*-*")):
        pid = Path(path).name[len(PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)) or bin_dir is None:
            continue
        stop_pair(Pair(Path(path), bin_dir, 0, 0))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not hold in time")
        time.sleep(0.02)
