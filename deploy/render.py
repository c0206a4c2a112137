"""The deployment files, rendered from one template set (`deploy/templates/`).

    python -m deploy.render            # write the production examples into deploy/
    python -m deploy.render --check    # exit 1 if a committed example differs from its template

The production examples use PRODUCTION below (the values the README's production section
documents). `make cluster` (deploy/cluster.py) and the tests render the same templates with
their own values, so what is committed is what is exercised.

Django's template engine renders them, standalone (no settings): its `{{ }}` and `{% %}`
never clash with nginx's `$variables` or systemd's `%i`, which string.Template's `$` would.
"""

import sys
from pathlib import Path

from django.template import Context, Engine

DEPLOY = Path(__file__).resolve().parent
TEMPLATES = DEPLOY / "templates"

# The template, and where its production example is committed (relative to deploy/).
FILES = {
    "nginx-site.conf": "nginx/newsroom.conf",
    "proxy-params.conf": "nginx/newsroom-proxy-params.conf",
    "newsroom-web@.service": "systemd/newsroom-web@.service",
    "newsroom-worker@.service": "systemd/newsroom-worker@.service",
    "newsroom-scheduler.service": "systemd/newsroom-scheduler.service",
    "newsroom.env": "newsroom.env",
}
UNITS = ["newsroom-web@.service", "newsroom-worker@.service", "newsroom-scheduler.service"]

# The README's production environment, each secret left to fill in.
PRODUCTION_ENVIRONMENT = [
    ("DEBUG", "false"),
    ("SECRET_KEY", "..."),
    ("ALLOWED_HOSTS", "news.example.com"),
    ("CSRF_TRUSTED_ORIGINS", "https://news.example.com"),
    ("SITE_URL", "https://news.example.com"),
    ("DATABASE_URL", "postgres://newsroom:...@127.0.0.1:5432/newsroom"),
    ("CACHE_URL", "redis://127.0.0.1:6379/1"),
    ("TASKS_URL", "redis://127.0.0.1:6379/2"),
    ("EMAIL_URL", "smtp+tls://newsroom:...@smtp.example.com:587"),
    ("AKISMET_API_KEY", "..."),
    ("AKISMET_BLOG_URL", "https://news.example.com"),
    ("TRUSTED_PROXIES", "1"),
    ("STATIC_ROOT", "/srv/newsroom/staticfiles"),
    ("MEDIA_ROOT", "/srv/newsroom/media"),
    ("SECURE_SSL_REDIRECT", "true"),
    ("SECURE_PROXY_SSL_HEADER", "true"),
    ("SESSION_COOKIE_SECURE", "true"),
    ("CSRF_COOKIE_SECURE", "true"),
    ("SECURE_HSTS_SECONDS", "31536000"),
    ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true"),
]

PRODUCTION = {
    # nginx
    "server_name": "news.example.com",
    "upstreams": ["127.0.0.1:8001", "127.0.0.1:8002"],
    "tls": True,
    "ssl_certificate": "/etc/letsencrypt/live/news.example.com/fullchain.pem",
    "ssl_certificate_key": "/etc/letsencrypt/live/news.example.com/privkey.pem",
    "static_root": "/srv/newsroom/staticfiles",
    "media_root": "/srv/newsroom/media",
    "proxy_params": "/etc/nginx/snippets/newsroom-proxy-params.conf",
    # systemd
    "user": "newsroom",
    "group": "newsroom",
    "checkout": "/srv/newsroom/app",
    "venv": "/srv/newsroom/app/.venv",
    "env_file": "/etc/newsroom/newsroom.env",
    "environment": PRODUCTION_ENVIRONMENT,
}

_engine = Engine(dirs=[str(TEMPLATES)], autoescape=False, debug=False)


def render(name, values):
    """The template `name` (a file in deploy/templates/) rendered with `values`."""
    return _engine.get_template(name).render(Context(values, autoescape=False, use_l10n=False))


def render_all(values, folder, files=FILES):
    """Every template rendered into `folder`, at its place in `files`; {name: path}."""
    written = {}
    for name, relative in files.items():
        path = Path(folder) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(name, values))
        written[name] = path
    return written


def differences():
    """The committed production examples that differ from their rendered templates."""
    return [
        relative
        for name, relative in FILES.items()
        if not (DEPLOY / relative).exists()
        or (DEPLOY / relative).read_text() != render(name, PRODUCTION)
    ]


def read_env_file(path):
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments and blank lines
    skipped, one pair of surrounding double quotes removed)."""
    values = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[name.strip()] = value
    return values


def main(argv):
    if "--check" in argv:
        stale = differences()
        if stale:
            sys.exit(
                "deploy/: not what the templates render (run python -m deploy.render): "
                + ", ".join(stale)
            )
        print("deploy/: every example matches its template")
        return
    for path in render_all(PRODUCTION, DEPLOY).values():
        print("written", path.relative_to(DEPLOY.parent))


if __name__ == "__main__":
    main(sys.argv[1:])
