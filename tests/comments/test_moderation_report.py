"""The moderation report: totals counted where things happen, what the page and the CSV
show, bad input, permissions, the query count, and purges leaving the figures alone."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import reports, stats
from comments.models import (
    Comment,
    DecisionTime,
    ModerationDay,
    QueueSample,
)
from comments.moderation import change_status, change_status_many
from comments.reasons import Reason
from comments.tasks import purge_now

S = Comment.Status
V = Comment.Verdict
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
URL = "/admin/comments/moderationday/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def totals(day=TODAY, section=None):
    rows = ModerationDay.objects.filter(day=day)
    if section:
        rows = rows.filter(section=section)
    summed = dict.fromkeys(stats.FIELDS, 0)
    for row in rows:
        for name in stats.FIELDS:
            summed[name] += getattr(row, name)
    return {name: n for name, n in summed.items() if n}


def histogram(day=TODAY):
    return {row.bucket: row.count for row in DecisionTime.objects.filter(day=day)}


@pytest.fixture
def culture_article(make_article, make_category):
    return make_article(slug="film", category=make_category("culture"))


# Counted where it happens.


def test_a_post_is_received_and_akismet_files_it(akismet_server, post):
    post(name="Ada Reader")
    post(name="akismet-guaranteed-spam")
    assert totals() == {"received": 2, "akismet_ham": 1, "akismet_spam": 1, "spam": 1}
    assert set(ModerationDay.objects.values_list("section", flat=True)) == {"today"}


def test_a_persons_decisions_count_with_their_time(make_comment, maria):
    comments = [
        make_comment(status=S.PENDING, verdict=V.HAM, created_at=NOW - timedelta(minutes=10))
        for _ in range(3)
    ]
    change_status(comments[0], S.APPROVED, actor=maria)
    change_status(comments[1], S.SPAM, actor=maria)
    change_status(comments[2], S.TRASH, actor=maria, reason=Reason.OFF_TOPIC)
    assert totals() == {"approved": 1, "spam": 1, "trash": 1, "decided": 3, "missed_spam": 1}
    assert histogram() == {900: 3}  # ten minutes: the bucket up to 15


def test_only_a_persons_first_decision_is_timed(make_comment, maria):
    comment = make_comment(status=S.PENDING, verdict=V.HAM, created_at=NOW - timedelta(hours=1))
    change_status(comment, S.APPROVED, actor=maria)
    change_status(comment, S.TRASH, actor=maria)
    assert totals()["decided"] == 1
    assert histogram() == {3600: 1}


def test_an_undo_the_same_day_takes_the_decision_off(make_comment, maria):
    comment = make_comment(status=S.PENDING, verdict=V.HAM, created_at=NOW - timedelta(minutes=3))
    change_status(comment, S.SPAM, actor=maria)
    change_status(comment, S.PENDING, actor=maria)  # undone
    assert totals() == {"decided": 1}
    change_status(comment, S.APPROVED, actor=maria)
    assert totals() == {"decided": 1, "approved": 1}


def test_a_false_positive_taken_back_the_same_day_is_none(make_comment, maria):
    comment = make_comment(status=S.SPAM, verdict=V.SPAM, status_changed_at=NOW - timedelta(days=2))
    change_status(comment, S.APPROVED, actor=maria)
    change_status(comment, S.SPAM, actor=maria)  # a second opinion, the same day
    assert totals() == {"decided": 1, "spam": 1}


def test_a_move_out_of_a_status_entered_on_an_earlier_day_leaves_that_day(make_comment, maria):
    comment = make_comment(status=S.PENDING, verdict=V.HAM)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        change_status(comment, S.APPROVED, actor=maria)
    change_status(comment, S.TRASH, actor=maria)
    assert totals(TODAY - timedelta(days=1))["approved"] == 1
    assert totals() == {"trash": 1}


def test_akismet_false_positive_and_its_rate(make_comment, maria):
    wrong = make_comment(status=S.SPAM, verdict=V.SPAM)
    make_comment(status=S.SPAM, verdict=V.SPAM)
    change_status(wrong, S.APPROVED, actor=maria)
    stats.add_day(TODAY, "today", {"akismet_spam": 4, "akismet_ham": 10, "missed_spam": 1})
    assert totals()["false_positives"] == 1
    [row] = stats.figures("day", TODAY, TODAY)
    assert (row.false_positive_rate, row.missed_rate) == (25.0, 10.0)


def test_automatic_moves_are_no_persons_decision(make_comment):
    comment = make_comment(status=S.PENDING, verdict=V.HAM)
    change_status(comment, S.APPROVED, actor_label="policy")
    assert totals() == {"approved": 1}
    assert histogram() == {}


def test_a_ban_hiding_comments_counts_them_per_section(make_comment, culture_article, maria):
    a = make_comment()
    b = make_comment(article=culture_article)
    assert change_status_many([a.pk, b.pk], S.APPROVED, S.TRASH, actor=maria) == 2
    assert totals(section="today") == {"trash": 1}
    assert totals(section="culture") == {"trash": 1}


def test_a_moderators_reply_counts_nowhere(akismet_server, make_comment, maria):
    from comments import pipeline

    parent = make_comment(status=S.APPROVED, verdict=V.HAM)
    pipeline.staff_reply(parent, maria, "Thanks, we have corrected it.")
    assert totals() == {}


def test_reports_filed_and_decided(make_comment, maria):
    comment = make_comment()
    reports.file_report(comment, ground="abuse", ip="192.0.2.1")
    reports.file_report(comment, ground="spam", ip="192.0.2.2")
    reports.decide(comment, "remove", Reason.ABUSIVE, actor=maria)
    counted = totals()
    assert counted["reports_filed"] == 2
    assert counted["reports_removed"] == 2


def test_queue_samples_per_section_once_an_hour(make_comment, culture_article):
    make_comment(status=S.PENDING)
    make_comment(status=S.PENDING)
    make_comment(status=S.PENDING, article=culture_article)
    assert stats.sample_queue() == 3
    make_comment(status=S.PENDING)
    stats.sample_queue(NOW + timedelta(minutes=20))  # same hour: kept as it was
    samples = dict(QueueSample.objects.values_list("section", "pending"))
    assert samples == {"today": 2, "culture": 1, stats.ALL: 3}
    stats.sample_queue(NOW + timedelta(hours=1))
    [row] = stats.figures("day", TODAY, TODAY)
    assert (row.queue_mean, row.queue_max) == (3.5, 4)
    [culture] = stats.figures("day", TODAY, TODAY, "culture")
    assert culture.queue == [1, 1]


def test_the_scheduler_samples_the_queue_hourly():
    from comments import schedule

    [job] = [job for job in schedule.JOBS if job.name == "queue_sample"]
    assert job.every == timedelta(hours=1)


# Figures.


def test_percentiles_come_from_the_histogram():
    assert stats.percentile({}, 0.5) is None
    assert stats.percentile({300: 10}, 0.5) == 180  # halfway between 1 and 5 minutes
    assert stats.percentile({300: 10}, 0.9) == 276
    assert stats.percentile({60: 5, 3600: 5}, 0.9) == 3240
    assert stats.percentile({60: 1, 0: 3}, 0.5) == 604800  # the open bucket: its lower bound


def test_percentiles_of_real_decisions(make_comment, maria):
    for minutes in (2, 3, 4, 20, 25, 40, 50, 70, 100, 300):
        comment = make_comment(
            status=S.PENDING, verdict=V.HAM, created_at=NOW - timedelta(minutes=minutes)
        )
        change_status(comment, S.APPROVED, actor=maria)
    [row] = stats.figures("day", TODAY, TODAY)
    assert row.decided == 10
    assert 1800 <= row.p50 <= 3600  # the 5th and 6th decisions: 25 and 40 minutes
    assert 7200 <= row.p90 <= 14400  # the 9th: 100 minutes, in the 2 to 4 hours bucket


def test_week_grouping_starts_on_monday(db):
    monday = date(2026, 11, 16)
    stats.add_day(monday - timedelta(days=1), "today", {"received": 1})  # Sunday before
    stats.add_day(monday, "today", {"received": 2})
    stats.add_day(monday + timedelta(days=6), "culture", {"received": 4})  # Sunday
    stats.add_decision_times(monday, "today", {300: 2})
    stats.add_decision_times(monday + timedelta(days=2), "today", {300: 2})
    weeks = stats.figures("week", monday - timedelta(days=1), TODAY)
    assert [(w.start, w.received) for w in weeks] == [
        (monday - timedelta(days=7), 1),
        (monday, 6),
    ]
    assert weeks[1].decided == 0 and sum(weeks[1].buckets.values()) == 4


def test_per_section_figures(make_comment, culture_article, maria):
    change_status(make_comment(status=S.PENDING), S.APPROVED, actor=maria)
    change_status(make_comment(status=S.PENDING, article=culture_article), S.SPAM, actor=maria)
    [everything] = stats.figures("day", TODAY, TODAY)
    [culture] = stats.figures("day", TODAY, TODAY, "culture")
    assert (everything.approved, everything.spam) == (1, 1)
    assert (culture.approved, culture.spam) == (0, 1)


def test_backfill_from_history_matches_what_was_counted(akismet_server, post, maria):
    post(name="Ada Reader")
    post(name="akismet-guaranteed-spam")
    post(name="Bo Reader")
    ham = Comment.objects.filter(verdict=V.HAM).order_by("pk")
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        change_status(ham[0], S.APPROVED, actor=maria)
        change_status(ham[1], S.SPAM, actor=maria)
    counted, timed = totals(), histogram()
    ModerationDay.objects.all().delete()
    DecisionTime.objects.all().delete()
    stats.backfill()
    assert totals() == counted
    assert histogram() == timed


# The page.


@pytest.fixture
def history():
    for back in range(14):
        day = TODAY - timedelta(days=back)
        counts = {"received": 10 + back, "approved": 6, "spam": 3}
        stats.add_day(
            day, "today", {**counts, "akismet_ham": 7, "missed_spam": 1, "akismet_spam": 3}
        )
        stats.add_day(day, "culture", {"received": 2, "trash": 1})
        stats.add_decision_times(day, "today", {900: 3, 3600: 1})


def test_the_page_for_a_moderator(maria_client, history):
    response = maria_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 5
    assert '<title id="chart-received-title">Comments received and decided</title>' in html
    assert "<script" not in html.split('id="content"')[1]
    assert "style=" not in html.split('id="content"')[1]  # the admin's CSP: no inline styles
    assert "<caption" in html and "Wed 18 Nov" in html
    assert 'value="2026-10-22"' in html and 'value="2026-11-18"' in html  # the range in force
    assert "7 of 7" not in html and "1 of 7 (14.3 %)" in html


def test_the_csv_has_the_same_figures(maria_client, history, world):
    response = maria_client.get(URL, {"period": "week", "start": "2026-11-09", "section": "today"})
    assert response.status_code == 200
    response = maria_client.get(
        URL, {"period": "week", "start": "2026-11-09", "section": "today", "format": "csv"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["week"] for row in rows] == ["2026-11-09", "2026-11-16"]
    assert rows[1]["section"] == "Today"
    # Mon 16 to Wed 18 Nov: 10 + 11 + 12 received, each day 3 decisions within 15 minutes.
    assert rows[1]["comments received"] == "33"
    assert rows[1]["missed spam (% of ham)"] == "14.3"
    assert rows[0]["queue mean"] == ""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "month"}, "Unknown period “month”: choose day or week."),
        ({"start": "2026-13-01"}, "“From” is not a date: write it as 2026-11-30."),
        ({"start": "2026-11-18", "end": "2026-11-01"}, "“From” is after “To”: swap them."),
        ({"section": "nope"}, "Unknown section “nope”."),
        ({"start": "2020-01-01"}, "That range is too long to show per day: at most a year."),
    ],
)
def test_bad_input_is_named_and_kept(maria_client, query, message):
    response = maria_client.get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or message in html
    assert 'role="img"' not in html
    if "start" in query:
        assert f'value="{query["start"]}"' in html  # what was typed stays in the field
    csv_response = maria_client.get(URL, {**query, "format": "csv"})
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()


def _queries(client, days):
    start = (TODAY - timedelta(days=days - 1)).isoformat()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"start": start}).status_code == 200
    return queries.captured_queries


def test_the_query_count_does_not_grow_with_the_days(maria_client, history, make_category):
    make_category("culture")
    for hour in range(48):
        stats.sample_queue(NOW - timedelta(hours=hour))
    week, quarter = _queries(maria_client, 7), _queries(maria_client, 90)
    # Session, user, permissions (2), sections, the three kinds of totals, the header's
    # pending count, Akismet's alerts: the same for a week and for a quarter.
    assert len(week) == len(quarter) == 10


def test_a_purge_changes_no_figure(maria_client, make_comment, maria):
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        spam = make_comment(status=S.PENDING, verdict=V.HAM)
        trash = make_comment(status=S.PENDING, verdict=V.HAM)
        change_status(spam, S.SPAM, actor=maria)
        change_status(trash, S.TRASH, actor=maria)
    query = {"start": (TODAY - timedelta(days=45)).isoformat(), "format": "csv"}
    before = maria_client.get(URL, query).content
    assert "1" in before.decode()
    counts = purge_now()
    assert not Comment.objects.filter(pk__in=[spam.pk, trash.pk]).exists(), counts
    assert maria_client.get(URL, query).content == before


# Who sees it.


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_permission_is_refused(db, client):
    clerk = get_user_model().objects.create_user("clerk", password="x-Long-pass-9", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_moderators_find_it_from_the_index_and_the_queue(maria_client):
    link = f'href="{URL}"'
    assert link in maria_client.get("/admin/").content.decode()
    assert link in maria_client.get("/admin/comments/comment/").content.decode()


def test_a_moderator_who_is_no_superuser_reads_it(maria, maria_client):
    assert not maria.is_superuser
    assert maria_client.get(URL).status_code == 200


def test_a_section_name_is_never_a_formula_in_the_csv(maria_client, make_category):
    make_category("sums", name="=SUM(A1:A9)")
    stats.add_day(TODAY, "sums", {"received": 1})
    response = maria_client.get(URL, {"section": "sums", "start": TODAY, "format": "csv"})
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["section"] == "'=SUM(A1:A9)"
    assert row["comments received"] == "1"


def test_akismet_is_counted_once_per_comment(akismet_server, make_comment):
    from comments import spam

    comment = make_comment(status=S.PENDING)
    akismet_server.mode = "500"
    assert spam.check(comment) == V.ERROR  # not a verdict
    akismet_server.mode = "normal"
    assert spam.check(comment) == V.HAM
    assert spam.check(comment, recheck_reason="edit") == V.HAM  # checked again after an edit
    assert totals() == {"akismet_ham": 1}
