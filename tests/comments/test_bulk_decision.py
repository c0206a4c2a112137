"""A moderator's bulk action (`moderation.decide_many`): the same outcome, comment by
comment, as `change_status` one at a time — status, history, counts, feedback to Akismet,
notifications — in a number of queries that does not grow with the comments."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import moderation, stats
from comments.actions import ACTIONS
from comments.models import (
    Comment,
    CommentEvent,
    DecisionTime,
    ModerationDay,
    Subscriber,
    Subscription,
)
from comments.moderation import change_status, decide_many
from comments.reasons import Reason

S = Comment.Status
V = Comment.Verdict
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
PAYLOAD = {"user_ip": "203.0.113.5", "comment_content": "As first sent", "user_agent": "UA/1"}
QUEUE = "/admin/comments/comment/"

# (status, verdict, moved to by the decision, hours since posted, decided before)
PLAN = [
    (S.PENDING, V.HAM, S.APPROVED, 1, False),
    (S.PENDING, V.HAM, S.SPAM, 30, False),  # missed spam
    (S.PENDING, V.SPAM, S.APPROVED, 3, False),  # a false positive
    (S.APPROVED, V.HAM, S.SPAM, 50, True),
    (S.SPAM, V.SPAM, S.PENDING, 2, False),  # Not spam: feedback "ham"
    (S.SPAM, V.DISCARD, S.APPROVED, 200, False),
    (S.APPROVED, V.SPAM, S.TRASH, 5, False),
    (S.TRASH, V.HAM, S.APPROVED, 0, True),  # trashed today: taken off today's trash
]
# (A day's total never goes below 0, so one by one, a take-back counted before anything
# entered that status would count differently; each of them comes after one here, as
# every comment counted when it entered the status it leaves.)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _akismet_key(settings):
    """A key, so a person overruling Akismet owes it feedback (the jobs are kept, never run:
    nothing is sent)."""
    settings.AKISMET_API_KEY = "stub-key-123"


@pytest.fixture
def queued_tasks(settings):
    """A queue that keeps its jobs (django-tasks' dummy backend): what the decision leaves
    for a worker stays visible, unrun."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def _planned(make_comment, tag):
    made = []
    for n, (status, verdict, _to, hours, decided) in enumerate(PLAN):
        made.append(
            make_comment(
                body=f"{tag} {n}",
                status=status,
                verdict=verdict,
                akismet_payload=PAYLOAD,
                created_at=NOW - timedelta(hours=hours),
                status_changed_at=NOW - timedelta(hours=hours),
                moderated_at=NOW - timedelta(hours=1) if decided else None,
            )
        )
    return made


def _target(comment):
    return PLAN[int(comment.body.rsplit(" ", 1)[1])][2]


def _outcome(comments):
    """What each comment looks like afterwards, and its history line, without ids."""
    rows = []
    for comment in Comment.objects.filter(pk__in=[c.pk for c in comments]).order_by("pk"):
        line = comment.history.get(kind=CommentEvent.Kind.STATUS)
        rows.append(
            (
                comment.status,
                comment.previous_status,
                comment.held_reason,
                comment.held_params,
                comment.feedback_pending,
                comment.moderated_by_id,
                comment.status_changed_at,
                (line.from_status, line.to_status, line.actor_id, line.actor_label),
                (line.reason, line.reason_params, line.details, line.created_at),
            )
        )
    return rows


def _counts():
    days = [
        {name: getattr(row, name) for name in ("section", *stats.FIELDS)}
        for row in ModerationDay.objects.order_by("section")
    ]
    buckets = sorted(DecisionTime.objects.values_list("section", "bucket", "count"))
    return days, buckets


def _jobs(queued_tasks, comments):
    """(task, comment's place in the list, the rest of its arguments) of every job; event
    ids as "the comment's status line"."""
    places = {c.pk: n for n, c in enumerate(comments)}
    out = []
    for result in queued_tasks.results:
        jobs = [(result.task.name, result.args)]
        if result.task.name == "report_many_to_akismet":  # one job for the batch's reports
            jobs = [("report_to_akismet", item) for item in result.args[0]]
        for name, (pk, *rest) in jobs:
            lines = CommentEvent.objects.filter(comment_id=pk, kind=CommentEvent.Kind.STATUS)
            rest = ["its line" if arg == lines.get().pk else arg for arg in rest]
            out.append((name, places[pk], *rest, result.task.run_after))
    return sorted(out, key=str)


def test_a_bulk_decision_does_what_one_decision_at_a_time_does(
    make_comment, maria, queued_tasks, run_on_commit
):
    """The same comments decided one by one (`change_status`) and in one bulk decision:
    the same fields, history lines, totals, histogram and jobs (feedback to Akismet held
    for the undo window, on the decision's own history line)."""
    reason, params = Reason.OTHER, {"note": "cleaning up"}
    one_by_one = _planned(make_comment, "single")
    with run_on_commit():
        for comment in one_by_one:
            change_status(comment, _target(comment), actor=maria, reason=reason, params=params)
    single = (_outcome(one_by_one), _counts(), _jobs(queued_tasks, one_by_one))
    ModerationDay.objects.all().delete()
    DecisionTime.objects.all().delete()
    queued_tasks.clear()

    together = _planned(make_comment, "bulk")
    with run_on_commit():
        changed, skipped, conflicts = decide_many(
            together, _target, actor=maria, reason=reason, params=params
        )
    assert (len(changed), skipped, conflicts) == (len(PLAN), 0, 0)
    assert (_outcome(together), _counts(), _jobs(queued_tasks, together)) == single
    assert [c.status for c in together] == [to for _s, _v, to, _h, _d in PLAN]
    assert all(c.status_event.pk for c in together)
    names = {name for name, *_rest in single[2]}
    assert names == {"report_to_akismet"}  # nobody subscribed: no notification jobs
    assert ("report_to_akismet", 4, "ham", maria.pk, "its line", NOW + timedelta(seconds=10)) in (
        single[2]
    )


def test_a_comment_changed_meanwhile_is_left_alone(make_comment, maria, moderator):
    first, second, third = (make_comment(status=S.PENDING) for _ in range(3))
    change_status(
        Comment.objects.get(pk=second.pk), S.TRASH, actor=moderator
    )  # someone else, after the moderator's page was read
    changed, skipped, conflicts = decide_many(
        [first, second, third], lambda c: S.APPROVED, actor=maria
    )
    assert ([c.pk for c in changed], skipped, conflicts) == ([first.pk, third.pk], 0, 1)
    second.refresh_from_db()
    assert (second.status, second.moderated_by) == (S.TRASH, moderator)
    assert not second.history.filter(actor=maria).exists()


def test_an_action_that_does_not_apply_skips_the_comment(make_comment, maria):
    shown, held = make_comment(status=S.APPROVED), make_comment(status=S.PENDING)
    action = ACTIONS["approve"]
    changed, skipped, conflicts = decide_many([shown, held], action.target, actor=maria)
    assert ([c.pk for c in changed], skipped, conflicts) == ([held.pk], 1, 0)
    assert not shown.history.exists()


def test_the_last_feedback_akismet_accepted_decides_what_it_is_told(
    make_comment, maria, queued_tasks, run_on_commit
):
    """Akismet said spam, a person said ham and Akismet took it: marking it spam again is
    feedback again, as for one comment (`feedback_for`)."""
    comment = make_comment(status=S.APPROVED, verdict=V.SPAM, akismet_payload=PAYLOAD)
    CommentEvent.objects.create(
        comment=comment,
        kind=CommentEvent.Kind.FEEDBACK,
        details={"feedback": "ham", "delivered": True},
    )
    plain = make_comment(status=S.APPROVED, verdict=V.SPAM, akismet_payload=PAYLOAD)
    assert moderation.last_feedback([comment.pk, plain.pk]) == {comment.pk: "ham"}
    with run_on_commit():
        decide_many([comment, plain], lambda c: S.SPAM, actor=maria)
    [(task, args)] = [(r.task.name, r.args) for r in queued_tasks.results]
    assert task == "report_many_to_akismet" and [item[:2] for item in args[0]] == [
        [comment.pk, "spam"]
    ]
    plain.refresh_from_db()
    assert plain.feedback_pending == ""  # Akismet believed it spam already


def test_approvals_notify_only_those_who_asked(make_comment, maria, queued_tasks, run_on_commit):
    """The "published" subscription of the comment itself, and the "replies" one of the
    comment it answers — not when the reply is by that subscriber themselves."""
    parent = make_comment(status=S.APPROVED, author_email="Parent@Example.com")
    watcher = Subscriber.objects.create(email="parent@example.com", confirmed_at=NOW)
    Subscription.objects.create(subscriber=watcher, comment=parent, on_replies=True)
    own = make_comment(status=S.PENDING, author_email="me@example.com")
    me = Subscriber.objects.create(email="me@example.com", confirmed_at=NOW)
    Subscription.objects.create(subscriber=me, comment=own, on_publish=True)
    reply = make_comment(status=S.PENDING, parent=parent, author_email="other@example.com")
    self_reply = make_comment(status=S.PENDING, parent=parent, author_email="PARENT@example.com")
    nobody = make_comment(status=S.PENDING)
    gone = make_comment(status=S.PENDING)
    left = Subscriber.objects.create(email="left@example.com", unsubscribed_at=NOW)
    Subscription.objects.create(subscriber=left, comment=gone, on_publish=True)
    with run_on_commit():
        decide_many([own, reply, self_reply, nobody, gone], lambda c: S.APPROVED, actor=maria)
    notified = {r.args[0] for r in queued_tasks.results if r.task.name == "notify_approved"}
    assert notified == {own.pk, reply.pk}
    for result in queued_tasks.results:  # each on the approval's own history line
        line = CommentEvent.objects.get(comment_id=result.args[0], kind="status")
        assert result.args[1] == line.pk and line.to_status == S.APPROVED


@pytest.mark.parametrize("action", ["not_spam", "approve", "mark_spam"])
def test_the_bulk_action_costs_the_same_queries_for_5_or_40_comments(
    maria_client, make_comment, queued_tasks, action
):
    status = {"not_spam": S.SPAM, "approve": S.PENDING, "mark_spam": S.PENDING}[action]

    def run(n):
        comments = [
            make_comment(status=status, verdict=V.SPAM if status == S.SPAM else V.HAM,
                         akismet_payload=PAYLOAD)
            for _ in range(n)
        ]  # fmt: skip
        queued_tasks.clear()
        with CaptureQueriesContext(connection) as queries:
            response = maria_client.post(
                QUEUE + "?status=all",
                {"action": action, "_selected_action": [c.pk for c in comments]},
            )
        assert response.status_code == 302
        moved = Comment.objects.filter(pk__in=[c.pk for c in comments]).exclude(status=status)
        assert moved.count() == n
        reports = [r for r in queued_tasks.results if r.task.name == "report_many_to_akismet"]
        assert [len(r.args[0]) for r in reports] == ([] if action == "approve" else [n])
        return len(queries)

    run(1)  # the session, the policy, the day's rows: made once
    few, many = run(5), run(40)
    assert few == many, (few, many)
    assert many <= 25


def test_the_batchs_report_job_enqueues_one_report_per_comment(
    make_comment, maria, queued_tasks, run_on_commit, caplog
):
    """When the hold is over, the batch's job puts one `report_to_akismet` per comment on
    the queue (the workers share them), each with its decision's history line."""
    comments = [make_comment(status=S.SPAM, verdict=V.SPAM, akismet_payload=PAYLOAD)]
    comments += [make_comment(status=S.SPAM, verdict=V.SPAM, akismet_payload=PAYLOAD)]
    with run_on_commit():
        decide_many(comments, lambda c: S.PENDING, actor=maria)
    [batch] = queued_tasks.results
    assert batch.task.run_after == NOW + timedelta(seconds=10)
    queued_tasks.clear()
    assert batch.task.call(*batch.args) == 2
    expected = [
        ["report_to_akismet", c.pk, "ham", maria.pk, c.history.get(kind="status").pk]
        for c in comments
    ]
    assert [[r.task.name, *r.args] for r in queued_tasks.results] == expected
    assert all(r.task.run_after is None for r in queued_tasks.results)
    queued_tasks.clear()
    from comments import tasks

    assert tasks.report_many_to_akismet.call("nonsense") == 0
    assert (
        tasks.report_many_to_akismet.call([[1, "ham"], "x", [comments[0].pk, "ham", None, None]])
        == 1
    )
    assert "refused a report" in caplog.text
