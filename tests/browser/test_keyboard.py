"""The queue at keyboard speed in a real browser: a moderator (Moderators group, not a
superuser) approves with `a`, marks spam with `s`, undoes the spam with `z` within the
window — the comment is back and nothing was sent —, meets a comment someone else just
decided, and reads the list of keys (`?`). Screenshots land in artifacts/."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, CommentEvent
from comments.moderation import change_status
from tests.browser.conftest import ARTIFACTS, axe_blocking

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Long-pass-phrase-9"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LONG = "The flood plan deserves a closer reading. " * 12


@pytest.fixture
def desk(akismet_server):
    """Four pending comments checked by Akismet (ham, payload kept), a moderator, and the
    database queue: held jobs wait as rows until this test runs them."""
    from articles.models import Article

    call_command("seed_demo", verbosity=0)
    Comment.objects.all().delete()
    article = Article.objects.published().first()
    now = timezone.now()
    for i, body in enumerate(["Fair point on the gauges.", "Buy cheap pumps now!", LONG, "Ok."]):
        Comment.objects.create(
            article=article,
            author_name=f"Reader {i}",
            author_email=f"reader{i}@example.com",
            body=body,
            status="pending",
            verdict="ham",
            akismet_payload={"user_ip": f"192.0.2.{i + 1}", "comment_content": body},
            user_ip=f"192.0.2.{i + 1}",
            created_at=now - timezone.timedelta(minutes=i),
        )
    user = get_user_model().objects.create_user(
        "maria", email="maria@example.com", password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    with override_settings(TASKS=DATABASE_QUEUE):
        yield user


@pytest.fixture
def queue_page(browser, live_server, desk):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/admin/comments/comment/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/comments/comment/")
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    yield page
    context.close()


def rows(page):
    return page.locator("#result_list tbody tr:visible")


def run_held_jobs():
    """What a worker does once the undo window has passed: every job, run now."""
    from django_tasks_db.models import DBTaskResult

    done = []
    for job in DBTaskResult.objects.all():
        done.append(job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"]))
    return done


# Django's own search field (its label is an icon) is the admin's, not the queue's.
SEARCHBAR = 'id="searchbar"'


def shot(page, name):
    """The visible window (the undo bar and the dialog are fixed to it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_approve_spam_and_undo_the_spam_sends_nothing(queue_page, akismet_server, desk):
    page = queue_page
    expect(rows(page)).to_have_count(4)
    page.keyboard.press("j")
    expect(rows(page).first).to_have_class("c-current")
    page.keyboard.press("a")
    undo_bar = page.locator("#c-undo")
    expect(undo_bar).to_contain_text("Approve: the comment by Reader 0 is now approved.")
    expect(rows(page)).to_have_count(3)
    # Focus moved on to the next comment, which `s` marks as spam.
    expect(rows(page).first).to_have_class("c-current")
    page.keyboard.press("s")
    expect(undo_bar).to_contain_text("Mark as spam: the comment by Reader 1 is now spam.")
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#c-live")).to_contain_text("Press z to undo.")
    expect(page.locator(".pending-badge")).to_have_text("2 comments pending")
    shot(page, "queue-keyboard-undo-bar")
    assert dict(Comment.objects.values_list("author_name", "status"))["Reader 1"] == "spam"

    page.keyboard.press("z")
    expect(page.locator("#c-live")).to_contain_text("Undone: the comment by Reader 1 is pending")
    expect(rows(page)).to_have_count(3)
    expect(rows(page).first).to_contain_text("Buy cheap pumps")
    expect(page.locator(".pending-badge")).to_have_text("3 comments pending")
    statuses = dict(Comment.objects.values_list("author_name", "status"))
    assert statuses == {
        "Reader 0": "approved",
        "Reader 1": "pending",
        "Reader 2": "pending",
        "Reader 3": "pending",
    }
    undone = Comment.objects.get(author_name="Reader 1")
    assert undone.feedback_pending == ""
    assert CommentEvent.objects.filter(comment=undone, details__has_key="undoes").count() == 1

    # The worker, after the window: the spam report belonged to an undone decision.
    assert run_held_jobs() == ["undone"]
    assert akismet_server.calls("submit-spam") == []
    assert akismet_server.calls("submit-ham") == []
    assert mail.outbox == []


def test_a_comment_decided_meanwhile_says_so_and_keeps_the_other_decision(queue_page, desk):
    page = queue_page
    jonas = get_user_model().objects.create_user("jonas", is_staff=True)
    first = Comment.objects.get(author_name="Reader 0")
    change_status(first, "spam", actor=jonas)  # after the page was loaded
    page.keyboard.press("j")
    page.keyboard.press("a")
    row = rows(page).first
    expect(row.locator(".c-row-note")).to_have_text("Decided meanwhile by jonas: spam.")
    expect(page.locator("#c-live")).to_contain_text("Decided meanwhile by jonas: spam.")
    expect(rows(page)).to_have_count(4)
    first.refresh_from_db()
    assert (first.status, first.moderated_by) == ("spam", jonas)
    # Another key on the same row changes nothing either.
    page.keyboard.press("t")
    expect(page.locator("#c-undo")).to_be_hidden()
    first.refresh_from_db()
    assert first.status == "spam"
    shot(page, "queue-keyboard-decided-meanwhile")


def test_the_keys_are_listed_and_a_long_comment_opens_in_its_row(queue_page):
    page = queue_page
    assert axe_blocking(page, "queue-keyboard", not_ours=SEARCHBAR) == []
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Approve")
    expect(dialog).to_contain_text("Unapprove / Not spam / Restore")
    shot(page, "queue-keyboard-help")
    assert axe_blocking(page, "queue-keyboard-help", not_ours=SEARCHBAR) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    long_row = rows(page).nth(2)
    expect(long_row).to_have_class("c-current")
    full = long_row.locator(".c-full")
    expect(full).to_be_hidden()
    page.keyboard.press("e")
    expect(full).to_be_visible()
    expect(full).to_contain_text(LONG.strip()[-60:])
    page.keyboard.press("o")
    page.wait_for_url("**/admin/comments/comment/?article=*&status=pending")
    expect(rows(page)).to_have_count(4)
