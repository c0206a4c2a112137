"""`make soak`: two minutes of mixed reads, comment posts and moderator approvals, with the
Akismet stand-in failing one call in five. Never part of `make test`.

It builds the bench's database and serves it with gunicorn exactly as `bench/run.py` does
(its set-up functions), then runs at once, each with a fixed number of threads: readers
(front, category and article pages, anonymous), posters (same-origin form posts, distinct
authors and texts), a moderator (logged in to the admin, bulk-approving through the queue's
"Approve" action every few seconds) and `recheck_comments` every 20 s; WORKERS queue
workers (`manage.py run_worker`, RQ on Redis) check, file and mail, and half-way through one
of them is killed with SIGKILL (its whole process group, as a machine dying would) and
started again. It samples each gunicorn worker's resident memory. After the run the sweep
runs until no soak comment waits for Akismet (DRAIN seconds at most). Then it checks: no 5xx
(no unexpected status at all), every accepted post stored and filed (none left pending
without Akismet's answer), no comment with two recorded results, no comment mailed about
twice (the mail is written to files, read back), no call to the stand-in that no comment
recorded beyond the one in flight per kill, every approved comment on its page for an
anonymous reader (and no pending one), each gunicorn worker's RSS growing less than 10 %
from minute 1 to minute 2. See bench/README.md.
"""

import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

# bench/ off the path (`python bench/soak.py` puts it first): bench/queue.py would stand in
# for the standard library's `queue`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402
    BIN,
    RESULTS,
    ROOT,
    free_port,
    percentile,
    prepare,
    run,
    start_server,
    start_stub,
    stop,
    workers,
)
from bench.run import environment as bench_environment  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", "120"))
FAIL_RATE = 0.2  # of the stand-in's calls: every 5th fails
FAIL_MODE = os.environ.get("SOAK_AKISMET_FAILURE", "500")  # or "slow": a timeout
DATABASES = {
    "sqlite": None,  # a file in the run's temporary folder
    "postgresql": "postgres://postgres@127.0.0.1:5432/newsroom_soak",
}
REDIS_DB = {"sqlite": 11, "postgresql": 10}  # the soak's own (the bench has 12 and 13)
READERS = 4  # threads, each one keep-alive connection, no pause
POSTERS = 4  # threads, each one keep-alive connection
POST_PAUSE = 0.25  # seconds between two posts of one poster: at most 16 posts/s
MODERATE_EVERY = 5  # seconds
RECHECK_EVERY = 20  # seconds
RSS_EVERY = 2  # seconds
RSS_LIMIT = 10  # % growth, minute 1 → minute 2
TIMEOUT = 30  # seconds, any request
WORKERS = 2  # queue workers (manage.py run_worker); one is killed half-way and restarted
QUEUE_DB = {"sqlite": 14, "postgresql": 15}  # RQ's Redis database (cache: 11, 10)
UNCHECKED_GRACE = 10  # seconds (UNCHECKED_GRACE_SECONDS): the sweep's wait for a lost check
DRAIN = 120  # seconds at most, after the run, for the sweep to settle every soak comment
DRAIN_EVERY = 5  # seconds between two sweeps while draining
MAIL_LINK = re.compile(r"/comments/comment/(\d+)/moderate/approve/")
QUEUE = "/admin/comments/comment/?status=pending&q=Soak+post+keep"


class Recorder:
    """Every response's status by kind, latencies, and what the workers did, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = defaultdict(Counter)
        self.latencies = defaultdict(list)
        self.accepted = []  # (pk, author) of every post answered 302
        self.approved = 0  # as the admin's message counts them
        self.approve_rounds = 0
        self.rechecks = []
        self.kills = []  # (seconds since start, pid killed, pid started)
        self.rss = defaultdict(list)  # pid -> [(seconds since start, kB)]
        self.t0 = time.monotonic()
        self.windows = defaultdict(Counter)  # 10-second window -> requests by kind

    def record(self, kind, status, seconds):
        window = int((time.monotonic() - self.t0) // 10) * 10
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(seconds)
            self.windows[window][kind] += 1


class Connection:
    """One keep-alive HTTP/1.1 connection to the server; reopened after a failure."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def request(self, method, path, body=None, headers=None):
        """(status or the exception's name, headers, text, seconds)."""
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body, headers or {})
            response = self.conn.getresponse()
            text = response.read().decode()
            status, got = response.status, response.headers
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            status, got, text = type(exc).__name__, None, ""
        return status, got, text, time.perf_counter() - start

    def close(self):
        self.conn.close()


