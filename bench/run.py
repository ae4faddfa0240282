"""Page timings on the national data set, on SQLite and PostgreSQL (`make bench`).

For each database: build the national data set (`flask db upgrade && flask national-data`,
into a temporary SQLite file or a freshly created PostgreSQL database `prp_bench`), count
each page's SQL queries in-process, serve the app with gunicorn (2 workers) on 127.0.0.1,
sign in through the real sign-in form as each role, and time every page in PAGES with
sequential requests and with 8 concurrent clients, next to the floor (/healthz). Then
stream the cohort ledger CSV: the largest real cohort, and all 72,000 entries at once.

Timings are reported, never asserted. Everything talks to 127.0.0.1 only, request counts
are bounded, and every process started here is stopped.

    .venv/bin/python bench/run.py                      # both databases, full scale
    .venv/bin/python bench/run.py --db sqlite --scale 0.1 --requests 50
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

# The pages: (name, role, address). {names} are filled from the data set (see `targets`).
# Pages still being built may not exist yet: a 404 is skipped with a note.
PAGES = [
    ("staff dashboard", "staff", "/"),
    ("cohort list", "staff", "/cohorts/manage"),
    ("cohort detail", "staff", "/cohorts/manage/{review_cohort}"),
    ("selection cohorts", "staff", "/selection/"),
    ("application review list", "staff", "/selection/cohorts/{review_cohort}"),
    ("applicant profile report", "staff", "/selection/cohorts/{review_cohort}/profile"),
    ("at-risk (staff)", "staff", "/release/at-risk"),
    ("at-risk (PSW)", "psw", "/release/at-risk"),
    ("cohort balances", "staff", "/release/cohorts/{running_cohort}"),
    ("supervision cohort", "staff", "/supervision/cohorts/{running_cohort}"),
    ("supervision contact report", "staff", "/supervision/cohorts/{running_cohort}/contact"),
    ("onboarding checklist (cohort)", "staff", "/supervision/cohorts/{running_cohort}/onboarding"),
    ("ledger (award holder)", "holder", "/release/awards/{holder_award}"),
    ("ledger (line manager)", "manager", "/release/awards/{holder_award}"),
    ("approvals (line manager)", "manager", "/release/approvals"),
    ("PSW sign-off list", "psw", "/applications/sign-off"),
    ("audit log", "staff", "/audit/"),
    ("people", "staff", "/account/people"),
    ("recent sign-ins", "staff", "/account/sign-ins"),
    ("organisations", "staff", "/organisations/"),
    ("award holder dashboard", "holder", "/"),
    ("personal award (award holder)", "holder", "/money/awards/{holder_award}"),
    ("spending approvals", "staff", "/money/queue"),
    ("programme budget", "staff", "/money/budget/{running_cohort}"),
    ("second approver rule", "staff", "/money/budget/{running_cohort}/second-approver"),
    ("backfill (staff)", "staff", "/money/backfill/{holder_award}"),
    ("outputs by cohort (staff)", "staff", "/outputs/cohorts"),
    ("outputs and completion (cohort)", "staff", "/outputs/cohorts/{running_cohort}"),
    ("showcase", "psw", "/outputs/showcase"),
    ("showcase search", "psw", "/outputs/showcase?q=carers"),
    ("residentials and attendance (cohort)", "staff", "/residentials/cohorts/{running_cohort}"),
    ("attendance rates (print)", "staff", "/residentials/cohorts/{running_cohort}/attendance"),
    ("needs list (venue)", "staff", "/residentials/workshops/{running_workshop}/needs"),
    ("sign-in sheet", "staff", "/residentials/workshops/{running_workshop}/sign-in-sheet"),
    ("presentation day", "staff", "/residentials/cohorts/{finished_cohort}/presentation-day"),
    ("impact report (staff)", "staff", "/impact/report"),
    ("impact report (PSW)", "psw", "/impact/report"),
    ("impact log (staff)", "staff", "/impact/awards/{alumnus_award}"),
    ("bridging pipeline", "staff", "/bridging/"),
    ("review slots", "staff", "/bridging/reviews"),
    ("evaluation surveys", "staff", "/evaluation/"),
    ("survey results", "staff", "/evaluation/surveys/{survey}"),
    ("cohorts compared", "staff", "/evaluation/compare"),
    ("documents (award holder)", "holder", "/documents/"),
    ("handbooks (cohort, staff)", "staff", "/documents/cohorts/{running_cohort}"),
    ("learning agreements (cohort)", "staff", "/documents/cohorts/{running_cohort}/agreements"),
    ("learning agreement (award holder)", "holder", "/documents/agreements/{holder_award}"),
    ("handbook acknowledgements", "staff", "/documents/cohorts/{running_cohort}/acknowledgements"),
    # the first request renders the PDF (WeasyPrint, seconds); the warm-up makes it cached
    ("handbook PDF (cached)", "holder", "/documents/cohorts/{running_cohort}/handbooks/holder.pdf"),
    ("reminders (staff)", "staff", "/reminders/"),
    ("reminders filtered by kind", "staff", "/reminders/?kind=behind_pace"),
    ("notifications (line manager)", "manager", "/reminders/notifications"),
    ("data protection: search", "staff", "/privacy/requests?q=smith"),
    ("privacy notice (from the map)", "holder", "/privacy"),
    ("erasure preview (award holder)", "staff", "/privacy/people/{holder_user}/erase"),
    ("data protection: a person's page", "staff", "/privacy/people/{holder_user}"),
    ("data protection: purge counts (on demand)", "staff", "/privacy/requests?counts=1"),
    ("communities of practice", "staff", "/communities/"),
    ("communities report", "staff", "/communities/report"),
    # a carer whose only activity is a community (no award, no application)
    ("member home page", "member", "/"),
    ("community workspace (member)", "member", "/communities/{member_community}/workspace"),
    ("community meetings (member)", "member", "/communities/{member_community}/meetings"),
    (
        "community post thread (member)",
        "member",
        "/communities/{member_community}/posts/{member_post}",
    ),
]
FLOOR = "/healthz"
EMAILS = {
    "staff": "national-staff@bench.test",
    "psw": "national-psw@bench.test",
    "manager": "national-manager@bench.test",
    "holder": "national-holder@bench.test",
    "member": "national-member@bench.test",
}
PASSWORD = "demo-password"  # noqa: S105 - the national data set's test accounts
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105
PG_DATABASE = "prp_bench"
CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


# HTTP ------------------------------------------------------------------------------------


class Client:
    """One visitor: a cookie jar and a connection to 127.0.0.1 (gunicorn's sync workers close
    every connection, so each request connects again, as a browser would)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            for cookie in resp.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return resp.status, dict(resp.headers), data
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def sign_in(self, email: str) -> None:
        status, _, page = self.get("/account/sign-in")
        match = CSRF_RE.search(page.decode())
        if status != 200 or not match:
            raise RuntimeError(f"No sign-in form (status {status})")
        token = next(g for g in match.groups() if g)
        body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
        status, headers, _ = self.request("POST", "/account/sign-in", body)
        if status != 302 or "sign-in" in headers.get("Location", ""):
            raise RuntimeError(f"Signing in as {email} failed (status {status})")


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    rps: float
    n: int
    errors: int = 0


