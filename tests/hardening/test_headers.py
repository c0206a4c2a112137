"""Security headers on every kind of page, and the deploy check in production settings."""

import re

import pytest
from django.test import override_settings

from tests.test_settings import PRODUCTION_ENV, manage


def _policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def pages(client, make_article, world):
    article = make_article(slug="quake", title="Quake")
    return {
        "front": "/",
        "category": world.get_absolute_url(),
        "article": article.get_absolute_url(),
        "search": "/search/?q=quake",
        "feed": "/feed/",
        "sitemap": "/sitemap.xml",
        "privacy": "/privacy/",
        "404": "/no/such/page/",
    }


def test_public_pages_allow_scripts_and_styles_only_from_our_origin(client, pages):
    """Every public response carries the strict policy: scripts and styles from 'self'
    only, no 'unsafe-inline', no nonce (pages are cached whole), no framing, no plugins."""
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], name
        assert policy["style-src"] == ["'self'"], name
        assert policy["default-src"] == ["'self'"], name
        assert policy["object-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["base-uri"] == ["'self'"], name
        assert "nonce-" not in response["Content-Security-Policy"], name


def test_the_article_page_needs_nothing_the_policy_forbids(client, pages):
    """No inline script other than JSON-LD data, no inline style, no event handler:
    what the strict policy would block is not on the page."""
    html = client.get(pages["article"]).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attrs or "application/ld+json" in attrs for attrs in scripts)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)


def test_the_admin_keeps_scripts_strict_but_allows_inline_styles(admin_client):
    """The admin (Django's widgets, the prose editor) sets style attributes from its own
    scripts: its policy allows inline styles, never inline scripts."""
    policy = _policy(admin_client.get("/admin/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_other_security_headers(client, pages):
    """Referrer-Policy, nosniff, frame protection and the opener policy on every page."""
    response = client.get(pages["article"])
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(SECURE_HSTS_SECONDS=31536000, SESSION_COOKIE_SECURE=True)
def test_https_responses_carry_hsts_and_cookies_are_secure(admin_user, client):
    """Over HTTPS: Strict-Transport-Security; the session cookie is Secure and HttpOnly."""
    response = client.get("/admin/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "password"},
        secure=True,
    )
    assert response.status_code == 302
    cookie = client.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]


def _print_settings(*names, env):
    code = "from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[: len(names)]


def test_production_defaults_turn_on_hsts_and_secure_cookies_without_being_asked():
    """With DEBUG off and only the required variables set, cookies are Secure and HSTS is
    a year: forgetting an environment variable does not weaken production."""
    env = {"DEBUG": "false", "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]}
    values = _print_settings(
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", env=env
    )
    assert values == ["True", "True", "31536000"]
    debug = _print_settings("SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS", env={"DEBUG": "true"})
    assert debug == ["False", "0"]
