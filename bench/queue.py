"""The queue's rows of `make bench` (called from bench/run.py; also `python bench/queue.py
[sqlite|postgresql …]` on its own, which seeds a database first).

- **Comment POST** with the Akismet stand-in answering after 50 ms and after 2 s: posts/s,
  p50 and p99 (16 browsers, as run.py's posting row, after WARMUP seconds of posts not
  counted; no worker running, so the request's own cost is what is measured), beside the
  cached read of the busy article on the 50 ms server. The two servers are up together
  and the rows alternate in PARTS parts (50 ms, 2 s, 2 s, 50 ms; SECONDS in all per row);
  a row's numbers are over all its parts, each part's printed too. Run on the code before
  the queue too (bench/README.md), where the POST waited on Akismet.
- **Checks per second** with 1, 2 and 4 workers (`manage.py run_worker` processes) on RQ
  (Redis), and 1 and 2 on the database queue, against the 50 ms stand-in: CHECKS comments
  enqueued, the workers started, the rate taken from the stand-in's call count between 10 %
  and 100 % of them (leaving out the workers' start-up).
- **Bulk "Not spam" over 200 comments** through the admin (a signed-in moderator, the
  queue's action, CSRF and all), with 2 RQ workers running: the request's time with the
  50 ms and with the 2 s stand-in (the median of REPEATS actions, each over 200 others,
  after a first action over WARM), and, with 50 ms, the time until all their reports
  reached the stand-in (its call count).

`python -m bench.queue db …` is its look into the database, run with the bench's
environment (see `db_command`).
"""

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# `python bench/queue.py` puts bench/ first on the path, where this file would stand in for
# the standard library's `queue` (which multiprocessing, the posting client's, imports).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from bench.run import (  # noqa: E402
    BIN,
    ROOT,
    SECONDS,
    SHELL_COUNT,
    WARMUP,
    environment,
    free_port,
    percentile,
    post_comments,
    prepare,
    run,
    start_server,
    start_stub,
    stop,
    wrk,
)

DELAYS = (0.05, 2.0)  # the stand-in's answer time, seconds
WORKERS = {"rq": (1, 2, 4), "database": (1, 2)}
CHECKS = int(os.environ.get("BENCH_CHECKS", "200"))
BULK = 200
BULK_WORKERS = 2
# A first bulk action of WARM comments on the same connection (so the same server process)
# before the measured one: the first action a process serves costs 1–2 s of first use
# (imports, templates, its first enqueue) whatever the stand-in's delay. Printed too.
WARM = 10
# The measured action is taken REPEATS times (each on BULK other comments, on the same
# connection), and the row is their median: one ~0.1 s request on two shared cores moved by
# 0.6×–1.7× between the two rows from one run to the next, the same Python calls and queries
# in both (bench/README.md, "The bulk request's 1.5–2.6 s").
REPEATS = max(1, int(os.environ.get("BENCH_BULK_REPEATS", "3")))
RQ_DB = {"sqlite": 14, "postgresql": 15}  # the queue's own Redis database (cache: 12, 13)
MODERATOR = "bench-queue-moderator"
# BENCH_QUEUE_ONLY_POSTS=1: the comment POST rows only (no workers, no bulk action), as the
# code before the queue runs anyway.
ONLY_POSTS = os.environ.get("BENCH_QUEUE_ONLY_POSTS") == "1"
# BENCH_QUEUE_ONLY_BULK=1: the bulk "Not spam" rows only (no cached read, no POST rows, no
# checks/s rows), on the freshly seeded data. In the whole script they come after the POST
# rows, which leave thousands of pending comments on the article the action's comments are
# on (and, for the 2 s row, the checks/s rows' 1,000 more), which the queue page's
# per-article pending counts read.
ONLY_BULK = os.environ.get("BENCH_QUEUE_ONLY_BULK") == "1"
if ONLY_POSTS and ONLY_BULK:
    sys.exit("BENCH_QUEUE_ONLY_POSTS and BENCH_QUEUE_ONLY_BULK: choose one")
# A 2 s stand-in must not time out: the rows measure waiting, not failing.
OVERRIDES = {"AKISMET_TIMEOUT": "5", "EMAIL_URL": "dummymail://"}


def has_queue():
    """Is this checkout the queue's (a worker checks comments), or the code before it?"""
    return (ROOT / "comments" / "tasks.py").exists()