def sequential(client: Client, path: str, n: int, warmup: int, budget: float) -> Timing:
    for _ in range(warmup):
        client.get(path)
    times, errors, started = [], 0, time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        status, _, _ = client.get(path)
        times.append(time.perf_counter() - t0)
        errors += status != 200
        if time.perf_counter() - started > budget:
            break
    wall = time.perf_counter() - started
    return Timing(
        round(statistics.median(times) * 1000, 2),
        round(percentile(times, 95) * 1000, 2),
        round(len(times) / wall, 1),
        len(times),
        errors,
    )


def concurrent(port: int, cookies: dict, path: str, n: int, clients: int, budget: float) -> Timing:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + budget

    def worker(count: int) -> None:
        client = Client(port, cookies)
        for _ in range(count):
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            status, _, _ = client.get(path)
            with lock:
                times.append(time.perf_counter() - t0)
                errors[0] += status != 200

    shares = [n // clients + (i < n % clients) for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return Timing(
        round(statistics.median(times) * 1000, 2),
        round(percentile(times, 95) * 1000, 2),
        round(len(times) / wall, 1),
        len(times),
        errors[0],
    )


# Processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(db_url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAIL_SERVER", "FROZEN_TODAY")}
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=db_url,
        SECRET_KEY=SECRET_KEY,
        APP_ENV="development",
        INSTANCE_PATH=str(instance),
        BASE_URL="http://127.0.0.1",
    )
    return env


