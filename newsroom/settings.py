"""Newsroom settings: one module, driven by the environment (and an optional `.env`).

Every variable is listed, with its default, in `.env.example` and in the README.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from newsroom import environment as read

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The environment wins over the file. ENV_FILE names another file, or "" for none: the test
# session sets it to "" (pyproject.toml), so a developer's `.env` never reaches the tests.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = read.boolean("DEBUG", False)

# Development (DEBUG on) without SECRET_KEY: a random key made once per checkout, kept in a
# git-ignored file of its own (not .env, so a production start from the same checkout still
# stops without SECRET_KEY). Never a constant in the code: anyone could sign cookies with it.
DEV_SECRET_KEY_FILE = BASE_DIR / ".dev-secret-key"


def _development_secret_key(path):
    try:
        with open(path, "x", encoding="ascii") as new:  # only the first start writes it
            os.chmod(path, 0o600)
            new.write(secrets.token_urlsafe(50))
    except FileExistsError:
        pass
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key; delete it to make a new one.")
    return key


if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default=None) or _development_secret_key(DEV_SECRET_KEY_FILE)
else:
    SECRET_KEY = read.text("SECRET_KEY")
    if not SECRET_KEY:
        raise read.missing(
            "SECRET_KEY",
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without it; "
            "set SECRET_KEY in the environment or in .env (see .env.example).",
        )

# With DEBUG on and no ALLOWED_HOSTS, Django accepts localhost, 127.0.0.1 and [::1].
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Where the public site lives, for absolute links in feeds, mail and Akismet's permalinks.
SITE_URL = read.url("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="The Newsroom")

# How many proxies in front of us append to X-Forwarded-For. 0: trust only REMOTE_ADDR.
TRUSTED_PROXIES = read.integer("TRUSTED_PROXIES", 0, minimum=0)
# Who may read /metrics (newsroom/operations.py): addresses or networks, judged on the
# client address after TRUSTED_PROXIES (comments.http.client_ip). Default: this machine.
METRICS_ALLOWED_IPS = read.networks("METRICS_ALLOWED_IPS", ["127.0.0.0/8", "::1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "articles",
    "comments",
]

MIDDLEWARE = [
    # First: /healthz and /metrics, answered before any other middleware (no host check,
    # no HTTPS redirect, no session, never cached; newsroom/operations.py).
    "newsroom.operations.OperationsMiddleware",
    # Request metrics (django-prometheus): this one and RequestMetricsMiddleware below.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A page the page cache holds, answered here: the middleware below has nothing to do
    # for it (newsroom/middleware.py, articles/pagecache.py `cached_response`).
    "newsroom.middleware.PageCacheHitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made each revision of an article or category (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    "newsroom.operations.RequestMetricsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "newsroom.auth.PreparedModelBackend",  # ModelBackend with its user query written once
    # Sessions signed in through it before PreparedModelBackend came: still served.
    "django.contrib.auth.backends.ModelBackend",
]

# The bench (bench/README.md) sets ROOT_URLCONF=bench.urls: the site plus its reference
# views. Production never sets it, so no bench route exists there.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="newsroom.urls")
WSGI_APPLICATION = "newsroom.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in the checkout unless DATABASE_URL says otherwise.
DATABASES = {
    "default": read.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (simultaneous comment posts) must wait, not fail with
    # "database is locked": WAL lets readers and one writer overlap, IMMEDIATE takes
    # the write lock at BEGIN so the busy timeout applies instead of a deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    # The test database is a file with the same options: an in-memory one locks
    # whole tables and ignores the busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
# Persistent connections in production (a health check before reuse drops dead ones);
# per request under DEBUG, where runserver starts a thread per request.
DATABASES["default"]["CONN_MAX_AGE"] = read.integer("CONN_MAX_AGE", 0 if DEBUG else 600, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer fails a new connection after this many seconds
    # (the operating system's default is minutes, holding a worker thread meanwhile);
    # `?connect_timeout=N` in DATABASE_URL sets another.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": read.cache("CACHE_URL", "locmemcache://newsroom")}
if CACHES["default"]["BACKEND"].startswith("django_redis."):
    # A cache that is down makes pages slower, never unavailable: django-redis answers
    # misses and logs each failure; short socket timeouts so a hung Redis cannot hold a
    # request; it reconnects by itself when Redis is back.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25}
    )
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
# Sessions: read from the shared cache, written through to the database (newsroom/sessions.py);
# with a cache of each process's own, from the database only.
SESSION_ENGINE = (
    "newsroom.sessions"
    if CACHES["default"]["BACKEND"].startswith("django_redis.")
    else "django.contrib.sessions.backends.db"
)
# Pages each process keeps a copy of (articles.pagecache); 0: none (the bench's engine rows).
PAGE_COPIES = read.integer("PAGE_COPIES", 64, minimum=0)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

EMAIL_CONFIG = read.email("EMAIL_URL", "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Held-comment mail is sent while the reader's request finishes: never wait long for SMTP.
EMAIL_TIMEOUT = read.integer("EMAIL_TIMEOUT", 10, minimum=1)
# Readers' notifications (comments.subscriptions): at most one mail about replies per
# subscription in this many minutes (the replies after it go out as one digest), this many
# confirmation mails asked for from one IP address an hour, and this many days to confirm.
NOTIFY_REPLY_INTERVAL_MINUTES = read.integer("NOTIFY_REPLY_INTERVAL_MINUTES", 30, minimum=1)
NOTIFY_CONFIRMATIONS_PER_IP = read.integer("NOTIFY_CONFIRMATIONS_PER_IP", 5, minimum=0)
NOTIFY_CONFIRM_DAYS = read.integer("NOTIFY_CONFIRM_DAYS", 7, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-gb")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Django serves uploads itself when DEBUG is on, or when SERVE_MEDIA is set (a single
# machine without a web server in front). Otherwise the web server or object storage does.
SERVE_MEDIA = read.boolean("SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "newsroom.staticfiles.StaticFilesStorage"  # WhiteNoise's, URLs looked up once
        )
    },
}

# HTTPS. Secure cookies and HSTS are on whenever DEBUG is off (HSTS is only ever sent on
# HTTPS responses, so a site still on HTTP is not locked out); the redirect to HTTPS and
# trusting the proxy's X-Forwarded-Proto depend on the deployment, so they are asked for.
SECURE_SSL_REDIRECT = read.boolean("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = read.boolean("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = read.boolean("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = read.integer("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = read.boolean("SECURE_HSTS_PRELOAD", False)
if read.boolean("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Preload is a commitment that is hard to undo, so it stays off unless asked for; its
# deploy-check warning (W021) is silenced only while it is off on purpose.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# An index's INCLUDE columns (article_cat_idx) are PostgreSQL's; SQLite builds the index
# without them, as intended, and would say so (models.W040) on every migrate.
SILENCED_SYSTEM_CHECKS.append("models.W040")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (newsroom/middleware.py): the public pages' policy, and the
# admin's, which also allows inline styles (Django's admin and the prose editor set style
# attributes from their scripts). No inline scripts anywhere; no nonces (pages are cached).
_CSP_BASE = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_PUBLIC = _CSP_BASE
CSP_ADMIN = _CSP_BASE | {
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
}

# Admin sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed attempts for
# one username from one address, that pair is locked out for LOGIN_COOLOFF_MINUTES.
# Locking by pair, not by username alone, so a stranger cannot lock an editor out.
AXES_FAILURE_LIMIT = read.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=read.integer("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "comments.http.client_ip"
AXES_VERBOSE = False

# Akismet: the comments app's spam check (comments/spam.py). No key: comments are held
# unchecked and a system check warns.
AKISMET_API_KEY = env.str("AKISMET_API_KEY", default="")
AKISMET_BLOG_URL = read.url("AKISMET_BLOG_URL", SITE_URL)
AKISMET_API_URL = read.url("AKISMET_API_URL", "https://rest.akismet.com")
AKISMET_TIMEOUT = read.seconds("AKISMET_TIMEOUT", 2.0)
# Tell Akismet not to learn from our calls outside production (development, staging).
AKISMET_IS_TEST = read.boolean("AKISMET_IS_TEST", DEBUG)

# Background work (comments/tasks.py): Django's Tasks API through the `django-tasks`
# backport. TASKS_URL picks the queue: `database://` (the default: jobs are rows in the
# site's own database, run by `manage.py run_worker`; nothing else to install),
# `redis://host:6379/N` (RQ on Redis, for production with several workers) or
# `immediate://` (run in the caller, as the tests do).
TASKS_URL = env.str("TASKS_URL", default="database://")
if TASKS_URL.startswith(("redis://", "rediss://", "unix://")):
    # django-tasks' RQ backend, on the process's one queue (comments/queue.py).
    TASKS = {"default": {"BACKEND": "comments.queue.PooledRQBackend", "QUEUES": ["default"]}}
    # Short socket timeouts: a POST that cannot reach Redis saves the comment and answers;
    # the sweep enqueues its check later.
    RQ_QUEUES = {
        "default": {
            "URL": TASKS_URL,
            "DEFAULT_TIMEOUT": 300,
            "CONNECTION_KWARGS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
            # One Redis client per process (its pool keeps the connection between
            # requests) that has these timeouts: django-rq's own queue opens a connection
            # per enqueue and leaves CONNECTION_KWARGS out when given a URL.
            "QUEUE_CLASS": "comments.queue.PooledQueue",
        }
    }
    INSTALLED_APPS.append("django_rq")  # its dashboard lives in the admin (staff only)
    RQ_SHOW_ADMIN_LINK = True
elif TASKS_URL.startswith("immediate:"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_URL.startswith("database:"):
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise read.EnvironmentVariableError(
        "TASKS_URL", "must start with database://, redis:// or immediate://", show_value=False
    )

# A comment still unchecked this many seconds after it was posted has lost its job (the
# queue was down at POST time, or a worker was killed mid-check): the sweep enqueues its
# check again. Longer than a check can wait in a busy queue; the soak uses a short one.
UNCHECKED_GRACE_SECONDS = read.integer("UNCHECKED_GRACE_SECONDS", 180, minimum=1)

LOG_LEVEL = read.choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"level": "INFO"}},
}

# Articles.
ARTICLES_PER_PAGE = 20
# A section's, a tag's or an author's page lists at most its newest this many articles
# (50 pages): its count reads at most this many + 1, so it costs the same however large the
# archive; pages past them are 404s and the last one points to search (articles/listing.py).
ARTICLES_LISTING_LIMIT = 1000
# Where corrections and updates show on the article page: TOP (under the headline) or BOTTOM.
CORRECTIONS_POSITION = read.choice("CORRECTIONS_POSITION", "BOTTOM", ["TOP", "BOTTOM"]).lower()
# How long a new preview link works (hours; an editor may choose another length).
PREVIEW_LINK_HOURS = read.integer("PREVIEW_LINK_HOURS", 48, minimum=1)
