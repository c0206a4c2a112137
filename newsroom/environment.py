"""Reading the settings' environment strictly.

A variable that is set but malformed (`CONN_MAX_AGE=x`, `AKISMET_TIMEOUT=-1`,
`DATABASE_URL=nonsense`, `DEBUG=maybe`) stops start-up with one line naming it, instead
of a traceback about `int()` deep inside a library or, worse, a silent default (django-environ
reads any unknown word as a false boolean and any unknown URL as an empty database).

`manage.py` and `newsroom/wsgi.py` print `EnvironmentVariableError` as that one line and
exit non-zero. Values of URL variables are never repeated in the message: they may carry a
password.
"""

import ipaddress
import os
import sys
import warnings

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE = {"true", "yes", "on", "1"}
FALSE = {"false", "no", "off", "0"}
DATABASE_ENGINES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}


class EnvironmentVariableError(ImproperlyConfigured):
    """A variable of the environment (or of the `.env` file) is missing or malformed."""

    def __init__(self, name, expected, value=None, *, show_value=True, message=None):
        shown = f" (got {value!r})" if show_value and value is not None else ""
        super().__init__(message or f"Environment variable {name}{shown}: {expected}.")
        self.name = name


def missing(name, message):
    """`name` must be set: the error to raise, with `message` as its whole text."""
    return EnvironmentVariableError(name, "", message=message)


def _raw(name):
    return os.environ.get(name)


def text(name, default=""):
    value = _raw(name)
    return default if value is None else value


def boolean(name, default):
    value = _raw(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise EnvironmentVariableError(name, "must be true or false", value)


def integer(name, default, *, minimum=None):
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise EnvironmentVariableError(name, "must be a whole number", value) from None
    if minimum is not None and number < minimum:
        raise EnvironmentVariableError(name, f"must be at least {minimum}", value)
    return number


def seconds(name, default):
    """A positive number of seconds (fractions allowed)."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise EnvironmentVariableError(name, "must be a number of seconds", value) from None
    if not number > 0 or number == float("inf"):
        raise EnvironmentVariableError(name, "must be a number of seconds above 0", value)
    return number


def url(name, default, *, schemes=("http", "https")):
    value = text(name, default)
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in schemes or not rest.strip("/"):
        raise EnvironmentVariableError(
            name,
            f"must be an address starting with {' or '.join(s + '://' for s in schemes)}",
            value,
        )
    return value


def choice(name, default, choices):
    value = _raw(name)
    if value is None:
        return default
    if value.strip().upper() not in choices:
        raise EnvironmentVariableError(name, f"must be one of {', '.join(choices)}", value)
    return value.strip().upper()


def words(name, default=()):
    """A comma-separated list; empty entries are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [word.strip() for word in value.split(",") if word.strip()]


def networks(name, default):
    """A comma-separated list of addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`)."""
    found = []
    for word in words(name, default):
        try:
            found.append(ipaddress.ip_network(word))
        except ValueError as exc:
            raise EnvironmentVariableError(
                name, f"{word!r} is not an IP address or network ({exc})"
            ) from None
    return found


def database(name, default):
    value = _raw(name)
    url = default if value is None else value
    try:
        with warnings.catch_warnings():  # its warning would print the URL, password and all
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except (ValueError, ImproperlyConfigured):
        config = {}
    if config.get("ENGINE") not in DATABASE_ENGINES or not config.get("NAME"):
        raise EnvironmentVariableError(
            name,
            "must be a database URL such as postgres://user:password@host:5432/name "
            "or sqlite:////path/to/db.sqlite3",
            show_value=False,
        )
    return config


def cache(name, default):
    value = _raw(name)
    try:
        return environ.Env.cache_url_config(default if value is None else value)
    except (ValueError, ImproperlyConfigured):
        raise EnvironmentVariableError(
            name,
            "must be a cache URL such as redis://127.0.0.1:6379/1 or locmemcache://name",
            show_value=False,
        ) from None


def email(name, default):
    value = _raw(name)
    try:
        return environ.Env.email_url_config(default if value is None else value)
    except (ValueError, ImproperlyConfigured):
        raise EnvironmentVariableError(
            name,
            "must be a mail URL such as smtp+tls://user:password@host:587 or consolemail://",
            show_value=False,
        ) from None


def exit_on_error(run, *, status=1):
    """Run `run()`; a malformed variable ends the process with its one line on stderr and
    exit `status`."""
    try:
        return run()
    except EnvironmentVariableError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(status) from None
