"""The stand-in's `fail_rate` (used by the soak): exactly that share of calls fails, evenly
spread, and `GET /stats` counts them; with the default rate nothing fails."""

import subprocess
import sys
from pathlib import Path

import httpx


def _check(url):
    return httpx.post(f"{url}/1.1/comment-check", data={"comment_author": "Reader"}, timeout=2)


def test_fail_rate_fails_every_fifth_call(akismet_server):
    akismet_server.fail_rate = 0.2
    statuses = [_check(akismet_server.url).status_code for _ in range(10)]
    assert statuses == [200, 200, 200, 200, 500] * 2
    stats = httpx.get(f"{akismet_server.url}/stats").json()
    assert stats == {"calls": 10, "failures_injected": 2}


def test_no_failures_by_default(akismet_server):
    responses = [_check(akismet_server.url) for _ in range(10)]
    assert {(r.status_code, r.text) for r in responses} == {(200, "false")}
    assert httpx.get(f"{akismet_server.url}/stats").json()["failures_injected"] == 0


def test_the_stand_in_runs_with_the_base_install_alone():
    """The README's `python -m tests.akismet_stub 8099` works after `make run`, whose
    environment has no pytest (only the test lock installs it)."""
    code = "import sys; sys.modules['pytest'] = None; import tests.akismet_stub"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
