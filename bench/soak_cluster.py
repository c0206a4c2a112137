"""`SOAK_TARGET=cluster make soak`: the soak through nginx, against the cluster of
`make cluster` (deploy/cluster.py: two app servers, nginx, two RQ workers, the scheduler,
a Redis of its own), with faults. Never part of `make test`.

The same load as bench/soak.py (its readers, posters and re-checks; its moderator, who here
also notes what each bulk approval approved), for SOAK_SECONDS (120), Akismet failing one
call in five, and three faults at fixed times:

- at 20 % of the run the cluster's Redis (cache and queue) is restarted: stopped, 2 s
  down, started again, empty (it keeps no data): queued jobs are lost, pages render
  uncached until the cache fills again;
- at 45 % one queue worker is killed with SIGKILL (its process group) and started again;
- at 65 % one app server is stopped for 20 s, then started again: as `systemctl stop` does
  (SIGTERM to gunicorn's master), or with SOAK_APP_STOP=kill abruptly (SIGKILL to all of it).

Queue workers that exit on their own are started again after 2 s, as the units'
`Restart=always` / `RestartSec=2` would (counted). A prober fetches, after each bulk
approval, the approved comments' pages from each running app server directly (a new
connection, no cookie) until each comment shows, and notes how long after the approval's
answer it did.

Then it checks: every accepted post stored and filed (checked, or errored and due for a
re-check), no comment with two recorded results, no duplicate mail, every approval visible
through each app server within the bound (bench/README.md: p99 <= 1 s, max <= 2 s), no 5xx
outside the stopped server's window (and none inside it either is the aim: nginx retries
the other server), each process that ran the whole time (gunicorn and queue workers) growing
less than 10 % in RSS from minute 1 to minute 2. It prints each fault's window: requests,
their answers and latencies in the 10 s after the fault (the stopped server's 20 s) beside
the calm before it.
"""

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/queue.py would stand in
# for the standard library's queue: the checkout's root instead.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import json  # noqa: E402
import os  # noqa: E402
import queue as queues  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402

from bench import soak  # noqa: E402
from bench.run import (  # noqa: E402
    BIN,
    PG_ADMIN,
    RESULTS,
    ROOT,
    free_port,
    percentile,
    run,
    start_stub,
    stop,
    workers,
)
from deploy.cluster import Cluster, nginx_binary  # noqa: E402

SECONDS = soak.SECONDS
DATABASES = {
    "postgresql": "postgres://postgres@127.0.0.1:5432/newsroom_soak_cluster",
    "sqlite": None,
}
REDIS_PORT = int(os.environ.get("CLUSTER_REDIS_PORT", "6391"))
FAULTS = {"redis restart": 0.20, "worker SIGKILL": 0.45, "app server stopped": 0.65}
REDIS_DOWN = 2  # seconds
APP_DOWN = 20  # seconds
# How the app server is stopped: "term", as `systemctl stop` (SIGTERM to gunicorn's master,
# which lets its workers finish), or "kill", abruptly (SIGKILL to every process of it).
APP_STOPS = {"term": signal.SIGTERM, "kill": signal.SIGKILL}
APP_STOP = os.environ.get("SOAK_APP_STOP", "term")
WINDOW = 10  # seconds after a fault that count as its window
RESTART_SEC = 2  # a worker that exited is started again after this (the unit's RestartSec)
BOUND_P99, BOUND_MAX = 1.0, 2.0  # seconds: an approval visible to a new visitor
PROBE_LIMIT = 15  # seconds a prober waits for one approval before calling it never shown


class Recorder(soak.Recorder):
    """soak's recorder, plus each request's time (for the fault windows)."""

    def __init__(self):
        super().__init__()
        self.events = []  # (seconds since start, kind, status, seconds)
        self.faults = []  # (name, start, end) in seconds since start
        self.restarts = []  # (seconds, pid exited, returncode, pid started)
        self.approvals = queues.Queue()  # (monotonic time of the answer, [ids])
        self.visible = []  # (server port, id, seconds after the approval, or None)
        self.stale = []  # probe answers started after an approval without it: when started
        self.approved_at = {}  # comment id → when its approval answered (seconds since start)

    def record(self, kind, status, seconds):
        super().record(kind, status, seconds)
        with self.lock:
            self.events.append((time.monotonic() - self.t0, kind, status, seconds))


