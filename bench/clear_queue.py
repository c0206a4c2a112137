"""How long clearing 50 pending comments takes in the browser (not part of the tests).

    DEBUG=false SECRET_KEY=x .venv/bin/python manage.py collectstatic --noinput -v0
    DEBUG=false SECRET_KEY=x .venv/bin/pytest bench/clear_queue.py -s -q

Four ways a moderator clears the queue: one row button per comment (reading each), one
bulk "Approve" for the whole page, triage by clicks (spam the 10 bad ones with their row
buttons, then bulk-approve the other 40), and triage by keyboard (`s` on each of the 10,
`a` on each of the 40, one JSON POST each, no page load). The times are the machine's
share: the page loads and clicks; a person adds their reading time. Each line also says how
many requests the browser made (Playwright's request events, after sign-in): pages,
fetch POSTs, and the rest (static files, which the browser mostly has cached).
"""

import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from tests.browser.conftest import browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-Long-pass-phrase-9"


@pytest.fixture
def desk(browser, live_server):  # noqa: F811
    from articles.models import Article

    call_command("seed_demo", verbosity=0)
    Comment.objects.all().delete()
    article = Article.objects.published().first()
    now = timezone.now()
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {i}",
            author_email=f"reader{i}@example.com",
            body=("Buy cheap pumps now " if i % 5 == 0 else "A fair question about the plan ")
            + f"number {i}.",
            status="pending",
            verdict="ham",
            user_ip=f"192.0.2.{i + 1}",
            created_at=now - timezone.timedelta(minutes=i),
        )
        for i in range(50)
    )
    user = get_user_model().objects.create_user("maria", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/admin/comments/comment/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/comments/comment/")
    page.requests = Counter()
    page.on("request", lambda request: page.requests.update([request.resource_type]))
    yield page
    context.close()


def report(name, started, page):
    seconds = time.perf_counter() - started
    left = Comment.objects.filter(status="pending").count()
    spam = Comment.objects.filter(status="spam").count()
    seen = page.requests
    other = sum(seen.values()) - seen["document"] - seen["fetch"]
    print(
        f"\n{name}: {seconds:.1f} s for 50 comments ({left} left pending, {spam} spam); "
        f"{sum(seen.values())} requests: {seen['document']} pages, {seen['fetch']} fetch, "
        f"{other} other"
    )


def test_one_row_button_each(desk):
    started = time.perf_counter()
    for _ in range(50):
        desk.locator("#result_list tbody tr").first.get_by_role("button", name="Approve").click()
        desk.wait_for_load_state()
    report("one 'Approve' row button each", started, desk)


def test_bulk_approve_the_page(desk):
    started = time.perf_counter()
    desk.locator("#action-toggle").check()
    desk.locator("select[name=action]").select_option(label="Approve")
    desk.get_by_role("button", name="Go").click()
    desk.wait_for_load_state()
    report("select all + bulk 'Approve'", started, desk)


def test_triage_spam_ten_then_approve_the_rest(desk):
    started = time.perf_counter()
    for _ in range(10):
        row = desk.locator("#result_list tbody tr").filter(has_text="Buy cheap pumps").first
        row.get_by_role("button", name="Mark as spam").click()
        desk.wait_for_load_state()
    desk.locator("#action-toggle").check()
    desk.locator("select[name=action]").select_option(label="Approve")
    desk.get_by_role("button", name="Go").click()
    desk.wait_for_load_state()
    report("10 'Mark as spam' row buttons + bulk 'Approve' for 40", started, desk)


def test_triage_by_keyboard(desk):
    started = time.perf_counter()
    desk.keyboard.press("j")
    for _ in range(50):
        current = desk.locator("#result_list tbody tr.c-current")
        key = "s" if "Buy cheap pumps" in current.inner_text() else "a"
        with desk.expect_response(lambda r: "/decide/" in r.url and r.status == 200):
            desk.keyboard.press(key)
    report("keyboard: 's' on 10, 'a' on 40", started, desk)
