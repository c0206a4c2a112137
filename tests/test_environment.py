"""A missing or malformed environment variable stops start-up with one line naming it:
`manage.py` (every command, the worker's too) exits 1, the WSGI application (gunicorn)
exits 3, gunicorn's "worker failed to boot", so it stops instead of restarting workers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "ENV_FILE": "", "SECRET_KEY": "x" * 50}


def run(code_or_args, **variables):
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]} | BASE | variables,
        capture_output=True,
        text=True,
        timeout=60,
    )


MALFORMED = [
    ("TRUSTED_PROXIES", "abc", "must be a whole number"),
    ("TRUSTED_PROXIES", "-1", "must be at least 0"),
    ("CONN_MAX_AGE", "x", "must be a whole number"),
    ("AKISMET_TIMEOUT", "-1", "above 0"),
    ("AKISMET_TIMEOUT", "soon", "must be a number of seconds"),
    ("DATABASE_URL", "nonsense", "must be a database URL"),
    ("DATABASE_URL", "postgres://newsroom:hunter2@db:port/newsroom", "must be a database URL"),
    ("METRICS_ALLOWED_IPS", "300.1.1.1/8", "'300.1.1.1/8' is not an IP address or network"),
    ("METRICS_ALLOWED_IPS", "127.0.0.1,10.0.0.1/8", "'10.0.0.1/8' is not an IP address"),
    ("DEBUG", "maybe", "must be true or false"),
    ("SECURE_SSL_REDIRECT", "yes please", "must be true or false"),
    ("CACHE_URL", "nonsense", "must be a cache URL"),
    ("EMAIL_URL", "nonsense", "must be a mail URL"),
    ("TASKS_URL", "redis2://:hunter2@queue:6379/2", "must start with database://"),
    ("LOG_LEVEL", "loud", "must be one of DEBUG, INFO"),
    ("SITE_URL", "news.example.com", "must be an address starting with http://"),
    ("LOGIN_FAILURE_LIMIT", "0", "must be at least 1"),
    ("PAGE_COPIES", "many", "must be a whole number"),
]


@pytest.mark.parametrize(("name", "value", "expected"), MALFORMED)
def test_a_malformed_variable_stops_manage_py_with_one_line_naming_it(name, value, expected):
    result = run(["manage.py", "check"], **{name: value})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: Environment variable {name}")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr + result.stdout  # URLs may carry passwords


def test_production_without_secret_key_stops_with_one_line():
    result = run(["manage.py", "check"], SECRET_KEY="")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY is not set. Production (DEBUG off) refuses to start "
        "without it; set SECRET_KEY in the environment or in .env (see .env.example)."
    ]


def test_the_wsgi_application_stops_with_gunicorns_boot_error_status():
    result = run("import newsroom.wsgi", CONN_MAX_AGE="ten")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "Configuration error: Environment variable CONN_MAX_AGE (got 'ten'): "
        "must be a whole number."
    ]


def test_well_formed_values_are_read():
    show = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.TRUSTED_PROXIES, s.DATABASES['default']['CONN_MAX_AGE'], s.AKISMET_TIMEOUT,"
        " s.DEBUG, s.SECURE_SSL_REDIRECT, [str(n) for n in s.METRICS_ALLOWED_IPS],"
        " s.DATABASES['default']['OPTIONS'], s.LOG_LEVEL)"
    )
    result = run(
        show,
        TRUSTED_PROXIES="2",
        CONN_MAX_AGE=" 30 ",
        AKISMET_TIMEOUT="0.5",
        DEBUG="off",
        SECURE_SSL_REDIRECT="TRUE",
        METRICS_ALLOWED_IPS="10.0.0.0/8, ::1,192.0.2.7",
        DATABASE_URL="postgres://u:p@db.example:5432/newsroom",
        LOG_LEVEL="warning",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "2 30 0.5 False True ['10.0.0.0/8', '::1/128', '192.0.2.7/32'] "
        "{'connect_timeout': 3} WARNING"
    )


def test_the_defaults_need_no_variable():
    show = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.TRUSTED_PROXIES, [str(n) for n in s.METRICS_ALLOWED_IPS], s.AKISMET_TIMEOUT)"
    )
    result = run(show)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 ['127.0.0.0/8', '::1/128'] 2.0"


def test_a_connect_timeout_in_database_url_wins():
    show = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.DATABASES['default']['OPTIONS'])"
    )
    result = run(show, DATABASE_URL="postgres://u:p@db.example:5432/newsroom?connect_timeout=10")
    assert result.stdout.strip() == "{'connect_timeout': 10}", result.stderr
