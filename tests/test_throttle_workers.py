"""Sign-in throttling holds across gunicorn workers.

Failed sign-ins are stored in the sign_in_failure table, not in a worker's memory,
so the per-account limit (THROTTLE_PER_ACCOUNT, 5 by default) must trip at the same
attempt whether one process or three gunicorn workers serve the requests. The test
runs real gunicorn processes against a scratch database (a SQLite file, or a database
of its own on the PostgreSQL server named by TEST_DATABASE_URL) and talks to them
over HTTP, one new TCP connection per request, so the workers take turns. gunicorn's
access log (`%(p)s` is the serving worker's pid) shows which worker answered each
attempt; nothing is added to the app. The one-process baseline is the Flask test
client on the same database.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import pytest

from app.accounts.services import BAD_CREDENTIALS, THROTTLE_MESSAGE
from app.settings import Settings
from tests._served_app import DB_URL_ENV, build_app, scratch_database
from tests.conftest import csrf_from
from tests.factories import PASSWORD, Factory

REPO = Path(__file__).resolve().parents[1]
LIMIT = Settings.THROTTLE_PER_ACCOUNT  # the app's default: the tests use no override
EXPECTED = ["wrong password"] * LIMIT + ["throttled"]
SIGN_IN = "/account/sign-in"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


# Database --------------------------------------------------------------------


@dataclass
class ThrottleDb:
    url: str
    emails: list[str]


@pytest.fixture
def throttle_db(tmp_path, monkeypatch) -> Iterator[ThrottleDb]:
    """Schema plus a few active users, all with the password PASSWORD."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    with scratch_database(tmp_path, "throttle") as url:
        app = build_app(url)
        from app.extensions import db

        with app.app_context():
            db.create_all()
        make = Factory(app)
        emails = [make.user(email=f"worker-test-{i}@example.test").email for i in range(5)]
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        yield ThrottleDb(url, emails)


# gunicorn ---------------------------------------------------------------------


@dataclass
class Server:
    workers: int
    proc: subprocess.Popen
    error_log: Path
    access_log: Path
    output: IO[bytes]
    port: int = 0

    def _log_text(self, path: Path) -> str:
        return path.read_text(errors="replace") if path.exists() else ""

    def fail(self, why: str):
        pytest.fail(f"gunicorn -w {self.workers}: {why}\n{self._log_text(self.error_log)[-4000:]}")

    def wait_ready(self, deadline: float) -> None:
        """Wait for the port, then for /healthz answered by every worker."""
        while not self.port:
            if self.proc.poll() is not None:
                self.fail("exited while starting")
            m = LISTENING.search(self._log_text(self.error_log))
            if m:
                self.port = int(m.group(1))
            elif time.monotonic() > deadline:
                self.fail("never started listening")
            else:
                time.sleep(0.05)
        while len(self.pids("GET /healthz 200")) < self.workers:
            if self.proc.poll() is not None:
                self.fail("exited while starting")
            if time.monotonic() > deadline:
                self.fail(f"only workers {self.pids('GET /healthz 200')} answered /healthz")
            try:
                Client(self).request("GET", "/healthz")
            except OSError:
                time.sleep(0.1)

    def pids(self, what: str) -> list[str]:
        """Worker pids, in log order, of the access-log lines containing `what`."""
        lines = self._log_text(self.access_log).splitlines()
        return [line.split()[0] for line in lines if what in line]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: graceful shutdown of master and workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.output.close()


def _no_control_socket() -> list[str]:
    """gunicorn 24+ opens a control socket in ~/.gunicorn; test servers need none."""
    from gunicorn.config import KNOWN_SETTINGS

    return (
        ["--no-control-socket"]
        if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)
        else []
    )


@pytest.fixture
def serve(throttle_db, tmp_path):
    """Start gunicorn against the scratch database; every server is stopped afterwards,
    before the database goes (this fixture depends on `throttle_db`)."""
    servers: list[Server] = []

    def start(workers: int) -> Server:
        name = f"gunicorn-w{workers}"
        error_log, access_log = tmp_path / f"{name}.err", tmp_path / f"{name}.access"
        out = open(tmp_path / f"{name}.out", "wb")  # noqa: SIM115 - closed by Server.stop
        env = {
            **os.environ,
            DB_URL_ENV: throttle_db.url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            "127.0.0.1:0",  # the OS picks a free port; read back from the log
            "--error-logfile",
            str(error_log),
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            *_no_control_socket(),
            "tests._served_app:app",
        ]
        try:
            proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        except BaseException:
            out.close()
            raise
        server = Server(workers, proc, error_log, access_log, out)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# HTTP -------------------------------------------------------------------------


