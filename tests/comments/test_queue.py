"""Background work: what the request leaves to the worker, and how the worker's tasks
behave when delivered twice, too late, or with bad input."""

import logging
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from comments import queue, schedule, tasks
from comments.models import Comment, ScheduledRun
from comments.moderation import change_status
from comments.pipeline import claim_check, claim_recheck, decided_by_a_person

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(db):
    """The embedded default: jobs are rows, nothing runs until a worker takes them."""
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_QUEUE):
        yield DBTaskResult.objects


@pytest.fixture
def held_mail_on(maria):
    return maria  # a moderator with an address: held comments are mailed


def test_the_post_answers_before_the_check_which_runs_after_commit(
    akismet_server, post, database_queue
):
    response = post(comment="Hello there.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.verdict) == ("pending", "unchecked")
    assert akismet_server.calls("comment-check") == []
    job = database_queue.get()
    assert job.task_path == "comments.tasks.check_comment"
    assert job.args_kwargs["args"] == [comment.pk, 0]


def test_an_approved_author_awaits_moderation_first_then_is_published(
    akismet_server, post, client, article, make_comment, database_queue
):
    from comments.models import ModerationPolicy

    policy = ModerationPolicy.objects.get(pk=1)
    policy.manual_approval, policy.auto_approve_known_authors = False, True
    policy.save()
    make_comment(
        author_name="Ada Reader",
        author_email="known@example.com",
        created_at=timezone.now() - timedelta(days=1),
    )
    response = post(email="known@example.com", comment="Known author here.")
    assert response.status_code == 302
    comment = Comment.objects.get(body="Known author here.")
    page = client.get(article.get_absolute_url(), cookies=response.cookies)
    assert "awaiting moderation" in page.content.decode()
    job = database_queue.get()
    job.task.call(*job.args_kwargs["args"])  # what the worker does
    comment.refresh_from_db()
    assert (comment.verdict, comment.status) == ("ham", "approved")


def test_queue_unreachable_at_post_time_then_the_sweep_finds_it(
    akismet_server, post, monkeypatch, caplog, time_machine
):
    from django_tasks.backends.immediate import ImmediateBackend

    def refuse(*args, **kwargs):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    with caplog.at_level(logging.WARNING, logger="comments.queue"):
        assert post(comment="Kept anyway.").status_code == 302
    assert "could not enqueue check_comment" in caplog.text
    comment = Comment.objects.get()
    assert (comment.status, comment.verdict) == ("pending", "unchecked")
    monkeypatch.undo()
    assert tasks.sweep_now()["checks"] == 0  # too fresh: its job may still be queued
    time_machine.move_to(timezone.now() + tasks.unchecked_grace() + timedelta(seconds=1))
    assert tasks.sweep_now()["checks"] == 1
    comment.refresh_from_db()
    assert comment.verdict == "ham"


def test_a_check_delivered_twice_checks_and_mails_once(
    akismet_server, make_comment, held_mail_on, caplog, run_on_commit
):
    comment = make_comment(status="pending", verdict="unchecked")
    with run_on_commit():  # the worker commits as it goes
        assert tasks.check_comment.call(comment.pk, 0) == "ham"
    with caplog.at_level(logging.INFO, logger="comments.queue"), run_on_commit():
        assert tasks.check_comment.call(comment.pk, 0) == "duplicate"
    assert len(akismet_server.calls("comment-check")) == 1
    assert len(mail.outbox) == 1
    assert "duplicate check for comment" in caplog.text
    assert tasks.mail_held_comment.call(comment.pk) == 0  # the mail job again
    assert len(mail.outbox) == 1
    comment.refresh_from_db()
    assert comment.check_attempts == 1
    assert comment.history.filter(kind="check").count() == 1


def test_a_persons_decision_before_the_check_stands(akismet_server, make_comment, maria):
    comment = make_comment(status="pending", author_name="akismet-guaranteed-spam")
    change_status(comment, "approved", actor=maria)
    tasks.check_comment.call(comment.pk, 0)
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == ("approved", "spam")  # recorded, not filed
    assert comment.akismet_payload  # kept for feedback


def test_a_spam_comment_is_never_mailed_about(
    akismet_server, make_comment, held_mail_on, run_on_commit
):
    comment = make_comment(status="pending", author_name="akismet-guaranteed-spam")
    with run_on_commit():
        tasks.check_comment.call(comment.pk, 0)
    comment.refresh_from_db()
    assert comment.status == "spam"
    assert mail.outbox == []


def test_bad_input_ends_quietly(akismet_server, make_comment, caplog):
    from comments import privacy

    erased = make_comment(status="pending", author_email="gone@example.com")
    privacy.erase("gone@example.com")
    deleted = make_comment(status="pending")
    deleted_pk = deleted.pk
    deleted.delete()
    with caplog.at_level(logging.INFO, logger="comments.tasks"):
        assert tasks.check_comment.call(deleted_pk, 0) == "gone"
        assert tasks.check_comment.call(erased.pk, 0) == "erased"
        assert tasks.check_comment.call("1; DROP TABLE", 0) == "refused"
        assert tasks.check_comment.call(erased.pk, -1) == "refused"
        assert tasks.check_comment.call(True, 0) == "refused"
        assert tasks.report_to_akismet.call(erased.pk, "maybe") == "refused"
        assert tasks.mail_held_comment.call(None) == 0
    assert akismet_server.requests == []
    assert "is gone" in caplog.text and "erased" in caplog.text
    assert caplog.text.count("refused") >= 4


def test_a_failed_check_comes_back_by_our_back_off(akismet_server, make_comment, database_queue):
    comment = make_comment(status="pending", verdict="unchecked")
    akismet_server.mode = "500"
    assert tasks.check_comment.call(comment.pk, 0) == "error"
    comment.refresh_from_db()
    retry = database_queue.get()
    assert retry.args_kwargs["args"] == [comment.pk, 1, "retry"]
    assert retry.run_after == comment.next_check_at
    assert comment.next_check_at - comment.checked_at == timedelta(minutes=20)


def test_bulk_not_spam_over_200_waits_on_nothing(
    akismet_server, maria_client, make_comment, database_queue
):
    payload = {"user_ip": "203.0.113.5", "comment_content": "x"}
    comments = [
        make_comment(status="spam", verdict="spam", akismet_payload=payload) for _ in range(200)
    ]
    akismet_server.mode = "slow"  # each call would take 0.3 s (the client's timeout)
    started = time.monotonic()
    response = maria_client.post(
        "/admin/comments/comment/?status=all",
        {"action": "not_spam", "_selected_action": [c.pk for c in comments]},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert akismet_server.requests == []
    # One held job for the 200 reports; it enqueues one per comment when it runs.
    [batch] = database_queue.filter(task_path="comments.tasks.report_many_to_akismet")
    reports = batch.args_kwargs["args"][0]
    assert sorted(pk for pk, *_rest in reports) == sorted(c.pk for c in comments)
    assert {kind for _pk, kind, *_rest in reports} == {"ham"}
    assert Comment.objects.filter(status="pending", feedback_pending="ham").count() == 200
    assert elapsed < 30
    assert tasks.report_many_to_akismet.call(reports) == 200
    assert database_queue.filter(task_path="comments.tasks.report_to_akismet").count() == 200


def test_check_again_answers_at_once_and_a_worker_checks_and_files(
    akismet_server, maria_client, make_comment, database_queue, caplog
):
    spammy = make_comment(status="pending", verdict="error", author_name="akismet-guaranteed-spam")
    fine = [make_comment(status="pending", verdict="ham") for _ in range(2)]
    akismet_server.mode = "slow"  # a request that called Akismet would wait on it
    response = maria_client.post(
        "/admin/comments/comment/?status=all",
        {"action": "check_again", "_selected_action": [c.pk for c in [spammy, *fine]]},
        follow=True,
    )
    assert "3 comments queued for a new check" in response.content.decode()
    assert akismet_server.requests == []
    jobs = list(database_queue.filter(task_path="comments.tasks.recheck_comment"))
    assert sorted(j.args_kwargs["args"][0] for j in jobs) == sorted(c.pk for c in [spammy, *fine])
    akismet_server.mode = "normal"
    for job in jobs:  # what the worker does
        job.task.call(*job.args_kwargs["args"])
    spammy.refresh_from_db()
    assert (spammy.verdict, spammy.status) == ("spam", "spam")
    sent = akismet_server.calls("comment-check")
    assert len(sent) == 3 and {s["recheck_reason"] for s in sent} == {"recheck_queue"}
    # Delivered again (or the moderator clicked twice): nothing more is asked or recorded.
    with caplog.at_level(logging.INFO, logger="comments.queue"):
        assert jobs[0].task.call(*jobs[0].args_kwargs["args"]) in ("duplicate", "not pending")
    assert len(akismet_server.calls("comment-check")) == 3
    for c in fine:
        assert c.history.filter(kind="check").count() == 1


def test_a_recheck_of_what_changed_meanwhile_ends_quietly(akismet_server, make_comment, caplog):
    from comments import privacy

    approved = make_comment(status="pending", verdict="ham")
    change_status(approved, "approved", actor_label="test")
    deleted = make_comment(status="pending")
    deleted_pk = deleted.pk
    deleted.delete()
    erased = make_comment(status="pending", author_email="gone@example.com")
    privacy.erase("gone@example.com")
    with caplog.at_level(logging.INFO, logger="comments.tasks"):
        assert tasks.recheck_comment.call(approved.pk, approved.check_attempts) == "not pending"
        assert tasks.recheck_comment.call(deleted_pk, 0) == "gone"
        assert tasks.recheck_comment.call(erased.pk, 0) == "erased"
        assert tasks.recheck_comment.call({"pk": 1}, 0) == "refused"
        assert tasks.recheck_comment.call(approved.pk, "0") == "refused"
    assert akismet_server.requests == []
    assert "not pending: not re-checked" in caplog.text


def test_the_scheduler_enqueues_each_slot_once(database_queue):
    now = timezone.now().replace(hour=8, minute=2, second=0, microsecond=0)
    # The articles app's scheduled revisions run every minute (articles.tasks.PERIODIC).
    assert sorted(schedule.run_due(now)) == [
        "digest",
        "notifications",
        "purge",
        "queue_sample",
        "revisions",
        "surges",
        "sweep",
        "typical_wait",
    ]
    assert schedule.run_due(now + timedelta(seconds=30)) == []  # same slots
    assert sorted(schedule.run_due(now + timedelta(minutes=5))) == [
        "notifications",
        "revisions",
        "surges",
        "sweep",
    ]
    assert ScheduledRun.objects.count() == 12
    assert database_queue.count() == 12


def test_the_scheduler_keeps_a_slot_whose_enqueue_failed(db, monkeypatch):
    from django_tasks.backends.immediate import ImmediateBackend

    def refuse(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    now = timezone.now().replace(hour=1)
    assert schedule.run_due(now) == []
    monkeypatch.undo()
    assert sorted(schedule.run_due(now)) == [
        "notifications",
        "queue_sample",
        "revisions",
        "surges",
        "sweep",
        "typical_wait",
    ]


def test_an_unreachable_queue_at_start_up_is_one_log_line(monkeypatch, caplog):
    tries = iter([ConnectionError("Connection refused")] * 3 + [None])

    def ping():
        error = next(tries)
        if error:
            raise error

    monkeypatch.setattr(queue, "ping", ping)
    with caplog.at_level(logging.WARNING, logger="comments.queue"):
        assert queue.wait_until_reachable("worker", sleep=lambda s: None) == 3
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "refuses connections" in errors[0].getMessage()
    assert "answers again" in caplog.text


@pytest.mark.parametrize(
    "url", ["/admin/django_tasks_db/dbtaskresult/", "/admin/comments/scheduledrun/"]
)
def test_the_queue_dashboard_is_for_staff_only(client, url, django_user_model):
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    reader = django_user_model.objects.create_user("reader", password="a-Long-pass-phrase-9")
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_check_is_claimed_once_per_attempt(make_comment):
    """Compare-and-set on the attempt count: of two deliveries of one job, one holds the
    claim; a stale delivery (an earlier attempt) of a comment whose check errored does not;
    a claim stamps when the check started."""
    comment = make_comment(status="pending", verdict="unchecked")
    assert claim_check(comment.pk, 0) is True
    assert claim_check(comment.pk, 0) is False  # the same job delivered twice
    Comment.objects.filter(pk=comment.pk).update(verdict="error")
    assert claim_check(comment.pk, 0) is False  # stale: attempt 1 already claimed
    comment.refresh_from_db()
    assert comment.check_attempts == 1 and comment.checked_at is not None
    assert claim_check(comment.pk, 1) is True  # the retry after the error
    Comment.objects.filter(pk=comment.pk).update(verdict="ham")
    assert claim_check(comment.pk, 2) is False  # a verdict recorded: nothing to claim


def test_a_recheck_is_claimed_once_and_only_while_pending(make_comment):
    comment = make_comment(status="pending", verdict="ham", check_attempts=3)
    assert claim_recheck(comment.pk, 2) is False  # a stale click
    assert claim_recheck(comment.pk, 3) is True
    assert claim_recheck(comment.pk, 3) is False  # the second click
    Comment.objects.filter(pk=comment.pk).update(status="approved")
    assert claim_recheck(comment.pk, 4) is False  # no longer pending


def test_an_automatic_filing_counts_as_decided(make_comment):
    """Left pending by nobody: not decided; moved by anyone (policy or person): decided."""
    assert not decided_by_a_person(make_comment(status="pending"))
    assert decided_by_a_person(make_comment(status="approved", moderated_at=None))


def test_a_superseded_recheck_records_and_files_nothing(akismet_server, make_comment):
    """A moderator's "Check again" job that finds a later check claimed (another click, a
    worker presumed dead): Akismet's answer to it is not recorded and nothing is filed."""
    from comments.pipeline import check_again

    comment = make_comment(
        status="pending",
        verdict="ham",
        check_attempts=1,
        author_name="akismet-guaranteed-spam",
    )
    Comment.objects.filter(pk=comment.pk).update(check_attempts=3)  # a later claim
    assert check_again(comment, 1) is None
    comment.refresh_from_db()
    assert (comment.status, comment.verdict, comment.check_attempts) == ("pending", "ham", 3)
    assert not comment.history.exists()


def test_a_check_finishing_after_a_person_decided_records_the_verdict_and_says_so(
    akismet_server, make_comment, caplog
):
    """A moderator trashed the comment while its check was out: the verdict is recorded,
    the person's decision stands, and the log line names the comment, the status and the
    verdict. A superseded check (a later claim) records nothing."""
    from comments.pipeline import check_and_file

    comment = make_comment(
        status="pending", verdict="unchecked", check_attempts=1, author_name="Ada"
    )
    Comment.objects.filter(pk=comment.pk).update(status="trash")
    with caplog.at_level(logging.INFO, logger="comments.pipeline"):
        assert check_and_file(comment, 0) == "ham"
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == ("trash", "ham")
    assert (
        f"comment {comment.pk} was decided (trash) before its check finished; the verdict "
        "ham is recorded, the status left as it is"
    ) in caplog.text

    later = make_comment(status="pending", verdict="unchecked", check_attempts=3)
    assert check_and_file(later, 0) is None
    later.refresh_from_db()
    assert (later.status, later.verdict, later.check_attempts) == ("pending", "unchecked", 3)