def pick(rng, mix):
    """(kind, choices) of one entry of `mix`, with the entries' shares as probabilities."""
    x = rng.random()
    for share, kind, choices in mix:
        if x < share:
            return kind, choices
        x -= share
    return mix[-1][1:]


def reader(n, port, paths, rec, stop_event):
    """Anonymous readers (no cookie): the shared, cached pages."""
    rng = random.Random(n)
    conn = Connection(port)
    mix = [
        (0.15, "front", ["/"]),
        (0.30, "category", paths["categories"]),
        (0.35, "article (commented)", paths["commented"]),
        (0.20, "article (other)", paths["articles"]),
    ]
    headers = {"User-Agent": "Mozilla/5.0 (soak reader)"}
    while not stop_event.is_set():
        kind, choices = pick(rng, mix)
        status, _, _, seconds = conn.request("GET", rng.choice(choices), headers=headers)
        rec.record(kind, status, seconds)
    conn.close()


def poster(n, port, paths, tokens, counter, rec, stop_event):
    """A browser posting the article page's form (Origin, the form's token); three posts in
    four say "keep" (the moderator approves those), the fourth "later" (left pending)."""
    conn = Connection(port)
    base = f"http://127.0.0.1:{port}"
    while not stop_event.is_set():
        i = next(counter)
        path = paths["commented"][i % len(paths["commented"])]
        author = f"Soak reader {n}-{i}"
        mark = "later" if i % 4 == 3 else "keep"
        body = urllib.parse.urlencode(
            {
                "name": author,
                "email": f"soak{n}-{i}@example.com",
                "url": "",
                "comment": f"Soak post {i} from poster {n}: a view worth sharing ({mark}).",
                "token": tokens[path],
                "parent": "",
                "phone": "",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": base,
            "Referer": base + path,
            "User-Agent": "Mozilla/5.0 (soak poster)",
        }
        status, got, _, seconds = conn.request("POST", path + "comments/", body, headers)
        rec.record("comment post", status, seconds)
        if status == 302:
            match = re.search(r"#comment-(\d+)$", got.get("Location", ""))
            with rec.lock:
                rec.accepted.append((int(match.group(1)) if match else None, author))
        stop_event.wait(POST_PAUSE)
    conn.close()


class Browser(Connection):
    """A signed-in browser: keeps its cookies. Django's session and CSRF cookies are
    `Secure` in production settings; browsers send those to loopback over plain HTTP (a
    potentially trustworthy origin), and so does this one."""

    def __init__(self, port):
        super().__init__(port)
        self.cookies = {}
        self.base = f"http://127.0.0.1:{port}"

    def go(self, method, path, fields=None, referer=None):
        headers = {"User-Agent": "Mozilla/5.0 (soak moderator)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.base,
                    "Referer": self.base + (referer or path),
                }
            )
        status, got, text, seconds = self.request(method, path, body, headers)
        for cookie in (got.get_all("Set-Cookie") or []) if got else []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value in ("", '""') or "max-age=0" in cookie.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return status, got, text, seconds