def memory_kb(pid: int) -> dict[str, int]:
    out = {}
    with suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                key, value = line.split(":")
                out[key] = int(value.split()[0])
    return out


def cpu_ticks(pid: int) -> int:
    with suppress(OSError), open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    return 0


class Server:
    """gunicorn on 127.0.0.1, stopped (master and workers) on leaving the block."""

    def __init__(self, env: dict, workers: int, log: Path):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            with suppress(OSError):
                if Client(self.port).get(FLOOR)[0] == 200 and len(self.worker_pids()) >= 1:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer; see {self.log}")

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        pid = self.proc.pid
        with suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
        return []

    def rss_mb(self) -> float:
        rss = (memory_kb(p).get("VmRSS", 0) for p in self.worker_pids())
        return round(max(rss, default=0) / 1024, 1)

    def peak_mb(self) -> float:
        return round(
            max((memory_kb(p).get("VmHWM", 0) for p in self.worker_pids()), default=0) / 1024, 1
        )

    def __exit__(self, *exc) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# Databases -------------------------------------------------------------------------------


@dataclass
class Database:
    kind: str  # "sqlite" | "postgresql"
    url: str
    workdir: Path
    load: dict = field(default_factory=dict)


@contextmanager
def scratch_database(kind: str, pg_server: str, keep: bool):
    workdir = Path(tempfile.mkdtemp(prefix=f"prp-bench-{kind}-"))
    try:
        if kind == "sqlite":
            yield Database(kind, f"sqlite:///{workdir / 'bench.db'}", workdir)
        else:
            import psycopg

            admin = f"{pg_server}/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
            yield Database(kind, f"{pg_server}/{PG_DATABASE}", workdir)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def build(db: Database, scale: float) -> None:
    env = app_env(db.url, db.workdir / "instance")
    flask = str(BIN / "flask")
    t0 = time.perf_counter()
    subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    migrated = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run(
        [flask, "national-data", "--scale", str(scale)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"flask national-data failed:\n{out.stdout}\n{out.stderr}")
    seconds = time.perf_counter() - t0
    summary = [line for line in out.stdout.splitlines() if line.startswith(("National", "  "))]
    print("\n".join(summary))
    print(f"  (migrate {migrated:.1f} s; `flask national-data` {seconds:.1f} s wall)")
    db.load = {
        "migrate_seconds": round(migrated, 1),
        "load_seconds": round(seconds, 1),
        "generator_output": summary,
    }


def targets(url: str) -> dict[str, int]:
    """Ids the page addresses need: the cohort being selected now (most applications), the
    named award holder's award and cohort, the cohort with the most ledger entries."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            award, cohort, holder_user = conn.execute(
                text(
                    "SELECT a.id, a.cohort_id, a.holder_id FROM award a "
                    'JOIN "user" u ON u.id = a.holder_id WHERE u.email = :e'
                ),
                {"e": EMAILS["holder"]},
            ).one()
            review = conn.execute(
                text(
                    "SELECT a.cohort_id FROM application a JOIN cohort c ON c.id = a.cohort_id "
                    "WHERE a.status != 'draft' AND c.programme_start > CURRENT_DATE "
                    "GROUP BY a.cohort_id ORDER BY count(*) DESC, a.cohort_id LIMIT 1"
                )
            ).scalar()
            ledger = conn.execute(
                text(
                    "SELECT a.cohort_id, count(*) FROM release_day r JOIN award a "
                    "ON a.id = r.award_id GROUP BY a.cohort_id ORDER BY 2 DESC, 1 LIMIT 1"
                )
            ).one()
            total = conn.execute(text("SELECT count(*) FROM release_day")).scalar()
            workshop = conn.execute(
                text("SELECT min(id) FROM workshop WHERE cohort_id = :c"), {"c": cohort}
            ).scalar()
            finished = conn.execute(text("SELECT max(cohort_id) FROM presentation_day")).scalar()
            alumnus = conn.execute(
                text(
                    "SELECT award_id FROM impact_entry GROUP BY award_id "
                    "ORDER BY count(*) DESC, award_id LIMIT 1"
                )
            ).scalar()
            survey = conn.execute(
                text(
                    "SELECT survey_id FROM survey_response GROUP BY survey_id "
                    "ORDER BY count(*) DESC, survey_id LIMIT 1"
                )
            ).scalar()
            member_community = conn.execute(
                text(
                    'SELECT min(m.community_id) FROM community_member m JOIN "user" u '
                    "ON u.id = m.user_id WHERE u.email = :e"
                ),
                {"e": EMAILS["member"]},
            ).scalar()
            member_post = conn.execute(
                text(
                    "SELECT parent_id FROM community_post WHERE community_id = :c "
                    "AND parent_id IS NOT NULL GROUP BY parent_id "
                    "ORDER BY count(*) DESC, parent_id LIMIT 1"
                ),
                {"c": member_community or 0},
            ).scalar()
    finally:
        engine.dispose()
    return {
        "member_community": member_community or 0,
        "member_post": member_post or 0,
        "holder_award": award,
        "holder_user": holder_user,
        "running_cohort": cohort,
        "review_cohort": review or cohort,
        "ledger_cohort": ledger[0],
        "ledger_cohort_rows": ledger[1],
        "ledger_rows": total,
        "running_workshop": workshop or 0,
        "finished_cohort": finished or cohort,
        "alumnus_award": alumnus or award,
        "survey": survey or 0,
    }


# SQL queries per page (in-process) ------------------------------------------------------


def count_queries(db: Database, pages: list[tuple[str, str, str]]) -> dict[str, tuple[int, int]]:
    """{address: (status, queries)} for one request per page, signed in as its role, with
    the Flask test client and a before_cursor_execute counter (the second request counts,
    after the first warmed any caches)."""
    from sqlalchemy import event

    os.environ["INSTANCE_PATH"] = str(db.workdir / "instance")
    from app import create_app
    from app.extensions import db as sqla

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db.url,
            "SECRET_KEY": SECRET_KEY,
            "APP_ENV": "development",
            "BASE_URL": "http://127.0.0.1",
            "MAIL_SERVER": None,
        }
    )
    counter = [0]

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            counter[0] += 1

    out: dict[str, tuple[int, int]] = {}
    with app.app_context():
        engine = sqla.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        clients = {}
        for role in {role for _n, role, _p in pages if role}:
            client = app.test_client()
            page = client.get("/account/sign-in").get_data(as_text=True)
            match = CSRF_RE.search(page)
            token = next(g for g in match.groups() if g) if match else ""
            resp = client.post(
                "/account/sign-in",
                data={"csrf_token": token, "email": EMAILS[role], "password": PASSWORD},
            )
            if resp.status_code != 302:
                raise RuntimeError(f"In-process sign-in as {role} failed ({resp.status_code})")
            clients[role] = client
        clients[None] = app.test_client()
        for _name, role, path in pages:
            client = clients[role]
            # each response read to its end (and so closed): a streamed one left open keeps
            # its request's context, and the next page was served as its user (a 403 for the
            # staff reminders page after the award holder's handbook PDF)
            client.get(path).get_data()
            counter[0] = 0
            resp = client.get(path)
            resp.get_data()
            out[(role, path)] = (resp.status_code, counter[0])
    finally:
        event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            sqla.engine.dispose()
    return out


# CSV export ------------------------------------------------------------------------------


def stream_csv(server: Server, cookies: dict, path: str) -> dict:
    """Stream the export, reading it in 64 KB chunks; rows per second and the serving
    worker's memory (VmRSS) before and after, and its peak (VmHWM)."""
    workers = server.worker_pids()
    before = {p: memory_kb(p) for p in workers}
    ticks = {p: cpu_ticks(p) for p in workers}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    resp = conn.getresponse()
    first_byte, size, lines = None, 0, 0
    while chunk := resp.read(65536):
        if first_byte is None:
            first_byte = time.perf_counter() - t0
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - t0
    conn.close()
    served = max(workers, key=lambda p: cpu_ticks(p) - ticks[p])
    after = memory_kb(served)
    rows = max(0, lines - 1)  # the header
    return {
        "path": path,
        "status": resp.status,
        "rows": rows,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "worker_rss_before_mb": round(before[served].get("VmRSS", 0) / 1024, 1),
        "worker_rss_after_mb": round(after.get("VmRSS", 0) / 1024, 1),
        "worker_peak_before_mb": round(before[served].get("VmHWM", 0) / 1024, 1),
        "worker_peak_after_mb": round(after.get("VmHWM", 0) / 1024, 1),
    }


def move_all_awards(url: str, cohort_id: int) -> None:
    """Bench-only change to the scratch database: every award into one cohort, so a single
    export holds the whole ledger."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("UPDATE award SET cohort_id = :c"), {"c": cohort_id})
    engine.dispose()


# One database ------------------------------------------------------------------------------


def run_database(kind: str, args) -> tuple[list[dict], dict]:
    print(f"\n=== {kind} ===")
    with scratch_database(kind, args.pg_server, args.keep) as db:
        build(db, args.scale)
        ids = targets(db.url)
        pages = [(n, role, path.format(**ids)) for n, role, path in PAGES]
        queries = count_queries(db, [*pages, ("floor", None, FLOOR)])
        env = app_env(db.url, db.workdir / "instance")
        log = db.workdir / "gunicorn.log"
        results, notes = [], []
        with Server(env, 2, log) as server:
            clients = {}
            for role in sorted({role for _n, role, _p in pages}):
                clients[role] = Client(server.port)
                clients[role].sign_in(EMAILS[role])
            floor_client = Client(server.port)
            floor = sequential(floor_client, FLOOR, args.requests, args.warmup, args.budget)
            floor_c = concurrent(
                server.port, {}, FLOOR, args.requests, args.concurrency, args.budget
            )
            floor_queries = queries[(None, FLOOR)][1]
            results.append(
                entry("floor", kind, FLOOR, None, floor, floor_c, floor, floor_queries, server)
            )
            print(f"  floor {FLOOR}: p50 {floor.p50_ms} ms, p95 {floor.p95_ms} ms")
            for name, role, path in pages:
                status, count = queries[(role, path)]
                probe = clients[role].get(path)[0]
                if probe != 200 or status != 200:
                    why = "not built yet (404)" if probe == 404 else f"answered {probe}"
                    notes.append(f"{kind}: skipped {name} ({role}) {path}: {why}")
                    print(f"  skip  {name}: {why}")
                    continue
                seq = sequential(clients[role], path, args.requests, args.warmup, args.budget)
                conc = concurrent(
                    server.port,
                    clients[role].cookies,
                    path,
                    args.requests,
                    args.concurrency,
                    args.budget,
                )
                results.append(entry(name, kind, path, role, seq, conc, floor, count, server))
                print(
                    f"  {name:<28} p50 {seq.p50_ms:8.1f} ms  p95 {seq.p95_ms:8.1f} ms  "
                    f"c{args.concurrency} p95 {conc.p95_ms:8.1f} ms  {count:3} queries"
                )
            csv = {}
            path = f"/release/cohorts/{ids['ledger_cohort']}/ledger.csv"
            if not args.skip_csv:
                csv["largest_cohort"] = stream_csv(server, clients["staff"].cookies, path)
        if not args.skip_csv and csv["largest_cohort"]["status"] == 200:
            # all 72,000 entries in one export, on a fresh single worker
            move_all_awards(db.url, ids["ledger_cohort"])
            with Server(env, 1, log) as server:
                client = Client(server.port)
                client.sign_in(EMAILS["staff"])
                client.get("/release/at-risk")  # the worker has served a page first
                csv["whole_ledger"] = stream_csv(server, client.cookies, path)
        elif not args.skip_csv:
            notes.append(f"{kind}: the ledger CSV export answered {csv.pop('largest_cohort')}")
        extra = {"load": db.load, "targets": ids, "csv": csv, "notes": notes}
        return results, extra


def entry(name, kind, path, role, seq: Timing, conc: Timing, floor: Timing, queries, server):
    return {
        "page": name,
        "db": kind,
        "path": path,
        "role": role,
        "p50_ms": seq.p50_ms,
        "p95_ms": seq.p95_ms,
        "rps": seq.rps,
        "queries": queries,
        "p95_over_floor": round(seq.p95_ms / floor.p95_ms, 1) if floor.p95_ms else None,
        "peak_rss_mb": server.peak_mb(),
        "rss_mb": server.rss_mb(),
        "p50_ms_c8": conc.p50_ms,
        "p95_ms_c8": conc.p95_ms,
        "rps_c8": conc.rps,
        "requests": seq.n,
        "requests_c8": conc.n,
        "errors": seq.errors + conc.errors,
    }


# Report ------------------------------------------------------------------------------------


def print_table(results: list[dict]) -> None:
    head = (
        f"{'page':<28} {'role':<8} {'db':<10} {'p50 ms':>8} {'p95 ms':>8} {'rps':>7} "
        f"{'x floor':>8} {'p95 c8':>8} {'rps c8':>7} {'queries':>7} {'peak MB':>8}"
    )
    print("\n" + head + "\n" + "-" * len(head))
    for r in results:
        print(
            f"{r['page']:<28} {r['role'] or '-':<8} {r['db']:<10} {r['p50_ms']:>8.1f} "
            f"{r['p95_ms']:>8.1f} {r['rps']:>7.1f} {r['p95_over_floor'] or 0:>8.1f} "
            f"{r['p95_ms_c8']:>8.1f} {r['rps_c8']:>7.1f} {r['queries']:>7} "
            f"{r['peak_rss_mb']:>8.1f}"
        )


def print_extra(extra: dict) -> None:
    for kind, info in extra.items():
        load = info["load"]
        took, migrate = load.get("load_seconds"), load.get("migrate_seconds")
        print(f"\n{kind}: loaded in {took} s (migrate {migrate} s)")
        for label, csv in info["csv"].items():
            print(
                f"  CSV {label}: {csv['rows']:,} rows, {csv['megabytes']} MB in {csv['seconds']} s "
                f"= {csv['rows_per_second']:,} rows/s (first byte {csv['first_byte_ms']} ms); "
                f"worker RSS {csv['worker_rss_before_mb']} -> {csv['worker_rss_after_mb']} MB, "
                f"peak {csv['worker_peak_before_mb']} -> {csv['worker_peak_after_mb']} MB"
            )
        for note in info["notes"]:
            print(f"  note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the national data set")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--budget", type=float, default=60, help="seconds at most per run")
    parser.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args(argv)
    if urllib.parse.urlsplit(args.pg_server).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--pg-server must be on this machine (127.0.0.1)")

    results: list[dict] = []
    extra: dict[str, dict] = {}
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        if kind == "postgresql":
            try:
                import psycopg

                psycopg.connect(f"{args.pg_server}/postgres", connect_timeout=5).close()
            except Exception as exc:  # noqa: BLE001 - report and go on with the others
                print(f"\n=== postgresql === skipped: cannot connect ({exc})")
                extra[kind] = {"load": {}, "csv": {}, "notes": [f"not reachable: {exc}"]}
                continue
        rows, info = run_database(kind, args)
        results += rows
        extra[kind] = info

    print_table(results)
    print_extra(extra)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    meta = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "scale": args.scale,
        "requests": args.requests,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "databases": extra,
    }
    (RESULTS / "latest-extra.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    print(f"\nWritten {RESULTS / 'latest.json'} and {RESULTS / 'latest-extra.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