def moderator(port, password, rec, stop_event):
    """soak.moderator's rounds, noting the ids each approval approved and when it answered."""
    browser = soak.Browser(port)
    status, _, html, seconds = browser.go("GET", "/admin/login/?next=/admin/")
    rec.record("admin", status, seconds)
    fields = {
        "csrfmiddlewaretoken": soak.csrf_token(html),
        "username": "soak-moderator",
        "password": password,
        "next": "/admin/",
    }
    status, _, _, seconds = browser.go("POST", "/admin/login/?next=/admin/", fields)
    rec.record("admin", status, seconds)
    if status != 302:
        rec.record("admin login", "failed", 0)
        return
    while not stop_event.wait(soak.MODERATE_EVERY):
        browser.close()
        for _ in range(10):
            status, _, html, seconds = browser.go("GET", soak.QUEUE)
            rec.record("admin", status, seconds)
            ids = re.findall(r'name="_selected_action" value="(\d+)"', html)
            if status != 200 or not ids:
                break
            fields = {
                "csrfmiddlewaretoken": soak.csrf_token(html),
                "action": "approve",
                "_selected_action": ids,
                "index": "0",
                "select_across": "0",
            }
            status, got, _, seconds = browser.go("POST", soak.QUEUE, fields)
            rec.record("admin approve", status, seconds)
            if status != 302:
                break
            answered = time.monotonic()
            rec.approvals.put((answered, [int(i) for i in ids]))
            with rec.lock:
                rec.approved_at.update(dict.fromkeys(map(int, ids), answered - rec.t0))
            status, _, html, seconds = browser.go("GET", got["Location"])
            rec.record("admin", status, seconds)
            done = re.search(r"Approve: (\d+) comment", html)
            with rec.lock:
                rec.approve_rounds += 1
                rec.approved += int(done.group(1)) if done else 0
    browser.close()


def probe_page(port, path, wanted, answered, cluster, rec):
    """Fetch `path` from one app server (new connection, no cookie, the site's Host) until
    every id in `wanted` shows; note for each the delay from the approval's answer to the
    end of the response that showed it, and count answers that started after the approval
    and did not show it (stale)."""
    left = set(wanted)
    while left and time.monotonic() - answered < PROBE_LIMIT:
        started = time.monotonic()
        conn = soak.Connection(port)
        # The site's Host, as nginx passes a reader's request on (the page cache's key is
        # the full URL: the server's own address would be a page of its own).
        site = {"User-Agent": "probe", "Host": f"127.0.0.1:{cluster.port}"}
        status, _, html, _ = conn.request("GET", path, headers=site)
        conn.close()
        if status != 200:
            if port not in cluster.apps:
                return  # stopped meanwhile (the fault): not this server's approval to show
            time.sleep(0.1)
            continue
        shown = {int(pk) for pk in re.findall(r'id="comment-(\d+)"', html)}
        now = time.monotonic() - answered
        with rec.lock:
            rec.visible += [(port, pk, round(now, 3)) for pk in left & shown]
            if left - shown:  # a page from before the approval (allowed for BOUND_MAX)
                rec.stale.append(round(started - answered, 3))
        left -= shown
    if port in cluster.apps:
        with rec.lock:
            rec.visible += [(port, pk, None) for pk in left]


