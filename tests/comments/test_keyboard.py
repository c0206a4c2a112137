"""The queue at keyboard speed, on the server: the JSON decide endpoint (permissions, POST
only, CSRF, decided meanwhile, queries), undo (the 10 s window's edges on a clock the test
moves, only one's own decision), and the hold: a person's side effects wait for the undo
window and are not sent for an undone decision."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from comments import moderation, queue
from comments.actions import ACTIONS, key_help, keyed
from comments.models import Comment, CommentEvent, Subscriber, Subscription
from comments.moderation import UNDO_SECONDS, UndoRefused, change_status, undo
from comments.reasons import Reason

S = Comment.Status
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PAYLOAD = {"user_ip": "192.0.2.1", "comment_content": "Cheap pumps"}


def decide_url(comment, action):
    return reverse("admin:comments_comment_decide", args=[comment.pk, action])


def undo_url(comment, event_id):
    return reverse("admin:comments_comment_undo", args=[comment.pk, event_id])


@pytest.fixture
def pending(make_comment):
    return make_comment(status=S.PENDING, verdict="ham", akismet_payload=PAYLOAD)


@pytest.fixture
def jonas(db):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("jonas", password="x-Long-pass-9", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def database_queue(db):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_QUEUE):
        yield DBTaskResult.objects


def run_due(jobs):
    """What a worker does: run the jobs that are due now (their `run_after` has come)."""
    return [job.task.call(*job.args_kwargs["args"]) for job in jobs.ready()]


# -- the keys come from the actions ------------------------------------------------------


def test_the_keys_are_declared_on_the_actions(maria, make_comment):
    assert key_help() == [
        ("a", "Approve"),
        ("u", "Unapprove / Not spam / Restore"),
        ("s", "Mark as spam"),
        ("t", "Move to trash"),
    ]
    assert keyed(maria, make_comment(status=S.PENDING)) == {
        "a": "approve",
        "s": "spam",
        "t": "trash",
    }
    assert keyed(maria, make_comment(status=S.SPAM)) == {"u": "not_spam", "t": "trash"}
    assert keyed(maria, make_comment(status=S.TRASH)) == {"s": "spam", "u": "restore"}


def test_the_queue_rows_carry_their_keys_and_the_page_its_script(maria_client, pending):
    page = maria_client.get("/admin/comments/comment/").content.decode()
    assert f'data-comment="{pending.pk}" data-status="pending"' in page
    assert 'data-keys="a:approve s:spam t:trash"' in page
    assert f'data-decide="/admin/comments/comment/{pending.pk}/decide/_/"' in page
    assert "js/moderation-keys" in page and 'id="c-keys"' in page
    # The buttons of the page without script are still there.
    assert f"/admin/comments/comment/{pending.pk}/moderate/approve/" in page


def test_a_long_comment_is_whole_in_its_row_without_script(maria_client, make_comment):
    body = "A long look at the plan. " * 20 + "The very end."
    make_comment(status=S.PENDING, body=body)
    page = maria_client.get("/admin/comments/comment/").content.decode()
    assert '<details class="c-more"><summary>Whole comment</summary>' in page
    assert "The very end." in page


# -- the decide endpoint -------------------------------------------------------------------


def test_decide_answers_json_with_its_undo(maria_client, pending, maria):
    response = maria_client.post(decide_url(pending, "approve"), {"seen": "pending"})
    assert response.status_code == 200
    answer = response.json()
    event = CommentEvent.objects.get(comment=pending, kind="status")
    assert answer == {
        "status": "approved",
        "message": f"Approve: the comment by {pending.author_name} is now approved.",
        "undo": undo_url(pending, event.pk),
        "undo_seconds": UNDO_SECONDS,
    }
    pending.refresh_from_db()
    assert (pending.status, pending.moderated_by) == (S.APPROVED, maria)


def test_decide_is_for_moderators_only(client, django_user_model, pending):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.post(decide_url(pending, "approve"), {"seen": "pending"}).status_code == 403
    assert client.post(undo_url(pending, 1)).status_code == 403
    pending.refresh_from_db()
    assert pending.status == S.PENDING


def test_decide_refuses_get_and_actions_without_a_key(maria_client, pending):
    assert maria_client.get(decide_url(pending, "approve")).status_code == 405
    assert maria_client.get(undo_url(pending, 1)).status_code == 405
    assert maria_client.post(decide_url(pending, "delete")).status_code == 403
    assert maria_client.post(decide_url(pending, "check")).status_code == 403
    assert maria_client.post(decide_url(pending, "nonsense")).status_code == 403
    pending.refresh_from_db()
    assert pending.status == S.PENDING


def test_decide_needs_the_csrf_token(maria, pending):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(maria)
    assert browser.post(decide_url(pending, "spam"), {"seen": "pending"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    browser.get("/admin/comments/comment/")  # sets the cookie the script's header repeats
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        decide_url(pending, "spam"), {"seen": "pending"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_a_comment_decided_meanwhile_is_not_overwritten(maria_client, pending, jonas):
    change_status(pending, S.TRASH, actor=jonas)
    # Spam applies to trash too: only the status the moderator saw stops it.
    response = maria_client.post(decide_url(pending, "spam"), {"seen": "pending"})
    assert response.status_code == 409
    assert response.json() == {"error": "Decided meanwhile by jonas: trash.", "status": "trash"}
    pending.refresh_from_db()
    assert (pending.status, pending.moderated_by) == (S.TRASH, jonas)


def test_a_race_lost_at_the_update_says_who_won(pending, maria, jonas, monkeypatch):
    """The other decision lands between the read and the guarded update."""
    from comments import actions

    stale = Comment.objects.get(pk=pending.pk)
    change_status(Comment.objects.get(pk=pending.pk), S.SPAM, actor=jonas)
    with pytest.raises(actions.DecidedMeanwhile, match="Decided meanwhile by jonas: spam."):
        actions.decide(ACTIONS["approve"], stale, maria, seen="pending")
    assert Comment.objects.get(pk=pending.pk).status == S.SPAM


def test_a_key_that_does_not_apply_changes_nothing(maria_client, pending):
    response = maria_client.post(decide_url(pending, "restore"), {"seen": "pending"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "Nothing changed: Restore does not apply to a pending comment."
    }


def test_the_reason_of_the_action_bar_goes_with_spam_and_a_bad_one_is_refused(
    maria_client, pending
):
    response = maria_client.post(
        decide_url(pending, "spam"), {"seen": "pending", "reason": "nonsense"}
    )
    assert response.status_code == 400
    assert "That reason is not one of the list" in response.json()["error"]
    response = maria_client.post(
        decide_url(pending, "spam"),
        {"seen": "pending", "reason": "", "reason_note": "Selling pumps."},
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert (pending.held_reason, pending.held_params) == (Reason.OTHER, {"note": "Selling pumps."})


def test_decide_queries(maria_client, pending, django_assert_num_queries):
    maria_client.get("/admin/comments/comment/")  # the session is warm, as in the queue
    # session, user, the comment, the user's permissions (2), the history read for
    # feedback, the guarded update and the history line in a savepoint, the
    # subscriptions asked for; the moderation report's totals: the section, the day's row
    # and the decision-time bucket (3), each row inserted by the day's first decision (+6);
    # the thread rendered ahead of its readers (`section.warm`): article, policy, rows (3).
    with django_assert_num_queries(23):
        response = maria_client.post(decide_url(pending, "approve"), {"seen": "pending"})
    assert response.status_code == 200


def test_a_conflict_costs_a_few_queries_more_not_one_per_comment(
    maria_client, pending, jonas, django_assert_max_num_queries
):
    change_status(pending, S.SPAM, actor=jonas)
    with django_assert_max_num_queries(7):
        assert (
            maria_client.post(decide_url(pending, "approve"), {"seen": "pending"}).status_code
            == 409
        )


# -- undo ------------------------------------------------------------------------------------


def test_undo_at_9_9_s_puts_it_back_as_it_was(maria_client, pending, maria):
    pending.held_reason, pending.held_params = Reason.LINKS, {"links": 3, "limit": 2}
    pending.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer = maria_client.post(decide_url(pending, "approve"), {"seen": "pending"}).json()
    with time_machine.travel(start + timedelta(seconds=9.9), tick=False):
        response = maria_client.post(answer["undo"], headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {
        "status": "pending",
        "message": f"Undone: the comment by {pending.author_name} is pending again.",
    }
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    assert (pending.held_reason, pending.held_params) == (Reason.LINKS, {"links": 3, "limit": 2})
    last = pending.history.filter(kind="status").last()
    assert last.details["undoes"] == int(answer["undo"].rstrip("/").rsplit("/", 1)[1])
    from comments.history import describe

    assert describe(last) == "maria undid their decision: pending again"


def test_undo_at_10_1_s_is_refused_saying_how_to_change_it(maria_client, pending):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer = maria_client.post(decide_url(pending, "approve"), {"seen": "pending"}).json()
    with time_machine.travel(start + timedelta(seconds=10.1), tick=False):
        response = maria_client.post(answer["undo"], headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.json()["error"] == (
        "Too late to undo: the decision was made 10 s ago; change it from the comment's page."
    )
    with time_machine.travel(start + timedelta(seconds=14.2), tick=False):
        response = maria_client.post(answer["undo"], headers={"Accept": "application/json"})
    assert "the decision was made 14 s ago" in response.json()["error"]
    pending.refresh_from_db()
    assert pending.status == S.APPROVED


def test_undo_without_script_is_a_message_and_back(maria_client, pending):
    answer = maria_client.post(decide_url(pending, "trash"), {"seen": "pending"}).json()
    response = maria_client.post(answer["undo"], {"next": "/admin/comments/comment/?status=trash"})
    assert response.status_code == 302
    assert response.url == "/admin/comments/comment/?status=trash"
    page = maria_client.get(response.url).content.decode()
    assert f"Undone: the comment by {pending.author_name} is pending again." in page


def test_only_who_decided_can_undo(maria_client, pending, jonas, client):
    answer = maria_client.post(decide_url(pending, "spam"), {"seen": "pending"}).json()
    other = Client()
    other.force_login(jonas)
    response = other.post(answer["undo"], headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.json()["error"] == (
        "Only maria, who made this decision, can undo it; change it from the comment's page."
    )
    pending.refresh_from_db()
    assert pending.status == S.SPAM


def test_an_undo_after_someone_else_changed_it_is_refused(pending, maria, jonas):
    change_status(pending, S.APPROVED, actor=maria)
    event = pending.status_event
    change_status(pending, S.SPAM, actor=jonas)
    with pytest.raises(UndoRefused, match="Not undone: jonas changed it since"):
        undo(pending, event.pk, maria)
    # Nor an undo of an undo, nor of an automatic change.
    mine = change_status(pending, S.TRASH, actor=maria).status_event
    undone = undo(pending, mine.pk, maria).status_event
    with pytest.raises(UndoRefused, match="no decision of yours"):
        undo(pending, undone.pk, maria)
    auto = change_status(pending, S.PENDING, actor_label="policy").status_event
    with pytest.raises(UndoRefused, match="no decision of yours"):
        undo(pending, auto.pk, maria)


# -- the hold: side effects wait for the window, and an undone decision sends nothing ------


def test_a_spam_decision_holds_its_feedback_for_the_window(
    akismet_server, database_queue, pending, maria, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            change_status(pending, S.SPAM, actor=maria)
        assert run_due(database_queue) == []  # not due yet
    job = database_queue.get()
    assert job.args_kwargs["args"] == [pending.pk, "spam", maria.pk, pending.status_event.pk]
    assert job.run_after == start + timedelta(seconds=UNDO_SECONDS)
    with time_machine.travel(start + timedelta(seconds=9.9), tick=False):
        assert run_due(database_queue) == []
    with time_machine.travel(start + timedelta(seconds=10.1), tick=False):
        assert run_due(database_queue) == ["delivered"]
    assert len(akismet_server.calls("submit-spam")) == 1
    # Delivered twice (a second worker): sent once.
    assert job.task.call(*job.args_kwargs["args"]) == "not sent"
    assert len(akismet_server.calls("submit-spam")) == 1


def test_an_undone_spam_decision_sends_no_feedback(
    akismet_server, database_queue, pending, maria, django_capture_on_commit_callbacks, caplog
):
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        event = change_status(pending, S.SPAM, actor=maria).status_event
        assert pending.feedback_pending == "spam"
    with (
        time_machine.travel(start + timedelta(seconds=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        undo(pending, event.pk, maria)
    pending.refresh_from_db()
    assert (pending.status, pending.feedback_pending) == (S.PENDING, "")
    before = queue.withdrawn["feedback"]
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert run_due(database_queue) == ["undone"]
        from comments import tasks

        assert tasks.sweep_now()["feedback"] == 0  # nothing left for the sweep either
    assert akismet_server.calls("submit-spam") == []
    assert akismet_server.calls("submit-ham") == []
    assert queue.withdrawn["feedback"] == before + 1
    assert "was undone or changed since" in caplog.text


@pytest.fixture
def asked_to_be_told(pending):
    subscriber = Subscriber.objects.create(email=pending.author_email, confirmed_at=timezone.now())
    return Subscription.objects.create(subscriber=subscriber, comment=pending, on_publish=True)


def test_the_published_mail_waits_for_the_window_and_goes_once(
    database_queue, pending, maria, asked_to_be_told, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            change_status(pending, S.APPROVED, actor=maria)
        assert run_due(database_queue) == []
    assert mail.outbox == []
    with time_machine.travel(start + timedelta(seconds=11), tick=False):
        assert run_due(database_queue) == [1]
    assert [m.to for m in mail.outbox] == [[pending.author_email]]
    job = database_queue.get()
    assert job.task.call(*job.args_kwargs["args"]) == 0  # a second delivery sends nothing


def test_an_undone_approval_mails_nobody(
    database_queue, pending, maria, asked_to_be_told, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        event = change_status(pending, S.APPROVED, actor=maria).status_event
    with (
        time_machine.travel(start + timedelta(seconds=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        undo(pending, event.pk, maria)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert run_due(database_queue) == [0]
    assert mail.outbox == []


def test_row_buttons_and_bulk_actions_hold_their_side_effects_too(
    akismet_server, database_queue, maria_client, make_comment, django_capture_on_commit_callbacks
):
    one, two, three = (
        make_comment(status=S.PENDING, verdict="ham", akismet_payload=PAYLOAD) for _ in range(3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        maria_client.post(reverse("admin:comments_comment_moderate", args=[one.pk, "spam"]))
        maria_client.post(
            "/admin/comments/comment/",
            {"action": "mark_spam", "_selected_action": [two.pk, three.pk]},
        )
    assert Comment.objects.filter(status=S.SPAM).count() == 3
    jobs = list(database_queue.all())
    now = timezone.now()
    # The row button's report, and the bulk action's one job for its two reports.
    assert sorted(job.task_path.rsplit(".", 1)[1] for job in jobs) == [
        "report_many_to_akismet",
        "report_to_akismet",
    ]
    assert all(now < job.run_after <= now + timedelta(seconds=UNDO_SECONDS) for job in jobs)
    assert akismet_server.calls("submit-spam") == []


def test_the_immediate_backend_runs_a_held_job_at_once(
    akismet_server, pending, maria, run_on_commit
):
    """No queue to hold it in (the tests' backend): it runs after commit, decision standing."""
    with run_on_commit():
        change_status(pending, S.SPAM, actor=maria)
    assert len(akismet_server.calls("submit-spam")) == 1


def test_a_reporters_decision_mail_is_held_too(
    database_queue, pending, maria, django_capture_on_commit_callbacks
):
    from comments import reports
    from comments.models import Report

    report = Report.objects.create(
        comment=pending, ground="spam", email="reporter@example.com", reporter="x"
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reports.decide(pending, "keep", Reason.NO_BREACH, actor=maria)
        assert run_due(database_queue) == []
    job = database_queue.get(task_path="comments.tasks.mail_report_decision")
    assert job.args_kwargs["args"] == [report.pk]
    assert job.run_after == moderation.held_until(start)
    with time_machine.travel(start + timedelta(seconds=11), tick=False):
        assert 1 in run_due(database_queue)
    assert [m.to for m in mail.outbox] == [["reporter@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_waits_for_the_window_then_sends_what_stands_only(
    akismet_server, maria, make_comment
):
    """`manage.py run_worker --burst` on the database queue, a process of its own."""
    from django_tasks_db.models import DBTaskResult

    from tests.comments.test_queue_rq import _database_url, run_worker

    env = {
        **__import__("os").environ,
        "DEBUG": "false",
        "SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": _database_url(),
        "TASKS_URL": "database://",
        "AKISMET_API_KEY": "stub-key-123",
        "AKISMET_API_URL": akismet_server.url,
        "AKISMET_BLOG_URL": "http://testserver",
        "EMAIL_URL": "consolemail://",
        "CACHE_URL": "dummycache://",
    }
    with override_settings(TASKS=DATABASE_QUEUE):
        kept, taken_back = (
            make_comment(status=S.PENDING, verdict="ham", akismet_payload=PAYLOAD) for _ in range(2)
        )
        change_status(kept, S.SPAM, actor=maria)
        event = change_status(taken_back, S.SPAM, actor=maria).status_event
        undo(taken_back, event.pk, maria)
        assert DBTaskResult.objects.count() == 2
        first = run_worker(env)
        assert first.returncode == 0, first.stderr[-2000:]
        assert akismet_server.calls("submit-spam") == []  # within the window: nothing due
        # The window has passed (the jobs' time moved back rather than the test sleeping).
        DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
        second = run_worker(env)
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(akismet_server.calls("submit-spam")) == 1
    assert "was undone or changed since" in second.stdout + second.stderr
    kept.refresh_from_db()
    taken_back.refresh_from_db()
    assert (kept.status, kept.feedback_pending) == (S.SPAM, "")
    assert (taken_back.status, taken_back.feedback_pending) == (S.PENDING, "")
