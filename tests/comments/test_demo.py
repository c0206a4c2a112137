"""`manage.py seed_demo_comments`: every state in the queue, a moderator, safe to repeat,
and robust to demo articles that are missing."""

from django.core.management import call_command

from articles.models import Article
from comments.models import Comment
from comments.reasons import Reason


def seed(*args):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_comments", *args, verbosity=0)


def test_every_state_is_in_the_demo(db):
    seed()
    comments = Comment.objects.all()
    assert {c.status for c in comments} == {"pending", "approved", "spam", "trash"}
    assert {c.verdict for c in comments} >= {"ham", "spam", "discard", "error", "unchecked"}
    held = list(comments.filter(status="pending").values_list("held_reason", "held_params"))
    assert (Reason.LINKS, {"links": 3, "limit": 2}) in held
    assert (Reason.MODERATION_WORD, {"word": "giveaway"}) in held
    assert comments.filter(status="approved", parent__isnull=False).exists()  # threads
    assert all(c.history.exists() for c in comments)


def test_a_moderator_account_in_the_moderators_group(db, capsys):
    seed("--login")
    out = capsys.readouterr().out
    assert "Login moderator (Moderators group): moderator / " in out
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="moderator")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("comments.moderate_comment")
    assert not user.has_perm("articles.change_article")


def test_safe_to_run_again(db):
    seed()
    before = Comment.objects.count()
    seed()
    assert Comment.objects.count() == before


def test_missing_articles_are_skipped(db, capsys):
    call_command("seed_demo", verbosity=0)
    Article.objects.exclude(slug="river-delta-towns-agree-shared-flood-plan").delete()
    call_command("seed_demo_comments")
    assert "skipped (article missing)" in capsys.readouterr().out
    assert Comment.objects.exists()
    assert set(Comment.objects.values_list("article__slug", flat=True)) == {
        "river-delta-towns-agree-shared-flood-plan"
    }
    # Every state of the queue still shows.
    assert set(Comment.objects.values_list("status", flat=True)) == {
        "pending",
        "approved",
        "spam",
        "trash",
    }
    verdicts = set(Comment.objects.values_list("verdict", flat=True))
    assert verdicts >= {"ham", "spam", "discard", "error", "unchecked"}


def test_a_block_and_a_ban_with_their_effects_seen_by_the_moderator(db, client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from comments.admin.commenters import commenter_url
    from comments.demo import BANNED, BLOCKED_DOMAIN
    from comments.models import Block, Commenter

    seed()
    seed()  # still one block, one ban
    assert Block.objects.get().value == BLOCKED_DOMAIN
    assert Commenter.objects.get().email == BANNED
    blocked = Comment.objects.get(author_email__endswith="@" + BLOCKED_DOMAIN)
    assert (blocked.status, blocked.held_reason) == ("spam", Reason.BLOCKED)
    hidden = Comment.objects.filter(author_email=BANNED)
    assert hidden.count() == 2
    assert set(hidden.values_list("status", "held_reason")) == {("trash", Reason.BANNED)}
    client.force_login(get_user_model().objects.get(username="moderator"))
    page = client.get(commenter_url(BANNED)).content.decode()
    assert "Banned" in page and "2 hidden by the ban" in page
    assert BLOCKED_DOMAIN in client.get(reverse("admin:comments_block_changelist")).content.decode()


def test_the_demo_has_open_and_decided_reports(db):
    from comments import reports
    from comments.models import Report, ReportMonth

    seed()
    reported = list(reports.reported_comments())
    assert reported and reported[0].reports_illegal == 1  # illegal content first
    assert set(Report.objects.exclude(decision="").values_list("decision", flat=True)) == {
        "keep",
        "remove",
    }
    removed = Comment.objects.get(author_name="Rail Realist")
    assert removed.status == "trash"
    assert reports.statement(removed)["reason"] == "abusive: name-calling"
    before = list(Report.objects.values_list("pk", "decision"))
    totals = list(ReportMonth.objects.values_list("filed", "decided"))
    seed()
    assert list(Report.objects.values_list("pk", "decision")) == before
    assert list(ReportMonth.objects.values_list("filed", "decided")) == totals


def test_one_story_is_in_surge_with_its_notice(db, client):
    from comments import policy as policies
    from comments.demo import SURGE_ARTICLE, SURGE_COMMENTS
    from comments.models import SurgeEvent

    seed()
    article = Article.objects.get(slug=SURGE_ARTICLE)
    assert policies.current().surge_state(article.pk) == "on"
    [event] = SurgeEvent.objects.filter(article=article)
    assert event.cause == SurgeEvent.Cause.RATE
    assert Comment.objects.filter(article=article, status="pending").count() == len(SURGE_COMMENTS)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments on this story are busy; each is read before it appears." in html
    seed()  # again: no second switch, no more comments
    assert SurgeEvent.objects.filter(article=article).count() == 1


def test_the_demo_gives_the_moderation_report_weeks_of_history(db):
    """Twelve weeks in three sections, with Akismet's misses and false positives, once."""
    from datetime import timedelta

    from django.utils import timezone

    from comments import stats
    from comments.demo import REPORT_WEEKS
    from comments.models import ModerationDay, QueueSample

    seed()
    today = timezone.localdate()
    sections = set(ModerationDay.objects.values_list("section", flat=True))
    assert {"today", "opinion", "culture"} <= sections
    weeks = stats.figures("week", today - timedelta(weeks=REPORT_WEEKS - 1), today)
    assert all(week.received and week.p50 and week.queue_max for week in weeks)
    assert sum(week.missed_spam for week in weeks) and sum(w.false_positives for w in weeks)
    rows, samples = ModerationDay.objects.count(), QueueSample.objects.count()
    seed()
    assert (ModerationDay.objects.count(), QueueSample.objects.count()) == (rows, samples)