def prober(cluster, paths, rec, stop_event, path_of):
    """After each approval, every running app server and every page concerned at once."""
    while not (stop_event.is_set() and rec.approvals.empty()):
        try:
            answered, ids = rec.approvals.get(timeout=0.5)
        except queues.Empty:
            continue
        by_path = defaultdict(set)
        for pk in ids:
            if pk in path_of:
                by_path[path_of[pk]].add(pk)
        threads = [
            threading.Thread(target=probe_page, args=(port, path, wanted, answered, cluster, rec))
            for port in list(cluster.apps)
            for path, wanted in by_path.items()
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def supervisor(cluster, rec, stop_event):
    """Restart=always: a queue worker that exited is started again after RestartSec."""
    while not stop_event.wait(0.5):
        for i, proc in enumerate(list(cluster.workers)):
            if proc.poll() is None or getattr(proc, "killed_on_purpose", False):
                continue
            time.sleep(RESTART_SEC)
            new = cluster.spawn(*cluster.unit_command("newsroom-worker@.service", i + 1))
            cluster.workers[i] = new
            with rec.lock:
                rec.restarts.append(
                    (round(time.monotonic() - rec.t0, 1), proc.pid, proc.returncode, new.pid)
                )


def faults(cluster, rec, stop_event):
    def at(share):
        return stop_event.wait(max(0, rec.t0 + SECONDS * share - time.monotonic()))

    def note(name, start):
        with rec.lock:
            rec.faults.append((name, round(start, 1), round(time.monotonic() - rec.t0, 1)))

    if at(FAULTS["redis restart"]):
        return
    start = time.monotonic() - rec.t0
    cluster.stop_redis()
    time.sleep(REDIS_DOWN)
    cluster.start_redis()
    note("redis restart", start)

    if at(FAULTS["worker SIGKILL"]):
        return
    start = time.monotonic() - rec.t0
    victim = cluster.workers[0]
    victim.killed_on_purpose = True
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(10)
    cluster.workers[0] = cluster.spawn(*cluster.unit_command("newsroom-worker@.service", 1))
    with rec.lock:
        rec.kills.append((round(start, 1), victim.pid, cluster.workers[0].pid))
    note("worker SIGKILL", start)

    if at(FAULTS["app server stopped"]):
        return
    start = time.monotonic() - rec.t0
    port = cluster.app_ports[1]
    cluster.stop_app(port, APP_STOPS[APP_STOP])
    stop_event.wait(APP_DOWN)
    cluster.start_app(port)
    note("app server stopped", start)


def sampler(cluster, rec, stop_event):
    """VmRSS of every gunicorn worker and every queue worker, every RSS_EVERY seconds."""
    while True:
        now = time.monotonic() - rec.t0
        pids = [("queue", p.pid) for p in cluster.workers]
        for port, proc in list(cluster.apps.items()):
            pids += [(f"app :{port}", pid) for pid in workers(proc.pid)]
        for role, pid in pids:
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if match:
                with rec.lock:
                    rec.rss[f"{role} {pid}"].append((round(now, 1), int(match.group(1))))
        if stop_event.wait(soak.RSS_EVERY):
            return


def window_rows(rec):
    """Per fault window (and the calm before the first fault): requests, req/s, statuses
    other than the expected, 5xx, p50/p99 of reads and of posts."""
    windows = [("calm (before the first fault)", 0, rec.faults[0][1] if rec.faults else SECONDS)]
    for name, start, end in rec.faults:
        windows.append(
            (name, start, max(end, start + WINDOW) if name != "app server stopped" else end + 2)
        )
    rows = []
    for name, start, end in windows:
        inside = [e for e in rec.events if start <= e[0] < end]
        reads = [s for _, k, st, s in inside if k.startswith(("front", "category", "article"))]
        posts = [s for _, k, st, s in inside if k == "comment post"]
        statuses = Counter(str(st) for _, _, st, _ in inside)
        rows.append(
            {
                "window": name,
                "from_s": start,
                "to_s": round(end, 1),
                "requests": len(inside),
                "per_s": round(len(inside) / max(end - start, 0.1), 1),
                "statuses": dict(statuses),
                "5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
                "read_p50_ms": round(percentile(reads, 50) * 1000, 1) if reads else None,
                "read_p99_ms": round(percentile(reads, 99) * 1000, 1) if reads else None,
                "post_p50_ms": round(percentile(posts, 50) * 1000, 1) if posts else None,
                "post_p99_ms": round(percentile(posts, 99) * 1000, 1) if posts else None,
            }
        )
    return rows


def approval_windows(rec):
    """The approvals' delays split by when the approval answered: in a fault's window (as in
    `window_rows`) or outside every one, so a slow approval is seen beside its cause."""
    spans = [
        (name, start, max(end, start + WINDOW) if name != "app server stopped" else end + 2)
        for name, start, end in rec.faults
    ]
    delays = defaultdict(list)
    for _port, pk, delay in rec.visible:
        if delay is None or pk not in rec.approved_at:
            continue
        at = rec.approved_at[pk]
        name = next((n for n, start, end in spans if start <= at < end), "outside the faults")
        delays[name].append(delay)
    return {
        name: {
            "probes": len(d),
            "p50_ms": round(percentile(d, 50) * 1000, 1),
            "p99_ms": round(percentile(d, 99) * 1000, 1),
            "max_ms": round(max(d) * 1000, 1),
        }
        for name, d in delays.items()
    }


def prepare(db, cluster):
    """A fresh database, migrated, static files collected, the bench's seed."""
    env = cluster.env
    if db == "postgresql":
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
            run(["psql", PG_ADMIN, "-q", "-c", sql], env)
    cluster.manage("migrate", "--noinput", "-v0")
    cluster.manage("collectstatic", "--noinput", "-v0")
    host = env["SITE_URL"].split("://")[1]
    out = run([BIN / "python", "-m", "bench.seed", host], env, capture_output=True, text=True)
    print("   data:", out.stdout.strip())


def run_soak(db, log_path):
    tmp = Path(tempfile.mkdtemp(prefix="newsroom_soak_cluster_"))
    tmp.chmod(0o755)
    base = int(os.environ.get("SOAK_CLUSTER_PORT", "0"))
    port, app_ports, stub_port = (
        (base, [base + 1, base + 2], base + 3)
        if base
        else (free_port(), [free_port(), free_port()], free_port())
    )
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": DATABASES[db] or f"sqlite:///{tmp}/newsroom_soak.sqlite3",
        "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "TASKS_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
        "TRUSTED_PROXIES": "1",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "ROOT_URLCONF": "bench.urls",
        "AKISMET_API_KEY": "bench-key",
        "AKISMET_API_URL": f"http://127.0.0.1:{stub_port}",
        "AKISMET_IS_TEST": "true",
        "EMAIL_URL": f"filemail:///{tmp}/mail",
        "UNCHECKED_GRACE_SECONDS": str(soak.UNCHECKED_GRACE),
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
    }
    print(f"\n== soak through the cluster, {db}: its environment ==")
    for name, value in environment.items():
        print(f"   {name}={value if name != 'SECRET_KEY' else '(random)'}")
    print(
        f"   nginx :{port} → app servers :{app_ports[0]}, :{app_ports[1]} (2 × 4 threads each); "
        f"2 queue workers, the scheduler, redis :{REDIS_PORT}; gunicorn and worker log {log_path}"
    )
    rec = Recorder()
    result = {"database": db, "seconds": SECONDS, "environment": environment, "target": "cluster"}
    stub = None
    with open(log_path, "w") as log:
        cluster = Cluster(tmp, port, app_ports, environment, redis_port=REDIS_PORT, log=log)
        try:
            cluster.start_redis()
            prepare(db, cluster)
            password = secrets.token_urlsafe(16)
            paths = soak.soak_db(cluster.env, "setup", password)
            stub = start_stub(stub_port, fail_rate=soak.FAIL_RATE, fail_mode=soak.FAIL_MODE)
            since = time.time()
            cluster.start()
            tokens = soak.page_tokens(port, paths["commented"])
            stop_event = threading.Event()
            counter = iter(range(10**9))
            path_of = PathOf(rec, paths)
            rec.t0 = time.monotonic()
            threads = [
                threading.Thread(target=sampler, args=(cluster, rec, stop_event)),
                threading.Thread(target=moderator, args=(port, password, rec, stop_event)),
                threading.Thread(target=prober, args=(cluster, paths, rec, stop_event, path_of)),
                threading.Thread(target=soak.rechecker, args=(cluster.env, rec, stop_event)),
                threading.Thread(target=supervisor, args=(cluster, rec, stop_event)),
                threading.Thread(target=faults, args=(cluster, rec, stop_event)),
            ]
            threads += [
                threading.Thread(target=soak.reader, args=(n, port, paths, rec, stop_event))
                for n in range(soak.READERS)
            ]
            threads += [
                threading.Thread(
                    target=soak.poster,
                    args=(n, port, paths, tokens, counter, rec, stop_event),
                )
                for n in range(soak.POSTERS)
            ]
            print(
                f"   running for {SECONDS} s: {soak.READERS} readers, {soak.POSTERS} posters, "
                "a moderator, a prober; faults at "
                + ", ".join(f"{n} {s * SECONDS:.0f} s" for n, s in FAULTS.items())
            )
            for t in threads:
                t.start()
            time.sleep(SECONDS)
            stop_event.set()
            for t in threads:
                t.join()
            result["run_seconds"] = round(time.monotonic() - rec.t0, 1)
            result["drain"] = soak.drain(cluster.env)
            time.sleep(3)
            report = soak.soak_db(cluster.env, "report", str(since))
            stored = report["comments"]
            result["visibility"] = soak.visibility(port, paths, stored)
            result["visibility_per_server"] = {
                p: soak.visibility(p, paths, stored) for p in cluster.app_ports
            }
            result["akismet"] = soak.stub_stats(stub_port)
            result["akismet"]["recorded"] = report["recorded_calls"]
            mailed = Counter(soak.mails(tmp / "mail"))
        finally:
            cluster.stop()
            stop(stub)
            nginx_log = tmp / "nginx" / "error.log"
            if nginx_log.exists():  # why a 502 was a 502
                shutil.copy(nginx_log, str(log_path).replace(".log", "-nginx-error.log"))
            shutil.rmtree(tmp, ignore_errors=True)
    result["requests"] = {
        kind: {
            "count": sum(c.values()),
            "statuses": {str(s): n for s, n in sorted(c.items(), key=str)},
            "p50_ms": round(percentile(rec.latencies[kind], 50) * 1000, 1),
            "p99_ms": round(percentile(rec.latencies[kind], 99) * 1000, 1),
        }
        for kind, c in sorted(rec.statuses.items())
    }
    stored_pks = {c["pk"] for c in stored}
    accepted_pks = {pk for pk, _ in rec.accepted}
    result["comments"] = {
        "accepted": len(rec.accepted),
        "stored": len(stored),
        "accepted_not_stored": sorted(accepted_pks - stored_pks),
        "stored_not_accepted": sorted(stored_pks - accepted_pks),
        "by_status": dict(Counter(c["status"] for c in stored)),
        "verdicts": dict(Counter(c["verdict"] for c in stored)),
        "approved_by_moderator": rec.approved,
        "approve_actions": rec.approve_rounds,
        # pending and never checked: not filed (an errored one is due for a re-check)
        "not_filed": sorted(
            c["pk"] for c in stored if c["status"] == "pending" and c["verdict"] == "unchecked"
        ),
        "due_recheck": sorted(
            c["pk"] for c in stored if c["status"] == "pending" and c["verdict"] == "error"
        ),
        "two_results": sorted(c["pk"] for c in stored if c["results"] > 1),
    }
    result["mail"] = {
        "mails": sum(n for pk, n in mailed.items() if pk in stored_pks),
        "duplicates": sorted(pk for pk, n in mailed.items() if n > 1),
    }
    delays = [d for _, _, d in rec.visible if d is not None]
    result["approvals_visible"] = {
        "probes": len(rec.visible),
        "per_server": dict(Counter(p for p, _, _ in rec.visible)),
        "p50_ms": round(percentile(delays, 50) * 1000, 1) if delays else None,
        "p99_ms": round(percentile(delays, 99) * 1000, 1) if delays else None,
        "max_ms": round(max(delays) * 1000, 1) if delays else None,
        "never": sorted({pk for _, pk, d in rec.visible if d is None}),
        "answers_without_it": len(rec.stale),
        "answers_without_it_beyond_bound": sum(1 for s in rec.stale if s > BOUND_MAX),
    }
    result["approvals_by_window"] = approval_windows(rec)
    a = result["approvals_visible"]
    a["bound_holds"] = (
        a["max_ms"] is not None
        and a["max_ms"] <= BOUND_MAX * 1000
        and a["p99_ms"] <= BOUND_P99 * 1000
    )
    result["faults"] = rec.faults
    result["kills"] = rec.kills
    result["worker_restarts"] = rec.restarts
    result["rechecks"] = rec.rechecks
    result["windows"] = window_rows(rec)
    stop_window = next(
        (
            (w["from_s"], w["to_s"])
            for w in result["windows"]
            if w["window"] == "app server stopped"
        ),
        (SECONDS + 1, SECONDS + 1),
    )
    unexpected = defaultdict(Counter)
    for t, kind, status, _ in rec.events:
        expected = {"comment post": {302}, "admin approve": {302}}.get(kind, {200})
        if kind == "admin":
            expected = {200, 302}
        if status not in expected and not stop_window[0] <= t < stop_window[1]:
            unexpected[kind][str(status)] += 1
    result["unexpected_outside_stop"] = {k: dict(c) for k, c in unexpected.items()}
    result["app_stop"] = APP_STOP
    result["5xx"] = sum(1 for _, _, status, _ in rec.events if str(status).startswith("5"))
    result["memory"] = soak.memory(rec, SECONDS)
    for name, m in result["memory"].items():
        # Checked: a process that ran from well before minute 1 ended (a restarted queue
        # worker too) to the end; not one started late or stopped by a fault.
        samples = rec.rss[name]
        if samples[0][0] > SECONDS / 2 - 20 or samples[-1][0] < SECONDS - soak.RSS_EVERY * 2:
            m["incomplete"] = True
    result["log"] = soak.log_summary(log_path)
    return result