def csrf_token(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def moderator(port, password, rec, stop_event):
    """Logs in to the admin, then every few seconds approves the waiting "keep" posts in
    bulk through the queue's "Approve" action (a POST with the CSRF token), as a moderator
    ticking the rows and choosing the action would; page after page until none is left."""
    browser = Browser(port)
    status, _, html, seconds = browser.go("GET", "/admin/login/?next=/admin/")
    rec.record("admin", status, seconds)
    fields = {
        "csrfmiddlewaretoken": csrf_token(html),
        "username": "soak-moderator",
        "password": password,
        "next": "/admin/",
    }
    status, got, _, seconds = browser.go("POST", "/admin/login/?next=/admin/", fields)
    rec.record("admin", status, seconds)
    if status != 302 or "sessionid" not in browser.cookies:
        rec.record("admin login", "failed", 0)
        return
    while not stop_event.wait(MODERATE_EVERY):
        # A keep-alive connection idle for MODERATE_EVERY seconds is closed by the server
        # (gunicorn's keepalive, 5 s): open a new one for each round, as a browser does.
        browser.close()
        for _ in range(10):  # pages of 50
            status, _, html, seconds = browser.go("GET", QUEUE)
            rec.record("admin", status, seconds)
            ids = re.findall(r'name="_selected_action" value="(\d+)"', html)
            if status != 200 or not ids:
                break
            fields = {
                "csrfmiddlewaretoken": csrf_token(html),
                "action": "approve",
                "_selected_action": ids,
                "index": "0",
                "select_across": "0",
            }
            status, got, _, seconds = browser.go("POST", QUEUE, fields)
            rec.record("admin approve", status, seconds)
            if status != 302:
                break
            status, _, html, seconds = browser.go("GET", got["Location"])
            rec.record("admin", status, seconds)
            done = re.search(r"Approve: (\d+) comment", html)
            with rec.lock:
                rec.approve_rounds += 1
                rec.approved += int(done.group(1)) if done else 0
    browser.close()


def soak_db(env, *args):
    out = run(
        [BIN / "python", "-m", "bench.soak_db", *args], env, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def rechecker(env, rec, stop_event):
    """cron's `recheck_comments`, every 20 s (bench/soak_db.py fast-forwards the back-off)."""
    while not stop_event.wait(RECHECK_EVERY):
        started = time.monotonic()
        result = soak_db(env, "recheck")
        result["seconds"] = round(time.monotonic() - started, 1)
        with rec.lock:
            rec.rechecks.append(result)


def sampler(master_pid, rec, stop_event, t0):
    """Each worker's VmRSS (resident memory now) from /proc, every RSS_EVERY seconds."""
    while True:
        now = time.monotonic() - t0
        for pid in workers(master_pid):
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if match:
                with rec.lock:
                    rec.rss[pid].append((round(now, 1), int(match.group(1))))
        if stop_event.wait(RSS_EVERY):
            return


def page_tokens(port, paths):
    tokens = {}
    for path in paths:
        conn = Connection(port)
        status, _, html, _ = conn.request("GET", path)
        conn.close()
        tokens[path] = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return tokens


def memory(rec, seconds):
    """Per worker: the last VmRSS sample of each minute (each half of the run) and its
    growth, minute 1 → minute 2 (the check: the worker's size once it has run a minute,
    and a minute later); the means of each minute are shown too, but the first minute's
    mean includes the start-up (imports, the first pages cached), so it is not the check.
    Also the growth within minute 2 (its first sample to its last)."""
    half = seconds / 2
    rows = {}
    for pid, samples in sorted(rec.rss.items()):
        first = [kb for t, kb in samples if t < half]
        second = [kb for t, kb in samples if half <= t <= seconds]
        if not first or not second:
            rows[pid] = {"samples": len(samples), "incomplete": True}
            continue
        mean1, mean2 = sum(first) / len(first), sum(second) / len(second)
        rows[pid] = {
            "samples": len(samples),
            "minute1_mean_mb": round(mean1 / 1024, 1),
            "minute2_mean_mb": round(mean2 / 1024, 1),
            "minute1_last_mb": round(first[-1] / 1024, 1),
            "minute2_last_mb": round(second[-1] / 1024, 1),
            "growth_pct": round((second[-1] - first[-1]) / first[-1] * 100, 2),
            "growth_mean_pct": round((mean2 - mean1) / mean1 * 100, 2),
            "growth_within_minute2_pct": round((second[-1] - second[0]) / second[0] * 100, 2),
            "series_mb": [(t, round(kb / 1024, 1)) for t, kb in samples],
        }
    return rows


def visibility(port, paths, stored):
    """Every approved soak comment is on its article's page for an anonymous reader, and
    no other soak comment is. The page cache is keyed on the versions an approval bumps,
    so this is exact, right after the run."""
    by_slug = {p.rstrip("/").rsplit("/", 1)[1]: p for p in paths["commented"]}
    missing, shown_unapproved, pages = [], [], {}
    for slug, path in by_slug.items():
        conn = Connection(port)
        status, _, html, _ = conn.request("GET", path, headers={"User-Agent": "soak check"})
        conn.close()
        shown = {int(pk) for pk in re.findall(r'id="comment-(\d+)"', html)}
        mine = [c for c in stored if c["article"] == slug]
        approved = {c["pk"] for c in mine if c["status"] == "approved"}
        others = {c["pk"] for c in mine if c["status"] != "approved"}
        missing += sorted(approved - shown)
        shown_unapproved += sorted(others & shown)
        pages[path] = {"status": status, "approved": len(approved), "shown": len(shown)}
    return {"missing": missing, "shown_unapproved": shown_unapproved, "pages": pages}


def stub_stats(stub_port):
    conn = http.client.HTTPConnection("127.0.0.1", stub_port, timeout=5)
    conn.request("GET", "/stats")
    stats = json.loads(conn.getresponse().read())
    conn.close()
    return stats


def start_worker(env, log):
    """A queue worker, in its own process group (RQ's work-horse is in it too)."""
    return subprocess.Popen(
        [BIN / "python", "manage.py", "run_worker"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=log,
        stderr=log,
    )


def stop_worker(proc, sig=signal.SIGTERM):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def killer(env, procs, log, rec, stop_event, at):
    """Half-way through: SIGKILL the first worker's process group (mid-job, most likely: the
    queue is never empty for long), then start another in its place."""
    if stop_event.wait(at):
        return
    victim = procs[0]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(10)
    procs[0] = start_worker(env, log)
    with rec.lock:
        rec.kills.append((round(time.monotonic() - rec.t0, 1), victim.pid, procs[0].pid))


def drain(env):
    """Sweep until no soak comment waits for Akismet, or DRAIN seconds: the sweeps."""
    started, sweeps = time.monotonic(), []
    while True:
        result = soak_db(env, "drain")
        result["at"] = round(time.monotonic() - started, 1)
        sweeps.append(result)
        if not result["waiting"] or time.monotonic() - started > DRAIN:
            return sweeps
        time.sleep(DRAIN_EVERY)


def mails(folder):
    """The comment ids the held-comment mails written to `folder` are about, in order."""
    ids = []
    for path in sorted(Path(folder).glob("*.log")):
        ids += [int(pk) for pk in MAIL_LINK.findall(path.read_text(errors="replace"))]
    return ids


def soak(db, log_path):
    tmp = Path(tempfile.mkdtemp(prefix="newsroom_soak_"))
    port, stub_port = free_port(), free_port()
    env, overrides = bench_environment(db, tmp, port, stub_port, DATABASES, REDIS_DB)
    queue = {
        "TASKS_URL": f"redis://127.0.0.1:6379/{QUEUE_DB[db]}",
        "UNCHECKED_GRACE_SECONDS": str(UNCHECKED_GRACE),
        "EMAIL_URL": f"filemail:///{tmp}/mail",  # held-comment mail, read back at the end
    }
    env.update(queue)
    overrides.update(queue)
    print(f"\n== soak, {db}: overrides of the production environment ==")
    for name, value in overrides.items():
        print(f"   {name}={value}")
    print(
        f"   (and in the data: flood interval 0, a Moderators-group user; gunicorn log {log_path})"
    )
    stub = server = None
    procs = []
    rec = Recorder()
    result = {"database": db, "seconds": SECONDS, "overrides": overrides}
    worker_log_path = str(log_path).replace("-gunicorn.log", "-workers.log")
    try:
        flush = ["redis-cli", "-n", str(QUEUE_DB[db]), "flushdb"]
        subprocess.run(flush, check=True, capture_output=True)
        prepare(db, env)
        password = secrets.token_urlsafe(16)
        paths = soak_db(env, "setup", password)
        stub = start_stub(stub_port, fail_rate=FAIL_RATE, fail_mode=FAIL_MODE)
        with open(log_path, "w") as log, open(worker_log_path, "w") as worker_log:
            since = time.time()
            procs += [start_worker(env, worker_log) for _ in range(WORKERS)]
            server = start_server(env, port, log)
            result["workers"] = workers(server.pid)
            tokens = page_tokens(port, paths["commented"])
            stop_event = threading.Event()
            counter = iter(range(10**9))
            t0 = rec.t0 = time.monotonic()
            threads = [threading.Thread(target=sampler, args=(server.pid, rec, stop_event, t0))]
            threads += [
                threading.Thread(target=reader, args=(n, port, paths, rec, stop_event))
                for n in range(READERS)
            ]
            threads += [
                threading.Thread(
                    target=poster, args=(n, port, paths, tokens, counter, rec, stop_event)
                )
                for n in range(POSTERS)
            ]
            threads.append(
                threading.Thread(target=moderator, args=(port, password, rec, stop_event))
            )
            threads.append(threading.Thread(target=rechecker, args=(env, rec, stop_event)))
            threads.append(
                threading.Thread(
                    target=killer, args=(env, procs, worker_log, rec, stop_event, SECONDS / 2)
                )
            )
            print(
                f"   running for {SECONDS} s: {READERS} readers, {POSTERS} posters, a moderator, "
                f"{WORKERS} queue workers (one killed at {SECONDS / 2:.0f} s and restarted)"
            )
            for t in threads:
                t.start()
            time.sleep(SECONDS)
            stop_event.set()
            for t in threads:
                t.join()
            result["run_seconds"] = round(time.monotonic() - t0, 1)
            result["workers_after"] = workers(server.pid)
            result["drain"] = drain(env)
            time.sleep(3)  # the last mail jobs
            report = soak_db(env, "report", str(since))
            stored = report["comments"]
            result["visibility"] = visibility(port, paths, stored)
            result["akismet"] = stub_stats(stub_port)
            result["akismet"]["recorded"] = report["recorded_calls"]
            mailed = Counter(mails(tmp / "mail"))
    finally:
        for proc in procs:
            stop_worker(proc)
        stop(server)
        stop(stub)
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
    by_status = Counter(c["status"] for c in stored)
    result["comments"] = {
        "accepted": len(rec.accepted),
        "accepted_without_id": sum(pk is None for pk, _ in rec.accepted),
        "stored": len(stored),
        "accepted_not_stored": sorted(accepted_pks - stored_pks),
        "stored_not_accepted": sorted(stored_pks - accepted_pks),
        "by_status": dict(by_status),
        "verdicts": dict(Counter(c["verdict"] for c in stored)),
        "approved_by_moderator": rec.approved,
        "approve_actions": rec.approve_rounds,
        # pending without Akismet's answer: not filed
        "not_filed": sorted(
            c["pk"]
            for c in stored
            if c["status"] == "pending" and c["verdict"] in ("unchecked", "error")
        ),
        "two_results": sorted(c["pk"] for c in stored if c["results"] > 1),
        "without_result": sum(c["results"] == 0 for c in stored),
    }
    mine = {c["pk"] for c in stored}
    result["mail"] = {
        "mails": sum(n for pk, n in mailed.items() if pk in mine),
        "comments_mailed": sum(1 for pk in mailed if pk in mine),
        "marked_mailed": sum(c["mailed"] for c in stored),
        "duplicates": sorted(pk for pk, n in mailed.items() if n > 1),
    }
    result["kills"] = rec.kills
    result["rechecks"] = rec.rechecks
    result["requests_per_10s"] = {w: dict(c) for w, c in sorted(rec.windows.items())}
    result["memory"] = memory(rec, SECONDS)
    result["log"] = log_summary(log_path)
    result["worker_log"] = log_summary(worker_log_path)
    return result


def log_summary(path):
    text = Path(path).read_text(errors="replace")
    return {
        "tracebacks": text.count("Traceback"),
        "akismet_warnings": text.count("Akismet check of comment"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "lines": text.count("\n"),
    }


def failures(r):
    problems = []
    for kind, data in r["requests"].items():
        expected = {"comment post": {"302"}, "admin approve": {"302"}}.get(kind, {"200"})
        if kind == "admin":
            expected = {"200", "302"}
        bad = {s: n for s, n in data["statuses"].items() if s not in expected}
        if bad:
            problems.append(f"{kind}: unexpected answers {bad}")
        if any(s.startswith("5") for s in bad):
            problems.append(f"{kind}: 5xx answers")
    c = r["comments"]
    if c["accepted_not_stored"] or c["accepted_without_id"]:
        problems.append(f"accepted posts not stored: {c['accepted_not_stored'][:10]}")
    if c["stored"] != c["accepted"]:
        problems.append(f"{c['accepted']} posts accepted, {c['stored']} stored")
    if c["not_filed"]:
        problems.append(f"posts left waiting for Akismet: {c['not_filed'][:10]}")
    if c["two_results"]:
        problems.append(f"comments with two recorded results: {c['two_results'][:10]}")
    m = r["mail"]
    if m["duplicates"]:
        problems.append(f"comments mailed about twice: {m['duplicates'][:10]}")
    if not m["mails"]:
        problems.append("no held-comment mail was sent")
    if len(r["kills"]) != 1:
        problems.append(f"the worker was to be killed once: {r['kills']}")
    unrecorded = r["akismet"]["calls"] - r["akismet"]["recorded"]
    if unrecorded > len(r["kills"]):
        problems.append(
            f"{unrecorded} calls to the stand-in no comment recorded "
            f"(at most {len(r['kills'])}: the call in flight when a worker was killed)"
        )
    if not c["approved_by_moderator"]:
        problems.append("the moderator approved nothing")
    v = r["visibility"]
    if v["missing"]:
        problems.append(f"approved comments not shown: {v['missing'][:10]}")
    if v["shown_unapproved"]:
        problems.append(f"unapproved comments shown: {v['shown_unapproved'][:10]}")
    if any(p["status"] != 200 for p in v["pages"].values()):
        problems.append("an article page did not answer 200 after the run")
    if not r["akismet"]["failures_injected"]:
        problems.append("no Akismet failure was injected")
    if not r["rechecks"]:
        problems.append("recheck_comments never ran")
    if sorted(r["workers"]) != sorted(r["workers_after"]):
        problems.append(f"workers changed: {r['workers']} → {r['workers_after']}")
    for pid, m in r["memory"].items():
        if m.get("incomplete"):
            problems.append(f"worker {pid}: not sampled in both minutes")
        elif m["growth_pct"] >= RSS_LIMIT:
            problems.append(f"worker {pid}: RSS grew {m['growth_pct']} % (limit {RSS_LIMIT} %)")
    if r["log"]["tracebacks"] or r["log"]["worker_timeouts"]:
        problems.append(f"gunicorn log: {r['log']}")
    return [f"{r['database']}: {p}" for p in problems]


def table(r):
    lines = [f"\nsoak, {r['database']} — {r['run_seconds']} s, Akismet failing 1 call in 5"]
    lines.append(f"{'requests':24} {'count':>7} {'p50 ms':>7} {'p99 ms':>8}  statuses")
    for kind, d in r["requests"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in d["statuses"].items())
        lines.append(f"{kind:24} {d['count']:>7} {d['p50_ms']:>7} {d['p99_ms']:>8}  {statuses}")
    c = r["comments"]
    lines.append(
        f"posts: {c['accepted']} accepted, {c['stored']} stored "
        f"({', '.join(f'{k} {n}' for k, n in sorted(c['by_status'].items()))}); "
        f"verdicts {c['verdicts']}"
    )
    lines.append(
        f"moderator: {c['approved_by_moderator']} approved in {c['approve_actions']} bulk actions"
    )
    v = r["visibility"]
    shown = sum(p["approved"] for p in v["pages"].values())
    lines.append(
        f"visible: {shown - len(v['missing'])} of {shown} approved on their pages; "
        f"unapproved shown: {len(v['shown_unapproved'])}"
    )
    lines.append(
        f"filed: {c['stored'] - len(c['not_filed'])} of {c['stored']} "
        f"(left waiting for Akismet: {len(c['not_filed'])}); two recorded results: "
        f"{len(c['two_results'])}; no result (decided by a person first, or no call): "
        f"{c['without_result']}"
    )
    m = r["mail"]
    lines.append(
        f"held-comment mail: {m['mails']} mails about {m['comments_mailed']} comments "
        f"({m['marked_mailed']} marked mailed); mailed twice: {len(m['duplicates'])}"
    )
    lines.append(
        "queue workers killed (s, pid killed, pid started): "
        + (", ".join(map(str, r["kills"])) or "none")
        + f"; drain: {len(r['drain'])} sweeps, {r['drain'][-1]['waiting']} still waiting "
        f"after {r['drain'][-1]['at']} s"
    )
    a = r["akismet"]
    rechecked = "; ".join(x["output"] for x in r["rechecks"])
    lines.append(
        f"Akismet stand-in: {a['calls']} calls, {a['failures_injected']} failed; "
        f"recorded by comments: {a['recorded']}, not recorded: {a['calls'] - a['recorded']}"
    )
    lines.append(f"recheck_comments ×{len(r['rechecks'])}: {rechecked}")
    lines.append(
        f"{'RSS: worker':>12} {'min1 last':>10} {'min2 last':>10} {'growth %':>9} "
        f"{'min1 mean':>10} {'min2 mean':>10} {'growth %':>9} {'in min2 %':>9}  (MB)"
    )
    for pid, m in r["memory"].items():
        if m.get("incomplete"):
            lines.append(f"{pid:>12} incomplete ({m['samples']} samples)")
            continue
        lines.append(
            f"{pid:>12} {m['minute1_last_mb']:>10} {m['minute2_last_mb']:>10} "
            f"{m['growth_pct']:>9} {m['minute1_mean_mb']:>10} {m['minute2_mean_mb']:>10} "
            f"{m['growth_mean_pct']:>9} {m['growth_within_minute2_pct']:>9}"
        )
    lines.append(
        "requests per 10 s: "
        + ", ".join(f"{w}s {sum(c.values())}" for w, c in r["requests_per_10s"].items())
    )
    lines.append(f"gunicorn log: {r['log']}")
    lines.append(f"queue workers' log: {r['worker_log']}")
    return "\n".join(lines)


def main():
    only = sys.argv[1:] or ["sqlite"]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results, problems = [], []
    for db in only:
        log_path = RESULTS / f"soak-{stamp}-{db}-gunicorn.log"
        r = soak(db, log_path)
        r["failures"] = failures(r)
        results.append(r)
        problems += r["failures"]
        print(table(r))
    out = RESULTS / f"soak-{stamp}.json"
    out.write_text(json.dumps({"results": results}, indent=2))
    print(f"\nwritten: {out.relative_to(ROOT)}")
    if problems:
        sys.exit("SOAK FAILED:\n  " + "\n  ".join(problems))
    print("SOAK PASSED")


if __name__ == "__main__":
    main()
