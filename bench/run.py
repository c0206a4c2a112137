"""`make bench`: the site's pages and comment posting under load, on SQLite and PostgreSQL.

Each run builds its own database (bench/seed.py), serves it with gunicorn exactly as the
README's production section says (the same command; gunicorn.conf.py in the checkout), and
drives it with wrk. Every override of the production environment is printed. See
bench/README.md for the design and how to read the table.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `python bench/run.py` puts bench/ first on the path, where bench/queue.py would stand in for
# the standard library's `queue` (which multiprocessing, the posting client's, imports).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = 16
AKISMET_DELAY = 0.05
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASES = {
    "sqlite": None,  # a file in the run's temporary folder
    "postgresql": "postgres://postgres@127.0.0.1:5432/newsroom_bench",
}
REDIS_DB = {"sqlite": 13, "postgresql": 12}
TARGETS = [  # name, path ("{busy}" and "{quiet}" are filled in)
    ("article, 300 comments", "{busy}"),
    ("article, 0 comments", "{quiet}"),
    ("category page", "/today/world/"),
    ("front page", "/"),
    ("site feed", "/feed/"),
    # A selective query (one article) and a broad one (nearly every article): bench/README.
    ("search", "/search/?q=report+number+1234"),
    ("search, broad", "/search/?q=generated"),
    ("framework limit (same bytes, Django)", "/bench/same-bytes/"),
    ("machine limit (same bytes, static)", "/static/bench/page.html"),
]
FRAMEWORK_LIMIT = "framework limit (same bytes, Django)"
# BENCH_TARGETS=search,front: only the rows of TARGETS, RETURNING and STORMS whose names
# contain one of the words (and the framework limit, for the ratios); the engine, posting and
# queue rows are left out.
ONLY = [w.strip() for w in os.environ.get("BENCH_TARGETS", "").split(",") if w.strip()]


def selected(name):
    return not ONLY or name == FRAMEWORK_LIMIT or any(word in name for word in ONLY)


# A reader who ticked "save my name" (the form's three cookies), and a signed-in editor.
AUTHOR_COOKIE = (
    "comment_author=Returning%20Reader; comment_author_email=returning%40example.com; "
    "comment_author_url=https%3A//example.com/"
)
RETURNING = [  # name, path, cookie ("{session}": a signed-in editor's session cookie)
    ("returning reader (saved name), 300 comments", "{busy}", AUTHOR_COOKIE),
    ("signed-in editor, 300 comments", "{busy}", "{session}"),
]
# The moderator's storm: 5 status changes a second on the busy article while it is read.
STORM_RATE = 5
STORMS = [
    ("storm: 300 comments + 5 approvals/s", "approve"),
    ("storm: 300 comments + 5 unapprovals/s", "unapprove"),
]
STORM_PROBES = 2  # threads fetching the page with no cookie, each on a new connection
# A probe starts a fetch every this many seconds (the two staggered: one every 10 ms): a
# resolution far finer than the 1 s visibility target, at ~100 fetches/s instead of as many
# as two looping threads manage, which took their share of the server's and client's CPU.
STORM_PROBE_INTERVAL = 0.02
# The engine: nothing rendered is reused between requests (no shared cache, no copies).
ENGINE_ENV = {"CACHE_URL": "dummycache://", "PAGE_COPIES": "0"}
ENGINE = [
    ("engine: article, 300 comments", "{busy}"),
    ("engine: article, 3 comments", "{small}"),
    ("engine: article, 0 comments", "{quiet}"),
    ("engine: front page", "/"),
    ("engine: category page", "/today/world/"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's package (apt-get install wrk)")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        return
    sys.exit("The bench needs wrk: run `sudo apt-get install wrk` (Debian/Ubuntu), then again.")


def environment(db, tmp, port, stub_port, databases=DATABASES, redis_db=REDIS_DB):
    """The production environment of the README, and the bench's overrides (printed).
    The soak passes its own database names and Redis databases."""
    url = databases[db] or f"sqlite:///{tmp}/newsroom_bench.sqlite3"
    overrides = {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",  # plain HTTP on loopback: no TLS proxy
        "DATABASE_URL": url,
        "CACHE_URL": f"redis://127.0.0.1:6379/{redis_db[db]}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "ROOT_URLCONF": "bench.urls",  # + the framework-limit view
        "AKISMET_API_KEY": "bench-key",
        "AKISMET_API_URL": f"http://127.0.0.1:{stub_port}",  # stand-in answering after 50 ms
        "AKISMET_IS_TEST": "true",
        "EMAIL_URL": "dummymail://",  # held-comment mail goes nowhere
        "LOG_LEVEL": "WARNING",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(overrides)
    return env, overrides


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kw)


def prepare(db, env):
    """A fresh database (the one in env's DATABASE_URL) and Redis database (CACHE_URL's),
    migrated, static files collected, seeded (bench/seed.py)."""
    if db == "postgresql":
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            run(["psql", PG_ADMIN, "-q", "-c", sql], env)
    redis_db = env["CACHE_URL"].rsplit("/", 1)[1]
    subprocess.run(["redis-cli", "-n", redis_db, "flushdb"], check=True, capture_output=True)
    run([BIN / "python", "manage.py", "migrate", "--noinput", "-v0"], env)
    run([BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], env)
    host = env["SITE_URL"].split("://")[1]
    out = run([BIN / "python", "-m", "bench.seed", host], env, capture_output=True, text=True)
    print("   data:", out.stdout.strip())
    paths = run(
        [BIN / "python", "manage.py", "shell", "-v0", "-c", SHELL_PATHS],
        env,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {"busy": paths[0], "quiet": paths[1], "small": paths[2]}


SHELL_PATHS = (
    "from articles.models import Article as A;"
    "print(A.objects.get(slug='generated-1').get_absolute_url());"
    "print(A.objects.get(slug='generated-2').get_absolute_url());"
    "print(A.objects.get(slug='generated-3').get_absolute_url())"
)
SHELL_COUNT = (
    "from comments.models import Comment;"
    "print(Comment.objects.filter(body__startswith='Bench post ').count())"
)


def start_server(env, port, log=None):
    """The README's command, on the bench's port (gunicorn.conf.py sets the workers);
    its output goes to `log` (an open file) if given."""
    cmd = [BIN / "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=log)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    time.sleep(0.5)
    return proc


def start_stub(port, delay=AKISMET_DELAY, fail_rate=0.0, fail_mode="500"):
    """The stand-in Akismet (tests/akismet_stub.py) answering after `delay` seconds;
    `fail_rate` of its calls fail as `fail_mode` says (the soak)."""
    cmd = [BIN / "python", "-m", "tests.akismet_stub", str(port), str(delay)]
    if fail_rate:
        cmd += [str(fail_rate), fail_mode]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc


def stop(proc):
    if proc and proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)


def workers(master_pid):
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            pids.append(int(status.parent.name))
    return sorted(pids)


def server_cpu(master_pid):
    """CPU seconds (user and system) the gunicorn workers have used so far."""
    ticks = 0
    for pid in workers(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_request(master_pid, measure, *args):
    """`measure(*args)`'s numbers with the server's CPU milliseconds per request it served
    (`cpu_ms`: the workers' CPU time over the requests, wrk's and a storm's probes'),
    which a machine shared with other load changes far less than the request rate."""
    before = server_cpu(master_pid)
    numbers = measure(*args)
    served = numbers["requests"] + numbers.get("storm", {}).get("probes", 0)
    numbers["cpu_ms"] = round((server_cpu(master_pid) - before) * 1000 / max(served, 1), 3)
    return numbers


def peak_rss_mb(master_pid):
    """VmHWM (peak resident memory) of each gunicorn worker, in MB."""
    peaks = []
    for pid in workers(master_pid):
        match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
        if match:
            peaks.append(round(int(match.group(1)) / 1024, 1))
    return peaks


def first_request_ms(base, path):
    start = time.perf_counter()
    with urllib.request.urlopen(base + path) as response:
        response.read()
        status = response.status
    return round((time.perf_counter() - start) * 1000, 1), status


def wrk(base, path, seconds, cookie=None, connections=CONNECTIONS):
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(4, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *headers,
            "-s",
            str(ROOT / "bench" / "report.lua"),
            base + path,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.split("BENCH_JSON ", 1)[1].splitlines()[0])
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    return data


# The posting client: CONNECTIONS browsers as threads spread over this many processes. One
# process of 16 threads spent ~0.5 ms of CPU per post under one GIL, so at a few hundred
# posts/s on two shared cores the client itself was what was measured.
POST_PROCESSES = int(os.environ.get("BENCH_POST_PROCESSES", "4"))


def _browsers(port, path, token, deadline, first, count, out, series=0):
    """Browsers `first` … `first + count - 1` (threads of this process) posting until
    `deadline` (time.time()); puts (accepted, errors, latencies, cpu seconds) on `out`.
    `series`: another number gives other texts (and names), so a second call on the same
    article posts no duplicates."""
    lock = threading.Lock()
    results = {"accepted": 0, "errors": [], "latencies": []}
    # Distinct texts across processes and series.
    counter = iter(range(series * 10**9 + first * 10**7, (series + 1) * 10**9))

    def browser(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < deadline:
            with lock:
                i = next(counter)
            body = urllib.parse.urlencode(
                {
                    "name": f"Bench reader {n}-{i}",
                    "email": f"reader{n}-{i}@example.com",
                    "url": "",
                    "comment": f"Bench post {i} from browser {n}: a view worth sharing.",
                    "token": token,
                    "parent": "",
                    "phone": "",
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{port}",
                "Referer": f"http://127.0.0.1:{port}{path}",
                "User-Agent": "Mozilla/5.0 (bench)",
            }
            start = time.perf_counter()
            try:
                conn.request("POST", path + "comments/", body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as exc:
                status = repr(exc)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - start
            with lock:
                results["latencies"].append(elapsed)
                if status == 302:
                    results["accepted"] += 1
                else:
                    results["errors"].append(status)
        conn.close()

    threads = [threading.Thread(target=browser, args=(n,)) for n in range(first, first + count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = os.times()
    out.put((results, usage.user + usage.system))


def post_comments(port, path, seconds, series=0):
    """16 browsers posting at once, each a same-origin form post (Origin, the form's token,
    a distinct author and text), for `seconds`, from POST_PROCESSES processes. Calls with
    different `series` post different texts. Returns {accepted, errors, latencies,
    client_cpu_s}."""
    import multiprocessing

    html = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read().decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    deadline = time.time() + seconds
    processes = max(1, min(POST_PROCESSES, CONNECTIONS))
    shares = [CONNECTIONS // processes + (k < CONNECTIONS % processes) for k in range(processes)]
    starts = [sum(shares[:k]) for k in range(processes)]
    procs = [
        context.Process(target=_browsers, args=(port, path, token, deadline, first, n, out, series))
        for first, n in zip(starts, shares, strict=True)
    ]
    for proc in procs:
        proc.start()
    results = {"accepted": 0, "errors": [], "latencies": [], "client_cpu_s": 0.0}
    for _ in procs:
        part, cpu = out.get(timeout=seconds + 120)
        results["accepted"] += part["accepted"]
        results["errors"] += part["errors"]
        results["latencies"] += part["latencies"]
        results["client_cpu_s"] += cpu
    for proc in procs:
        proc.join()
    results["client_cpu_s"] = round(results["client_cpu_s"], 2)
    return results


HOSTILE_BODY = "http://a.co/" + ")" * 65_000  # once ~4.9 s: quadratic link trimming
HOSTILE_POSTS = 3


def hostile_posts(port, path):
    """A few posts of one 65,012-character comment, an address followed by 65,000 ')',
    one after another: the time of each (ms) and its status. Returns (ms, statuses)."""
    html = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read().decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    times, statuses = [], []
    for n in range(HOSTILE_POSTS):
        body = urllib.parse.urlencode(
            {
                "name": f"Bench brackets {n}",
                "email": f"brackets{n}@example.com",
                "comment": HOSTILE_BODY,
                "token": token,
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
            "User-Agent": "Mozilla/5.0 (bench)",
        }
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = time.perf_counter()
        conn.request("POST", path + "comments/", body, headers)
        response = conn.getresponse()
        response.read()
        times.append(round((time.perf_counter() - start) * 1000, 1))
        statuses.append(response.status)
        conn.close()
    return times, statuses


COMMENT_ID = re.compile(rb'<li id="comment-(\d+)"')


def storm(env, port, path, action, seconds):
    """wrk reads `path` for `seconds` while bench/moderator.py changes a storm comment's
    status STORM_RATE times a second (`action`: approve or unapprove) through
    `change_status`, and STORM_PROBES threads fetch the page as a new visitor (new
    connection, no cookie; each starting one every STORM_PROBE_INTERVAL), noting which
    comments each response shows. Returns wrk's
    numbers and, per change, the seconds from its commit until a probe that started after
    it shows it (approve), or the probes started after it that still showed it (unapprove)."""
    helper = subprocess.Popen(
        [BIN / "python", "-m", "bench.moderator", action, str(STORM_RATE), str(seconds)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    changes, probes, done = [], [], threading.Event()
    cpu, lock = {"probes": 0.0, "moderator": None}, threading.Lock()  # CPU seconds

    def read_helper():
        for line in helper.stdout:
            if line.startswith("CHANGED "):
                _word, pk, at = line.split()
                changes.append((int(pk), float(at)))
            elif line.startswith("CPU "):
                cpu["moderator"] = float(line.split()[1])

    def probe(n):
        next_start = time.monotonic() + n * STORM_PROBE_INTERVAL / STORM_PROBES
        while not done.is_set():
            if (wait := next_start - time.monotonic()) > 0:
                done.wait(wait)
            next_start = max(next_start + STORM_PROBE_INTERVAL, time.monotonic())
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.time()
            try:
                conn.request("GET", path)
                body = conn.getresponse().read()
            except OSError:
                body = b""
            finally:
                conn.close()
            ids = {int(i) for i in COMMENT_ID.findall(body)}
            probes.append((started, time.time(), ids))
        with lock:
            cpu["probes"] += time.thread_time()

    threads = [threading.Thread(target=read_helper)]
    threads += [threading.Thread(target=probe, args=(n,)) for n in range(STORM_PROBES)]
    for t in threads:
        t.start()
    try:
        numbers = wrk(f"http://127.0.0.1:{port}", path, seconds)
        helper.wait(30)
        time.sleep(2)  # the last change's probes
    finally:
        done.set()
        stop(helper)
        for t in threads:
            t.join()
    probes.sort()
    delays, never, stale = [], 0, []
    for pk, at in changes:
        after = [p for p in probes if p[0] >= at]
        if action == "approve":
            shown = next((end - at for start, end, ids in after if pk in ids), None)
            if shown is None:
                never += 1
            else:
                delays.append(shown)
        else:
            stale += [(pk, round(start - at, 3)) for start, end, ids in after if pk in ids]
    numbers["storm"] = {
        "action": action,
        "expected": int(STORM_RATE * seconds),
        "helper_status": helper.returncode,
        "changes": len(changes),
        "probes": len(probes),
        "visible_p99_ms": round(percentile(delays, 99) * 1000, 1),
        "visible_max_ms": round(max(delays, default=0) * 1000, 1),
        "never_shown": never,
        "stale_after_unapproval": stale[:20],
        "stale_count": len(stale),
        "probe_cpu_s": round(cpu["probes"], 2),
        "moderator_cpu_s": cpu["moderator"],
    }
    return numbers


def editor_session(env):
    out = run(
        [BIN / "python", "-m", "bench.moderator", "session"], env, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0


def engine_rows(result, env, paths):
    """The ENGINE rows (those BENCH_TARGETS selects): a second server with nothing cached."""
    rows = [(name, path) for name, path in ENGINE if selected(name)]
    if not rows:
        return
    engine_port = free_port()
    engine_env = {**env, **ENGINE_ENV}
    engine = start_server(engine_env, engine_port)
    try:
        engine_base = f"http://127.0.0.1:{engine_port}"
        for name, path in rows:
            path = path.format(**paths)
            ms, status = first_request_ms(engine_base, path)
            wrk(engine_base, path, WARMUP)
            numbers = cpu_per_request(engine.pid, wrk, engine_base, path, SECONDS)
            result["targets"][name] = {"path": path, "cold_ms": ms, "cold_status": status}
            result["targets"][name].update(numbers)
            print(f"   {name}: {numbers['rps']} req/s, p99 {numbers['p99_us'] / 1000:.1f} ms")
    finally:
        stop(engine)


def bench(db):
    tmp = Path(tempfile.mkdtemp(prefix="newsroom_bench_"))
    port, stub_port = free_port(), free_port()
    env, overrides = environment(db, tmp, port, stub_port)
    print(f"\n== {db}: overrides of the production environment ==")
    for name, value in overrides.items():
        print(f"   {name}={value}")
    stub = server = None
    result = {"database": db, "overrides": overrides, "targets": {}}
    try:
        started = time.monotonic()
        paths = prepare(db, env)
        result["seed_seconds"] = round(time.monotonic() - started, 1)
        stub = start_stub(stub_port)
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        targets = [(name, path.format(**paths)) for name, path in TARGETS if selected(name)]
        for name, path in targets:  # cold: the first request after start, empty cache
            ms, status = first_request_ms(base, path)
            result["targets"][name] = {"path": path, "cold_ms": ms, "cold_status": status}
        for name, path in targets:
            wrk(base, path, WARMUP)
            numbers = cpu_per_request(server.pid, wrk, base, path, SECONDS)
            result["targets"][name].update(numbers)
            print(f"   {name}: {numbers['rps']} req/s, p99 {numbers['p99_us'] / 1000:.1f} ms")
        paths["session"] = editor_session(env)
        for name, path, cookie in [row for row in RETURNING if selected(row[0])]:
            path, cookie = path.format(**paths), cookie.format(**paths)
            wrk(base, path, WARMUP, cookie)
            numbers = cpu_per_request(server.pid, wrk, base, path, SECONDS, cookie)
            result["targets"][name] = {"path": path, **numbers}
            print(f"   {name}: {numbers['rps']} req/s, p99 {numbers['p99_us'] / 1000:.1f} ms")
        for name, action in STORMS:
            numbers = cpu_per_request(server.pid, storm, env, port, paths["busy"], action, SECONDS)
            result["targets"][name] = {"path": paths["busy"], **numbers}
            print(f"   {name}: {numbers['rps']} req/s, p99 {numbers['p99_us'] / 1000:.1f} ms")
            print(f"      {numbers['storm']}")
        engine_rows(result, env, paths)
        if ONLY:  # the selected rows only: no posting or queue rows
            return result
        posting = post_comments(port, paths["busy"], SECONDS)
        stored = int(
            run(
                [BIN / "python", "manage.py", "shell", "-v0", "-c", SHELL_COUNT],
                env,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        lat = posting["latencies"]
        result["posting"] = {
            "accepted": posting["accepted"],
            "errors": len(posting["errors"]),
            "error_samples": [str(e) for e in posting["errors"][:5]],
            "posts_per_s": round(posting["accepted"] / SECONDS, 1),
            "p50_ms": round(percentile(lat, 50) * 1000, 1),
            "p99_ms": round(percentile(lat, 99) * 1000, 1),
            "stored": stored,
        }
        print(f"   posting: {result['posting']}")
        times, statuses = hostile_posts(port, paths["busy"])
        result["hostile_post"] = {"ms": times, "statuses": statuses}
        print(f"   one 65,000-bracket comment: {times} ms, statuses {statuses}")
        result["peak_rss_mb_per_worker"] = peak_rss_mb(server.pid)
        from bench import queue as queue_rows  # the queue's rows (bench/queue.py)

        result["queue"] = queue_rows.rows(db, env, paths)
    finally:
        stop(server)
        stop(stub)
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def table(results):
    lines = []
    for r in results:
        limit = r["targets"][FRAMEWORK_LIMIT]["rps"]
        lines.append(f"\n{r['database']} — {CONNECTIONS} connections, {SECONDS} s per target")
        lines.append(
            f"{'target':44} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'errors':>6} {'cold ms':>8} {'cpu ms':>7}"
        )
        for name, t in r["targets"].items():
            lines.append(
                f"{name:44} {t['rps']:>8} {t['rps'] / limit:>6.3f} {t['p50_us'] / 1000:>7.1f} "
                f"{t['p99_us'] / 1000:>7.1f} {t['non_2xx_3xx'] + t['socket_errors']:>6} "
                f"{t.get('cold_ms', ''):>8} {t.get('cpu_ms', ''):>7}"
            )
            if s := t.get("storm"):
                lines.append(
                    f"{'':4}{s['changes']} {s['action']}s, {s['probes']} probes: "
                    + (
                        f"visible to a new visitor after p99 {s['visible_p99_ms']} ms, "
                        f"max {s['visible_max_ms']} ms, never {s['never_shown']}"
                        if s["action"] == "approve"
                        else f"served after its unapproval: {s['stale_count']} times"
                    )
                    + f"; CPU s: probes {s.get('probe_cpu_s')}, "
                    + f"moderator {s.get('moderator_cpu_s')}"
                )
        if "posting" not in r:  # BENCH_TARGETS: the pages' rows only
            continue
        p = r["posting"]
        lines.append(
            f"{'comment posting (Akismet 50 ms)':44} {p['posts_per_s']:>8} {'':>6} "
            f"{p['p50_ms']:>7} {p['p99_ms']:>7} {p['errors']:>6}   "
            f"accepted {p['accepted']}, stored {p['stored']}"
        )
        h = r["hostile_post"]
        label = "one 65,012-char comment (65,000 ')')"
        lines.append(
            f"{label:44} {'':>8} {'':>6} "
            f"{sorted(h['ms'])[len(h['ms']) // 2]:>7} {max(h['ms']):>7} "
            f"{sum(s != 302 for s in h['statuses']):>6}   ms of {len(h['ms'])} posts: {h['ms']}"
        )
        lines.append(f"peak RSS per worker (MB): {r['peak_rss_mb_per_worker']}")
        from bench import queue as queue_rows

        lines += queue_rows.table_lines(r.get("queue"))
    return "\n".join(lines)


def failures(results):
    problems = []
    for r in results:
        for name, t in r["targets"].items():
            if t["non_2xx_3xx"] or t["socket_errors"] or t.get("cold_status", 200) != 200:
                problems.append(f"{r['database']}: {name}: error responses")
            storm_ = t.get("storm", {})
            if storm_ and (storm_["helper_status"] or storm_["changes"] < storm_["expected"]):
                problems.append(
                    f"{r['database']}: {name}: the moderator made {storm_['changes']} of "
                    f"{storm_['expected']} changes (exit status {storm_['helper_status']})"
                )
            if storm_.get("stale_count"):
                problems.append(
                    f"{r['database']}: {name}: an unapproved comment was served after its "
                    f"unapproval committed {t['storm']['stale_after_unapproval']}"
                )
        if "posting" not in r:
            continue
        p = r["posting"]
        if p["errors"]:
            problems.append(f"{r['database']}: posting: {p['errors']} errors {p['error_samples']}")
        if any(s != 302 for s in r["hostile_post"]["statuses"]):
            problems.append(f"{r['database']}: the 65,000-bracket comment was not accepted")
        if p["stored"] != p["accepted"]:
            problems.append(
                f"{r['database']}: {p['accepted']} posts accepted, {p['stored']} stored"
            )
        from bench import queue as queue_rows

        problems += queue_rows.failures(r)
    return problems


def main():
    if os.environ.get("BENCH_SCALE") == "large":  # both sizes side by side: bench/scale.py
        sys.path.insert(0, str(ROOT))
        from bench import scale

        return scale.main()
    need_wrk()
    started = time.monotonic()
    only = sys.argv[1:] or list(DATABASES)
    results = [bench(db) for db in only]
    text = table(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = {"seconds": SECONDS, "connections": CONNECTIONS, "results": results}
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(out, indent=2))
    (RESULTS / f"bench-{stamp}.txt").write_text(text + "\n")
    print(f"\nwritten: bench/results/bench-{stamp}.json; {time.monotonic() - started:.0f} s in all")
    if problems := failures(results):
        sys.exit("BENCH FAILED:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
