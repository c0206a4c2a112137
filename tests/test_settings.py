import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def readme_production_env():
    """The environment the README's production block exports, each `...` filled in as a
    reader would (SECRET_KEY with a long random value), nothing added."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    export = block.split("export ", 1)[1].split("\n.venv", 1)[0]
    env = {}
    for word in shlex.split(export.replace("\\\n", " ")):
        name, _, value = word.partition("=")
        fill = secrets.token_urlsafe(50) if name == "SECRET_KEY" else "placeholder-9"
        env[name] = value.replace("...", fill)
    return env


PRODUCTION_ENV = readme_production_env()


def manage(*args, env):
    """`manage.py` with exactly `env` (no `.env` file read unless `env` names one)."""
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "ENV_FILE": "",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment():
    """Exactly the README's production block: the variables it names are all it takes."""
    assert {"SECRET_KEY", "AKISMET_API_KEY", "ALLOWED_HOSTS", "DATABASE_URL"} <= set(PRODUCTION_ENV)
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_sqlite_is_set_up_for_concurrent_writers(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite options only apply when the engine is SQLite")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert not connection.is_in_memory_db()


def test_development_key_is_random_per_checkout_and_kept():
    """DEBUG on without SECRET_KEY: a random key from the checkout's own git-ignored file,
    the same on every start; none is written in the code."""
    show = (
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )
    first = manage(*show, env={"DEBUG": "true"})
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    path = ROOT / ".dev-secret-key"
    assert key == path.read_text().strip() and len(key) >= 50
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert manage(*show, env={"DEBUG": "true"}).stdout.strip() == key
    assert key not in (ROOT / "newsroom" / "settings.py").read_text()
    assert "django-insecure" not in (ROOT / "newsroom" / "settings.py").read_text()
    ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT)
    assert ignored.returncode == 0


def test_development_key_file_is_not_read_in_production():
    """A production start from a checkout that has the development key still stops."""
    manage("check", env={"DEBUG": "true"})  # makes sure the file exists
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


LEAKY_DOTENV = """\
SECRET_KEY=leaked-from-dotenv-0123456789-0123456789-0123456789
DATABASE_URL=postgres://leak:leak@127.0.0.1:9/leaked
SITE_NAME=Leaked From Dotenv
"""
PROBE = """\
import os

from django.conf import settings


def test_probe():
    print("SITE_NAME=" + settings.SITE_NAME)
    print("ENGINE=" + settings.DATABASES["default"]["ENGINE"])
    print("SECRET_KEY=" + settings.SECRET_KEY)
    print("ENV_SITE_NAME=" + os.environ.get("SITE_NAME", ""))
"""


def run_probe_session(tmp_path, *options):
    """A pytest session of this project (its pyproject.toml, its plugins), started as a
    developer would with a `.env` holding SECRET_KEY and DATABASE_URL; returns what the
    settings held."""
    dotenv = tmp_path / ".env"
    dotenv.write_text(LEAKY_DOTENV)
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": "test-only-not-secret",
        "ENV_FILE": str(dotenv),  # where settings would otherwise find the file
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            "-p",
            "no:cacheprovider",
            "-s",
            "-q",
            *options,
            str(tmp_path / "test_probe.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line[:15])


def test_the_test_session_never_reads_dotenv(tmp_path):
    """A `.env` (a copied `.env.example`, say) with SECRET_KEY, DATABASE_URL and more does
    not reach the test session: the settings are those of the environment alone."""
    seen = run_probe_session(tmp_path)
    assert seen["SITE_NAME"] == "The Newsroom"
    assert seen["ENGINE"] == "django.db.backends.sqlite3"
    assert seen["SECRET_KEY"] == "test-only-not-secret"
    assert seen["ENV_SITE_NAME"] == ""
