"""A private pgbouncer in transaction pooling mode, in front of the test PostgreSQL, for the
tests that show lotline works behind one (DESIGN §9, issue 18).

It listens on a free 127.0.0.1 port with its own ini and userlist in a temporary directory
(auth_type=trust: the test cluster trusts 127.0.0.1 already). pgbouncer refuses to run as
root, so as root it is started with `-u nobody`. Transaction mode hands each transaction to
any server session; `server_round_robin` with a few sessions kept open makes consecutive
transactions of one client land on different sessions, so whatever lotline left on a
session (a prepared statement, a TEMP table, a SET) is missed at once instead of by luck.

pgbouncer 1.18 refuses the `options` startup parameter, which the test suite uses to choose
a run's schema; here the schema is set on each server session by `connect_query` instead."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import lotline
from lotline.adapters.db import make_engine
from lotline.adapters.migrate import upgrade
from lotline.bootstrap import Services
from lotline.config import PoolSettings

PGBOUNCER = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer"
                                          if Path("/usr/sbin/pgbouncer").exists() else None)
SERVER_SESSIONS = 4
ALIAS = "lotline"


@dataclass
class Bouncer:
    process: subprocess.Popen[bytes]
    directory: Path
    port: int
    user: str

    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{ALIAS}"

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_bouncer(postgres_url: str, schema: str) -> Bouncer:
    """pgbouncer in transaction mode, its database `lotline` = the URL's database with
    `schema` as search_path. Call only when PGBOUNCER is not None."""
    assert PGBOUNCER is not None
    upstream = make_url(postgres_url)
    user = upstream.username or "postgres"
    directory = Path(tempfile.mkdtemp(prefix="lotline-pgbouncer-"))
    os.chmod(directory, 0o777)  # the unprivileged user writes its log and pid file here
    port = _free_port()
    (directory / "userlist.txt").write_text(f'"{user}" ""\n')
    (directory / "pgbouncer.ini").write_text(f"""[databases]
{ALIAS} = host={upstream.host or '127.0.0.1'} port={upstream.port or 5432} \
dbname={upstream.database} user={user} connect_query='SET search_path TO {schema}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / 'userlist.txt'}
pool_mode = transaction
default_pool_size = {SERVER_SESSIONS}
min_pool_size = {SERVER_SESSIONS}
server_round_robin = 1
max_client_conn = 200
logfile = {directory / 'pgbouncer.log'}
pidfile = {directory / 'pgbouncer.pid'}
""")
    for name in ("userlist.txt", "pgbouncer.ini"):
        os.chmod(directory / name, 0o644)
    as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
    process = subprocess.Popen([PGBOUNCER, *as_user, str(directory / "pgbouncer.ini")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    bouncer = Bouncer(process, directory, port, user)
    _wait_listening(bouncer)
    return bouncer


def _wait_listening(bouncer: Bouncer, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if bouncer.process.poll() is not None:
            _, err = bouncer.process.communicate()
            raise RuntimeError(f"pgbouncer exited ({bouncer.process.returncode}): "
                               f"{err.decode(errors='replace')} {bouncer.log()}")
        try:
            socket.create_connection(("127.0.0.1", bouncer.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    bouncer.stop()
    raise RuntimeError(f"pgbouncer did not listen within {seconds} s: {bouncer.log()}")


class BouncedDatabase:
    """What the suite's `database` fixture gives, through a private pgbouncer: a schema of
    its own on the test server, migrated through pgbouncer, and an engine made as lotline
    makes one with LOTLINE_DATABASE_PGBOUNCER=1."""

    backend = "postgresql"

    def __init__(self, postgres_url: str) -> None:
        self.schema = f"lotline_test_{uuid.uuid4().hex[:12]}"
        self.admin_engine = create_engine(postgres_url)
        with self.admin_engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.bouncer = start_bouncer(postgres_url, self.schema)
        self.url = self.bouncer.url()
        self.engine = make_engine(self.url, pool=PoolSettings(transaction_pooling=True))
        upgrade(self.engine)

    def services(self, **kwargs: Any) -> Services:
        name = f"test-{uuid.uuid4().hex[:12]}"
        return lotline.create_services(organization=name, engine=self.engine, **kwargs)

    def close(self) -> None:
        self.engine.dispose()
        self.bouncer.stop()
        with self.admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin_engine.dispose()


def bounced_database() -> Iterator[BouncedDatabase]:
    """The body of a `database` fixture overridden in a module: skips, naming why, without
    PostgreSQL or pgbouncer."""
    postgres_url = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
    if not postgres_url:
        pytest.skip("LOTLINE_TEST_POSTGRES_URL is not set: the pgbouncer tests need PostgreSQL")
    if PGBOUNCER is None:
        pytest.skip("pgbouncer is not installed (Debian: apt-get install pgbouncer): the "
                    "transaction-pooling tests are not run")
    database = BouncedDatabase(postgres_url)
    try:
        yield database
    finally:
        database.close()
