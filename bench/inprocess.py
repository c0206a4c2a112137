"""One page, one request at a time, in-process (bench/README.md, "Scale"): Django's test
client against the database in DATABASE_URL, with whatever cache the environment sets (the
engine: `CACHE_URL=dummycache:// PAGE_COPIES=0`). Prints the page's time, the process's CPU
time a request (`time.process_time`: what the page costs this process, whatever else the
machine runs) and the time of its `SELECT COUNT(*)` queries (an execute wrapper times each),
median, best and 90th percentile.

    DATABASE_URL=postgres://…/copy CACHE_URL=dummycache:// PAGE_COPIES=0 DEBUG=false \\
        SECRET_KEY=x ALLOWED_HOSTS=testserver .venv/bin/python bench/inprocess.py /today/world/ 40
"""

import os
import statistics
import sys
import time
from pathlib import Path

# The project, not bench/ (its queue.py would hide the standard library's).
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

WARMUP = 5


def summary(values):
    ordered = sorted(values)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"median {statistics.median(ordered):6.2f}  best {ordered[0]:6.2f}  p90 {p90:6.2f}"


def main(path, requests):
    count_ms = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.startswith("SELECT COUNT(*)"):
                count_ms.append((time.perf_counter() - start) * 1000)

    client = Client(HTTP_HOST="testserver")
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200
    page_ms, cpu_ms = [], []
    with connection.execute_wrapper(timed):
        for _ in range(requests):
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpu_ms.append((time.process_time() - cpu) * 1000)
            page_ms.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    database = connection.settings_dict["NAME"]
    counts = f" | count ms: {summary(count_ms)}" if count_ms else ""
    print(
        f"{database:22} {len(response.content)} bytes  page ms: {summary(page_ms)}"
        f" | cpu ms: {summary(cpu_ms)}{counts}"
    )


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "/today/world/",
        int(sys.argv[2:3] and sys.argv[2] or 40),
    )
