"""Tools the deployment tests need: nginx and systemd-analyze. Outside CI a missing tool
skips its tests, saying why; with CI=true nginx is required (.ci/run installs it)."""

import os
import shutil

import pytest

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


@pytest.fixture(scope="session")
def nginx():
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "nginx is missing; CI requires the deployment tests (apt-get install nginx)."
            )
        pytest.skip("nginx is not installed (apt-get install nginx) — nginx tests skipped.")
    return NGINX


@pytest.fixture(scope="session")
def systemd_analyze():
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd) — unit checks skipped.")
    return path