class PathOf(dict):
    """Comment id → its article's path, from the posters' accepted posts (a poster's i-th
    post goes to paths["commented"][i % 10], its author is "Soak reader N-i")."""

    def __init__(self, rec, paths):
        super().__init__()
        self.rec, self.paths = rec, paths["commented"]

    def __contains__(self, pk):
        if not dict.__contains__(self, pk):
            with self.rec.lock:
                accepted = list(self.rec.accepted)
            for found, author in accepted:
                i = int(author.rsplit("-", 1)[1])
                self[found] = self.paths[i % len(self.paths)]
        return dict.__contains__(self, pk)


def failures(r):
    problems = []
    stopped = next((f for f in r["faults"] if f[0] == "app server stopped"), None)
    five = sum(
        n for bad in r["unexpected_outside_stop"].values() for s, n in bad.items() if s[0] == "5"
    )
    if five:
        problems.append(f"{five} 5xx outside the stopped server's window")
    if r["app_stop"] == "term" and r["5xx"]:
        # A graceful stop: nginx passes every request the stopping server refuses.
        problems.append(f"{r['5xx']} 5xx with the app server stopped gracefully")
    for kind, bad in r["unexpected_outside_stop"].items():
        problems.append(f"{kind}: unexpected answers outside the stopped server's window {bad}")
    c = r["comments"]
    if c["accepted_not_stored"] or c["stored"] != c["accepted"]:
        problems.append(f"{c['accepted']} posts accepted, {c['stored']} stored")
    if c["not_filed"]:
        problems.append(f"posts never checked: {c['not_filed'][:10]}")
    if c["two_results"]:
        problems.append(f"comments with two recorded results: {c['two_results'][:10]}")
    if r["mail"]["duplicates"]:
        problems.append(f"comments mailed about twice: {r['mail']['duplicates'][:10]}")
    if not r["mail"]["mails"]:
        problems.append("no held-comment mail was sent")
    if len(r["faults"]) != len(FAULTS):
        problems.append(f"not every fault happened: {r['faults']}")
    if stopped is None:
        problems.append("the app server was never stopped")
    a = r["approvals_visible"]
    if not a["probes"]:
        problems.append("no approval was probed")
    if a["never"]:
        problems.append(f"approvals never shown by an app server: {a['never'][:10]}")
    if a["answers_without_it_beyond_bound"]:
        problems.append(
            f"{a['answers_without_it_beyond_bound']} answers started over {BOUND_MAX} s after "
            "an approval without it"
        )
    for where, v in [("nginx", r["visibility"]), *r["visibility_per_server"].items()]:
        if v["missing"] or v["shown_unapproved"]:
            problems.append(
                f"after the run, through {where}: {v['missing'][:5]} not shown, "
                f"{v['shown_unapproved'][:5]} shown unapproved"
            )
    unrecorded = r["akismet"]["calls"] - r["akismet"]["recorded"]
    allowed = len(r["kills"]) + len(r["worker_restarts"])
    if unrecorded > allowed:
        problems.append(
            f"{unrecorded} calls to the stand-in no comment recorded (at most {allowed})"
        )
    for name, m in r["memory"].items():
        if m.get("incomplete"):
            continue  # started or stopped during the run (a fault): not a whole-run process
        if m["growth_pct"] >= soak.RSS_LIMIT:
            problems.append(f"{name}: RSS grew {m['growth_pct']} % (limit {soak.RSS_LIMIT} %)")
    if r["log"]["worker_timeouts"]:
        problems.append(f"log: {r['log']}")
    return [f"cluster, {r['database']}: {p}" for p in problems]


