"""The Content-Security-Policy in a real browser: nothing on the public pages, nor in the
admin's article editor and comment queue, is blocked by it."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article, Category

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations (event and console) as it goes."""
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script(LISTEN)

    def violations():
        seen = page.evaluate("window.__cspViolations")
        return seen + [m for m in messages if "Content Security Policy" in m]

    page.violations = violations
    return page


@pytest.fixture
def site(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    return Article.objects.published().first()


def test_no_violation_on_the_public_pages(live_server, watched, site):
    category = Category.objects.filter(depth=1).first()
    for url in ["/search/?q=the", "/", category.get_absolute_url(), site.get_absolute_url()]:
        watched.goto(live_server.url + url)
        watched.wait_for_load_state("networkidle")
        assert watched.violations() == [], url
    # The comment script (from 'self') ran: it parks a hidden placeholder before the form.
    assert watched.evaluate("document.getElementById('respond').previousSibling.hidden")


def test_no_violation_in_the_admin_editor(live_server, watched, site):
    get_user_model().objects.create_superuser("csp", "csp@example.com", "a-Long-pass-phrase-9")
    watched.goto(live_server.url + "/admin/login/")
    watched.fill("#id_username", "csp")
    watched.fill("#id_password", "a-Long-pass-phrase-9")
    watched.click("input[type=submit]")
    for url in [f"/admin/articles/article/{site.pk}/change/", "/admin/comments/comment/"]:
        watched.goto(live_server.url + url)
        watched.wait_for_load_state("networkidle")
        assert watched.violations() == [], url
    watched.goto(live_server.url + f"/admin/articles/article/{site.pk}/change/")
    assert watched.locator(".prose-editor").count() >= 1