class Client:
    """A browser-like cookie jar; each request opens (and closes) its own connection."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=15)
        try:
            headers = {"Connection": "close"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            html = resp.read().decode()
            for header in resp.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return resp.status, resp.headers, html
        finally:
            conn.close()

    def sign_in(self, email: str, password: str, token: str) -> str:
        status, headers, html = self.request(
            "POST", SIGN_IN, {"csrf_token": token, "email": email, "password": password}
        )
        return _outcome(status, headers.get("Location", ""), html)


def _outcome(status: int, location: str, html: str) -> str:
    if status == 302 and SIGN_IN not in location:
        return "signed in"
    if status == 200 and THROTTLE_MESSAGE in html and BAD_CREDENTIALS not in html:
        assert "too many attempts" in html
        return "throttled"
    if status == 200 and BAD_CREDENTIALS in html and THROTTLE_MESSAGE not in html:
        return "wrong password"
    return f"unexpected: HTTP {status} {html[:300]!r}"


def _attempts(server: Server, email: str) -> tuple[list[str], list[str]]:
    """LIMIT wrong passwords, then the correct one; the outcomes and the serving pids."""
    before = len(server.pids(f"POST {SIGN_IN} "))
    client = Client(server)
    status, _, html = client.request("GET", SIGN_IN)
    assert status == 200
    token = csrf_from(html)
    outcomes = [client.sign_in(email, f"not-the-password-{n}", token) for n in range(LIMIT)]
    outcomes.append(client.sign_in(email, PASSWORD, token))
    deadline = time.monotonic() + 5  # the access-log line lands as the response is sent
    while len(server.pids(f"POST {SIGN_IN} ")) < before + LIMIT + 1:
        assert time.monotonic() < deadline, "access log is missing sign-in requests"
        time.sleep(0.02)
    return outcomes, server.pids(f"POST {SIGN_IN} ")[before:]


def _attempts_in_one_process(db_url: str, email: str) -> list[str]:
    """The same attempts in one process (the Flask test client): the baseline."""
    app = build_app(db_url)
    client = app.test_client()
    token = csrf_from(client.get(SIGN_IN).get_data(as_text=True))
    outcomes = []
    for password in [f"not-the-password-{n}" for n in range(LIMIT)] + [PASSWORD]:
        resp = client.post(
            SIGN_IN, data={"csrf_token": token, "email": email, "password": password}
        )
        outcomes.append(
            _outcome(
                resp.status_code, resp.headers.get("Location", ""), resp.get_data(as_text=True)
            )
        )
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()
    return outcomes


def test_throttling_holds_across_workers(throttle_db, serve):
    server = serve(3)
    server.wait_ready(time.monotonic() + 20)
    control, single_user, *multi_users = throttle_db.emails

    # The correct password works, so "throttled" below really is the throttle.
    client = Client(server)
    _, _, html = client.request("GET", SIGN_IN)
    assert client.sign_in(control, PASSWORD, csrf_from(html)) == "signed in"

    # Requests normally spread over the workers at once; should the OS hand every
    # attempt to one worker, repeat with a fresh account (a run never counts twice).
    for email in multi_users:
        three_workers, served_by = _attempts(server, email)
        assert three_workers == EXPECTED, list(zip(three_workers, served_by, strict=True))
        if len(set(served_by)) > 1:
            break
    one_process = _attempts_in_one_process(throttle_db.url, single_user)
    assert one_process == EXPECTED
    assert three_workers == one_process
    if len(set(served_by)) == 1:
        # On a loaded machine the kernel can hand every connection to one worker; the
        # count still matched, but the run proved nothing about sharing across workers.
        pytest.skip(f"every attempt went to worker {served_by[0]} on this run")


# One address, many accounts, all at once ---------------------------------------


def test_parallel_guesses_from_one_address_stop_exactly_at_the_address_limit(
    app, make, browser_factory
):
    """40 failed sign-ins for 40 different accounts arrive together from one address:
    exactly THROTTLE_PER_ADDRESS are checked, the rest are throttled (each account is
    below its own limit, so only the address count can stop them)."""
    import threading

    from sqlalchemy import func, select

    from app.accounts.models import SignInFailure
    from app.extensions import db

    limit = app.config["THROTTLE_PER_ADDRESS"]
    address = "203.0.113.7"
    emails = [make.user(email=f"parallel-{n}@example.test").email for n in range(limit + 10)]
    browsers = []
    for _ in emails:
        b = browser_factory()
        b.client.environ_base["REMOTE_ADDR"] = address
        browsers.append((b, b.token()))
    barrier = threading.Barrier(len(emails))
    outcomes: list[str] = []

    def guess(b, token, email):
        barrier.wait()
        resp = b.client.post(
            SIGN_IN, data={"csrf_token": token, "email": email, "password": "wrong-guess-1"}
        )
        outcomes.append(_outcome(resp.status_code, "", resp.get_data(as_text=True)))

    threads = [
        threading.Thread(target=guess, args=(b, token, email))
        for (b, token), email in zip(browsers, emails, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(outcomes)) == ["throttled", "wrong password"], outcomes
    assert outcomes.count("wrong password") == limit
    assert outcomes.count("throttled") == len(emails) - limit
    with app.app_context():
        stored = db.session.scalar(
            select(func.count(SignInFailure.id)).where(SignInFailure.key == f"address:{address}")
        )
    assert stored == limit