def table(r):
    lines = [
        f"\nsoak through the cluster, {r['database']} — {r['run_seconds']} s, "
        "Akismet failing 1 call in 5"
    ]
    lines.append(f"{'requests':24} {'count':>7} {'p50 ms':>7} {'p99 ms':>8}  statuses")
    for kind, d in r["requests"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in d["statuses"].items())
        lines.append(f"{kind:24} {d['count']:>7} {d['p50_ms']:>7} {d['p99_ms']:>8}  {statuses}")
    lines.append(
        "faults (name, from s, to s): "
        + ", ".join(map(str, r["faults"]))
        + f"; the app server stopped with {APP_STOPS[r['app_stop']].name}; 5xx in all: {r['5xx']}"
    )
    lines.append(
        f"{'window':32} {'from':>6} {'to':>6} {'req':>6} {'req/s':>6} {'5xx':>4} "
        f"{'read p50':>9} {'read p99':>9} {'post p50':>9} {'post p99':>9}  statuses"
    )
    for w in r["windows"]:
        lines.append(
            f"{w['window']:32} {w['from_s']:>6} {w['to_s']:>6} {w['requests']:>6} {w['per_s']:>6} "
            f"{w['5xx']:>4} {str(w['read_p50_ms']):>9} {str(w['read_p99_ms']):>9} "
            f"{str(w['post_p50_ms']):>9} {str(w['post_p99_ms']):>9}  {w['statuses']}"
        )
    c = r["comments"]
    lines.append(
        f"posts: {c['accepted']} accepted, {c['stored']} stored ({c['by_status']}); verdicts "
        f"{c['verdicts']}; never checked {len(c['not_filed'])}, errored and due for a re-check "
        f"{len(c['due_recheck'])}; two recorded results {len(c['two_results'])}"
    )
    lines.append(
        f"moderator: {c['approved_by_moderator']} approved in {c['approve_actions']} bulk actions"
    )
    a = r["approvals_visible"]
    lines.append(
        f"approvals visible to a new visitor per app server: {a['probes']} probes "
        f"{a['per_server']}, p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms, max {a['max_ms']} ms, "
        f"never {len(a['never'])}, answers after an approval without it "
        f"{a['answers_without_it']} "
        f"(bound p99 {BOUND_P99 * 1000:.0f} / max {BOUND_MAX * 1000:.0f} ms: "
        f"{'holds' if a['bound_holds'] else 'DOES NOT HOLD'})"
    )
    for name, w in r["approvals_by_window"].items():
        where = name if name == "outside the faults" else f"in the {name} window"
        lines.append(
            f"    approvals answered {where}: {w['probes']} probes, p50 {w['p50_ms']} ms, "
            f"p99 {w['p99_ms']} ms, max {w['max_ms']} ms"
        )
    m = r["mail"]
    lines.append(f"held-comment mail: {m['mails']} mails; mailed twice: {len(m['duplicates'])}")
    ak = r["akismet"]
    lines.append(
        f"Akismet stand-in: {ak['calls']} calls, {ak['failures_injected']} failed; recorded "
        f"{ak['recorded']}; drain {len(r['drain'])} sweeps, {r['drain'][-1]['waiting']} waiting"
    )
    lines.append(
        f"worker killed: {r['kills']}; workers restarted by the supervisor: {r['worker_restarts']}"
    )
    lines.append(f"{'RSS':>24} {'min1 last':>10} {'min2 last':>10} {'growth %':>9}  (MB)")
    for name, m in r["memory"].items():
        if m.get("incomplete"):
            lines.append(f"{name:>24} not running the whole time ({m['samples']} samples)")
        else:
            lines.append(
                f"{name:>24} {m['minute1_last_mb']:>10} {m['minute2_last_mb']:>10} "
                f"{m['growth_pct']:>9}"
            )
    lines.append(f"log: {r['log']}")
    return "\n".join(lines)


def main():
    if nginx_binary() is None:
        sys.exit("The cluster soak needs nginx: apt-get install nginx.")
    only = sys.argv[1:] or ["postgresql"]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results, problems = [], []
    for db in only:
        r = run_soak(db, RESULTS / f"soak-cluster-{stamp}-{db}.log")
        r["failures"] = failures(r)
        results.append(r)
        problems += r["failures"]
        print(table(r))
    out = RESULTS / f"soak-cluster-{stamp}.json"
    out.write_text(json.dumps({"results": results}, indent=2, default=str))
    print(f"\nwritten: {out.relative_to(ROOT)}")
    if problems:
        sys.exit("SOAK FAILED:\n  " + "\n  ".join(problems))
    print("SOAK PASSED")


if __name__ == "__main__":
    main()