def stub_calls(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/stats")
    calls = json.loads(conn.getresponse().read())["calls"]
    conn.close()
    return calls


def flush_redis(n):
    subprocess.run(["redis-cli", "-n", str(n), "flushdb"], check=True, capture_output=True)


def db_command(env, *args):
    out = run(
        [BIN / "python", "-m", "bench.queue", "db", *args], env, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_workers(env, n):
    return [
        subprocess.Popen(
            [BIN / "python", "manage.py", "run_worker", "--interval", "0.1"],
            env=env,
            cwd=ROOT,
            start_new_session=True,  # its own group: RQ's work-horse goes with it
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]


def stop_workers(procs):
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def wait_for_calls(stub_port, target, timeout):
    """Poll the stand-in until it has had `target` calls: [(seconds, calls)] samples."""
    t0, samples = time.monotonic(), []
    while True:
        calls = stub_calls(stub_port)
        samples.append((time.monotonic() - t0, calls))
        if calls >= target or time.monotonic() - t0 > timeout:
            return samples
        time.sleep(0.1)


def rate_between(samples, start, target, low=0.1):
    """Calls per second from the first sample past `low` of the work to the last."""
    need = start + (target - start) * low
    first = next(((t, c) for t, c in samples if c >= need), None)
    last = samples[-1]
    if first is None or last[1] <= first[1] or last[0] <= first[0]:
        return 0.0
    return round((last[1] - first[1]) / (last[0] - first[0]), 1)


# The POST rows run in PARTS parts each, both servers up, in counterbalanced order (50 ms,
# 2 s, 2 s, 50 ms): neither row always runs second, on a table the other one has just
# grown, or in the other one's seconds of the machine's load, and a drift through the run
# (the tables growing, the servers warming up, the load rising or falling) falls on both
# rows alike. (In the order 50 ms, 2 s, 50 ms, 2 s, the 2 s row always ran later.)
PARTS = 2


def posting_parts(port, path, seconds, series):
    """One part of a POST row: `seconds` of posts on `path`. Returns its numbers and its
    latencies."""
    posting = post_comments(port, path, seconds, series=series)
    return posting, {
        "accepted": posting["accepted"],
        "errors": len(posting["errors"]),
        "posts_per_s": round(posting["accepted"] / seconds, 1),
        "p50_ms": round(percentile(posting["latencies"], 50) * 1000, 1),
        "p99_ms": round(percentile(posting["latencies"], 99) * 1000, 1),
    }


def posting_row(parts, seconds):
    """A POST row from its parts (each `(posting, numbers)`): the latencies of all parts
    together, posts/s over all their seconds, and each part's own numbers."""
    lat = [x for posting, _ in parts for x in posting["latencies"]]
    accepted = sum(posting["accepted"] for posting, _ in parts)
    cpu = sum(posting["client_cpu_s"] for posting, _ in parts)
    return {
        "accepted": accepted,
        "errors": sum(len(posting["errors"]) for posting, _ in parts),
        "posts_per_s": round(accepted / seconds, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        # The client's own CPU (all its processes), per accepted post.
        "client_cpu_ms_per_post": round(cpu * 1000 / max(accepted, 1), 2),
        "parts": [numbers for _, numbers in parts],
    }


def bulk_not_spam(port, password, batches):
    """Sign in as the moderator and take "Not spam" from the queue's Spam view on each of
    `batches` (lists of ids) in turn, on the same connection: (the first status that is not
    302, else 302; [ms of each action's POST])."""
    from bench.soak import Browser, csrf_token

    browser = Browser(port)
    _, _, html, _ = browser.go("GET", "/admin/login/?next=/admin/")
    fields = {
        "csrfmiddlewaretoken": csrf_token(html),
        "username": MODERATOR,
        "password": password,
        "next": "/admin/",
    }
    browser.go("POST", "/admin/login/?next=/admin/", fields)
    url = "/admin/comments/comment/?status=spam"
    timings, worst = [], 302
    for batch in batches:
        _, _, html, _ = browser.go("GET", url)
        fields = {
            "csrfmiddlewaretoken": csrf_token(html),
            "action": "not_spam",
            "_selected_action": [str(pk) for pk in batch],
            "index": "0",
            "select_across": "0",
        }
        status, _, _, seconds = browser.go("POST", url, fields)
        timings.append(round(seconds * 1000, 1))
        worst = status if worst == 302 else worst
    browser.close()
    return worst, timings


def checks_per_second(env, stub_port, backend, n, db):
    """CHECKS comments enqueued on `backend`, `n` workers started: checks per second."""
    qenv = dict(env)
    if backend == "rq":
        flush_redis(RQ_DB[db])
    else:
        qenv["TASKS_URL"] = "database://"
        db_command(qenv, "clear")
    db_command(qenv, "enqueue", str(CHECKS))
    start = stub_calls(stub_port)
    procs = start_workers(qenv, n)
    try:
        samples = wait_for_calls(stub_port, start + CHECKS, timeout=max(120, CHECKS))
    finally:
        stop_workers(procs)
    done = samples[-1][1] - start
    return {
        "backend": backend,
        "workers": n,
        "checks": done,
        "checks_per_s": rate_between(samples, start, start + CHECKS),
        "seconds": round(samples[-1][0], 1),
    }


def stored_posts(env):
    """How many posted bench comments the database holds (any status)."""
    out = run(
        [BIN / "python", "manage.py", "shell", "-v0", "-c", SHELL_COUNT],
        env,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def rows(db, env, paths):
    """Every queue row on the database `env` names (prepared and seeded). Returns a dict."""
    queue = has_queue()
    qenv = {**env, **OVERRIDES, "TASKS_URL": f"redis://127.0.0.1:6379/{RQ_DB[db]}"}
    result = {"queue": queue, "posting": {}, "bulk": {}, "workers": []}
    workers = queue and not ONLY_POSTS
    password = db_command(qenv, "moderator")["password"] if workers else None
    accepted = 0  # every post answered 302, warm-ups included: each must be stored
    stored_before = stored_posts(env)  # (run.py's own posting row, under make bench)
    flush_redis(RQ_DB[db])
    # One server per stand-in, both up for the POST rows (`PARTS`).
    up, procs = {}, []
    try:
        for delay in DELAYS:
            port, stub_port = free_port(), free_port()
            denv = {
                **qenv,
                "SITE_URL": f"http://127.0.0.1:{port}",
                "AKISMET_API_URL": f"http://127.0.0.1:{stub_port}",
            }
            procs.append(start_stub(stub_port, delay))
            procs.append(start_server(denv, port, subprocess.DEVNULL))
            up[delay] = (port, stub_port, denv)
        if not ONLY_BULK:
            accepted += cached_read_and_posting_rows(up, paths, result)
        flush_redis(RQ_DB[db])  # the posts' checks: not the next rows' work
        for delay in DELAYS if workers else ():
            port, stub_port, denv = up[delay]
            result["bulk"][_key(delay)] = bulk_row(denv, port, stub_port, password, delay)
            if delay == DELAYS[0] and not ONLY_BULK:
                for backend, counts in WORKERS.items():
                    for n in counts:
                        row = checks_per_second(denv, stub_port, backend, n, db)
                        result["workers"].append(row)
                        print(f"   queue: checks/s: {row}")
            flush_redis(RQ_DB[db])
    finally:
        for proc in reversed(procs):
            stop(proc)
        flush_redis(RQ_DB[db])
    if not ONLY_BULK:
        stored = stored_posts(env) - stored_before
        result["posts"] = {"accepted": accepted, "stored": stored}
        print(f"   queue: posts accepted {accepted}, stored {stored}")
    result["targets"] = targets(result)
    return result


def cached_read_and_posting_rows(up, paths, result):
    """The cached read and the two POST rows (`up`: the servers by delay), into `result`;
    returns the posts accepted (warm-ups included)."""
    accepted = 0
    base = f"http://127.0.0.1:{up[DELAYS[0]][0]}"
    wrk(base, paths["busy"], WARMUP)
    read = wrk(base, paths["busy"], SECONDS)
    result["cached_read"] = {"rps": read["rps"], "p99_ms": round(read["p99_us"] / 1000, 1)}
    # Warm-up (each server's first posts), on the busy article: not counted.
    for n, delay in enumerate(DELAYS):
        accepted += post_comments(up[delay][0], paths["busy"], WARMUP, series=1 + n)["accepted"]
    # Another article per row: a row's parts post other texts (`series`) on it.
    article = {DELAYS[0]: paths["quiet"], DELAYS[1]: paths["small"]}
    parts = {delay: [] for delay in DELAYS}
    seconds = SECONDS / PARTS
    for k in range(PARTS):
        order = list(enumerate(DELAYS))
        for n, delay in order[::-1] if k % 2 else order:
            series = 1 + len(DELAYS) * (k + 1) + n
            part = posting_parts(up[delay][0], article[delay], seconds, series)
            parts[delay].append(part)
            accepted += part[0]["accepted"]
            print(f"   queue: comment POST, Akismet {_key(delay)}, part {k + 1}: {part[1]}")
    for delay in DELAYS:
        result["posting"][_key(delay)] = posting_row(parts[delay], seconds * PARTS)
    return accepted


def _key(delay):
    return f"{int(delay * 1000)} ms"


def bulk_row(denv, port, stub_port, password, delay):
    """Bulk "Not spam" over BULK spam comments, REPEATS times, after a first action over
    WARM, with BULK_WORKERS workers running."""
    pks = db_command(denv, "spam", str(WARM + REPEATS * BULK))["pks"]
    batches = [pks[:WARM]] + [pks[WARM + k * BULK : WARM + (k + 1) * BULK] for k in range(REPEATS)]
    start = stub_calls(stub_port)
    procs = start_workers(denv, BULK_WORKERS)
    try:
        time.sleep(3)  # the workers are up and idle
        status, ms = bulk_not_spam(port, password, batches)
        bulk = {
            "status": status,
            "request_ms": round(statistics.median(ms[1:]), 1),
            "requests_ms": ms[1:],
            "first_action_ms": ms[0],
        }
        if delay == DELAYS[0]:
            # The warm-up's reports and the measured actions', counted from the last
            # measured action's answer.
            samples = wait_for_calls(stub_port, start + WARM + REPEATS * BULK, timeout=300)
            bulk["reports_reached"] = samples[-1][1] - start - WARM
            bulk["all_reached_s"] = round(samples[-1][0], 1)
    finally:
        stop_workers(procs)
    print(f"   queue: bulk Not spam ×{BULK}, Akismet {_key(delay)}: {bulk}")
    return bulk


def targets(r):
    """The queue's targets, each (holds, what was measured)."""
    out = {}
    fast, slow = (r["posting"].get(f"{int(d * 1000)} ms") for d in DELAYS)
    if fast and slow and fast["p99_ms"]:
        ratio = slow["p99_ms"] / fast["p99_ms"]
        out["POST p99, 2 s vs 50 ms within 20 %"] = (abs(ratio - 1) <= 0.2, f"{ratio:.2f}×")
    by = {(w["backend"], w["workers"]): w["checks_per_s"] for w in r["workers"]}
    for backend in WORKERS:
        one, two = by.get((backend, 1)), by.get((backend, 2))
        if one and two:
            out[f"{backend}: 2 workers ≥ 1.7× one"] = (two >= 1.7 * one, f"{two / one:.2f}×")
    bulk_fast, bulk_slow = (r["bulk"].get(f"{int(d * 1000)} ms") for d in DELAYS)
    if bulk_fast and bulk_slow:
        ratio = bulk_slow["request_ms"] / bulk_fast["request_ms"]
        out["bulk Not spam request, 2 s vs 50 ms within 20 %"] = (
            abs(ratio - 1) <= 0.2,
            f"{ratio:.2f}×",
        )
    return out


def table_lines(r):
    if not r:
        return []
    lines = ["queue rows (Akismet stand-in answering after 50 ms / 2 s):"]
    if "cached_read" in r:
        c = r["cached_read"]
        lines.append(f"{'  article, 300 comments (cached read)':44} {c['rps']:>8} req/s")
    if "posts" in r:
        posts = r["posts"]
        lines.append(f"  posts accepted / stored: {posts['accepted']} / {posts['stored']}")
    for key, p in r["posting"].items():
        lines.append(
            f"{'  comment POST, Akismet ' + key:44} {p['posts_per_s']:>8} posts/s  "
            f"p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms, errors {p['errors']}, "
            f"client CPU {p.get('client_cpu_ms_per_post', '?')} ms/post"
        )
        for k, part in enumerate(p.get("parts", ())):
            lines.append(
                f"{'    part ' + str(k + 1):44} {part['posts_per_s']:>8} posts/s  "
                f"p50 {part['p50_ms']} ms, p99 {part['p99_ms']} ms"
            )
    for w in r["workers"]:
        lines.append(
            f"  checks/s, {w['backend']}, {w['workers']} worker(s): {w['checks_per_s']} "
            f"({w['checks']} checks in {w['seconds']} s)"
        )
    for key, b in r["bulk"].items():
        line = f"  bulk Not spam ×{BULK}, Akismet {key}: request {b['request_ms']} ms"
        if len(b.get("requests_ms", ())) > 1:
            line += f", the median of {', '.join(str(x) for x in b['requests_ms'])}"
        if b.get("first_action_ms") is not None:
            line += f" (the server's first action, ×{WARM}: {b['first_action_ms']} ms)"
        if "all_reached_s" in b:
            line += f"; {b['reports_reached']} reports at the stand-in after {b['all_reached_s']} s"
        lines.append(line)
    for name, (holds, measured) in r.get("targets", {}).items():
        lines.append(f"  target {name}: {'holds' if holds else 'DOES NOT HOLD'} ({measured})")
    return lines


def failures(r):
    """Errors (not speed): refused posts, a bulk action not answered with its redirect,
    checks or reports that never reached the stand-in."""
    q, problems = r.get("queue"), []
    if not q:
        return problems
    posts = q.get("posts")
    if posts and posts["stored"] != posts["accepted"]:
        problems.append(
            f"{r['database']}: queue: {posts['accepted']} posts accepted, {posts['stored']} stored"
        )
    for key, p in q["posting"].items():
        if p["errors"]:
            problems.append(f"{r['database']}: queue: POST, Akismet {key}: {p['errors']} errors")
    for key, b in q["bulk"].items():
        if b["status"] != 302:
            problems.append(f"{r['database']}: queue: bulk Not spam ({key}) answered {b['status']}")
        owed = BULK * len(b.get("requests_ms", (None,)))
        if b.get("reports_reached", owed) < owed:
            problems.append(f"{r['database']}: queue: {b['reports_reached']} of {owed} reports")
    for w in q["workers"]:
        if w["checks"] < CHECKS:
            problems.append(f"{r['database']}: queue: {w} did not finish")
    return problems


# -- the look into the database (python -m bench.queue db …, the bench's environment) ----


def db_main(command, *args):
    import secrets

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.models import Article
    from comments import queue, tasks
    from comments.groups import MODERATORS
    from comments.models import Comment

    article = Article.objects.get(slug="generated-2")
    stamp = time.time_ns()
    if command == "moderator":
        password = secrets.token_urlsafe(16)
        user = get_user_model().objects.create_user(
            MODERATOR, f"{MODERATOR}@example.com", password, is_staff=True
        )
        user.groups.add(Group.objects.get(name=MODERATORS))
        return {"password": password}
    if command == "clear":
        from django_tasks_db.models import DBTaskResult

        return {"deleted": DBTaskResult.objects.all().delete()[0]}
    n = int(args[0])
    if command == "enqueue":
        pks = []
        for i in range(n):
            comment = Comment.objects.create(
                article=article,
                author_name=f"Queue bench {stamp}-{i}",
                author_email=f"queue{i}@example.com",
                body=f"Queue bench comment {stamp}-{i}: checked by a worker.",
                status=Comment.Status.PENDING,
                user_ip="192.0.2.7",
            )
            pks.append(comment.pk)
        for pk in pks:
            queue.enqueue(tasks.check_comment, pk, 0)
        return {"pks": pks}
    if command == "spam":
        payload = {"user_ip": "192.0.2.8", "comment_content": "bench", "user_agent": "bench"}
        pks = [
            Comment.objects.create(
                article=article,
                author_name=f"Queue spam {stamp}-{i}",
                author_email=f"spam{i}@example.com",
                body=f"Queue bench spam {stamp}-{i}.",
                status=Comment.Status.SPAM,
                verdict=Comment.Verdict.SPAM,
                akismet_payload=payload,
                user_ip="192.0.2.8",
            ).pk
            for i in range(n)
        ]
        return {"pks": pks}
    raise SystemExit(f"unknown command {command!r}")


def main():
    if sys.argv[1:2] == ["db"]:
        print(json.dumps(db_main(*sys.argv[2:])))
        return
    from bench.run import DATABASES, need_wrk

    need_wrk()
    results = []
    for db in sys.argv[1:] or ["sqlite"]:
        tmp = Path(tempfile.mkdtemp(prefix="newsroom_queue_bench_"))
        env, _ = environment(db, tmp, free_port(), free_port(), DATABASES)
        print(f"\n== queue rows, {db} (queue in this checkout: {has_queue()}) ==")
        paths = prepare(db, env)
        r = {"database": db, "queue": rows(db, env, paths)}
        results.append(r)
        print("\n".join(table_lines(r["queue"])))
    out = ROOT / "bench" / "results" / f"queue-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written: {out.relative_to(ROOT)}")
    problems = [p for r in results for p in failures(r)]
    if problems:
        sys.exit("QUEUE ROWS FAILED:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
