"""Readers report published comments (notice and action); moderators decide in the
Reported view; the decision is the statement of reasons (history, the author's status page,
mail to the reporter).

The reporter is known by a keyed hash of their IP address (one report per reader and
comment); the page the Report link leads to is a small form of its own, so the shared
article page stays the same for everyone.
"""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import authoring, reports
from comments.models import Comment, CommentEvent, Report, ReportMonth
from comments.reasons import Reason

S = Comment.Status


def report_url(comment):
    return f"/comments/{comment.pk}/report/"


def send(client, comment, ip="203.0.113.5", origin="http://testserver", **fields):
    data = {"ground": "abuse", "law": "", "explanation": "", "email": ""}
    data.update(fields)
    return client.post(report_url(comment), data, HTTP_ORIGIN=origin, REMOTE_ADDR=ip)


# -- the link and the form ----------------------------------------------------------------


def test_each_published_comment_has_a_plain_report_link(client, article, make_comment):
    shown = make_comment(body="Visible.")
    make_comment(body="Waiting.", status=S.PENDING)
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert f'href="/comments/{shown.pk}/report/"' in page
    assert page.count('class="comment__report"') == 1  # not on the pending one (not shown)
    # The same shared page for everyone: no cookie, public caching.
    assert "Set-Cookie" not in response.headers
    assert "public" in response["Cache-Control"]
    assert reverse("comments:report", args=[shown.pk]) == report_url(shown)


def test_the_form_page_works_without_javascript(client, make_comment):
    comment = make_comment(body="Something <b>bold</b>.")
    response = client.get(report_url(comment))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page
    for ground in Report.Ground.values:
        assert f'value="{ground}"' in page
    assert "never told who reported it" in page
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("status", [S.PENDING, S.SPAM, S.TRASH])
def test_a_comment_that_is_not_published_cannot_be_reported(client, make_comment, status):
    comment = make_comment(status=status)
    assert client.get(report_url(comment)).status_code == 404
    assert send(client, comment).status_code == 404
    assert not Report.objects.exists()


def test_an_unknown_comment_is_a_404(client, db):
    assert client.get("/comments/999999/report/").status_code == 404
    assert client.get("/comments/0/report/").status_code == 404


def test_a_report_is_filed_and_moderators_are_mailed_at_once(client, make_comment, maria):
    comment = make_comment()
    response = send(
        client,
        comment,
        ground="illegal",
        law="Defamation Act 2013",
        explanation="It accuses a named person of a crime.",
        email="reporter@example.org",
    )
    assert response.status_code == 200
    assert "your report is sent" in response.content.decode()
    report = Report.objects.get()
    assert (report.comment, report.ground) == (comment, "illegal")
    assert report.law == "Defamation Act 2013"
    assert report.email == "reporter@example.org"
    assert report.reporter == reports.reporter_key("203.0.113.5")
    assert "203.0.113.5" not in report.reporter
    [message] = mail.outbox
    assert message.to == ["maria@example.com"]
    assert message.subject.startswith("[") and "Illegal content reported" in message.subject
    assert "Defamation Act 2013" in message.body
    assert reverse("admin:comments_reportedcomment_decide", args=[comment.pk]) in message.body
    report.refresh_from_db()
    assert report.moderators_alerted_at is not None
    assert reports.send_alert(report.pk) == 0  # once


def test_illegal_content_needs_the_law_and_an_explanation_and_keeps_the_text(client, make_comment):
    comment = make_comment()
    response = send(client, comment, ground="illegal", explanation="", law="Hate speech law")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Explain why the comment is illegal." in page
    assert 'value="Hate speech law"' in page
    response = send(client, comment, ground="illegal", explanation="Incites violence.")
    assert response.status_code == 400
    assert "Say which law" in response.content.decode()
    assert "Incites violence." in response.content.decode()
    assert not Report.objects.exists()


def test_no_reason_or_a_bad_email_is_refused_with_a_message(client, make_comment):
    comment = make_comment()
    response = send(client, comment, ground="", explanation="Kept text.")
    assert response.status_code == 400
    assert "Kept text." in response.content.decode()
    response = send(client, comment, email="not an address", explanation="Kept text.")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_a_cross_site_post_is_refused_with_the_text_kept(client, make_comment):
    comment = make_comment()
    response = send(client, comment, origin="https://evil.example", explanation="My words.")
    assert response.status_code == 403
    assert "My words." in response.content.decode()
    assert not Report.objects.exists()


def test_the_same_reader_cannot_report_the_same_comment_twice(client, make_comment):
    comment = make_comment()
    assert send(client, comment).status_code == 200
    again = send(client, comment, explanation="Second try.")
    assert again.status_code == 409
    assert "already reported" in again.content.decode()
    assert "Second try." in again.content.decode()
    assert send(client, comment, ip="203.0.113.6").status_code == 200  # another reader
    assert Report.objects.count() == 2


def test_a_flood_from_one_address_is_a_429_with_the_text_kept(client, make_comment):
    comments = [make_comment() for _ in range(reports.PER_READER_PER_MINUTE + 1)]
    for comment in comments[:-1]:
        assert send(client, comment).status_code == 200
    response = send(client, comments[-1], explanation="Flooded words.")
    assert response.status_code == 429
    assert "Flooded words." in response.content.decode()
    assert Report.objects.count() == reports.PER_READER_PER_MINUTE


def test_a_flood_at_one_comment_is_a_429(client, make_comment, set_policy):
    set_policy(reports_to_hold=1000)
    comment = make_comment()
    for n in range(reports.PER_COMMENT_PER_MINUTE):
        assert send(client, comment, ip=f"198.51.100.{n + 1}").status_code == 200
    assert send(client, comment, ip="198.51.100.250").status_code == 429


def test_hostile_text_is_stored_as_written_and_shown_inert(client, make_comment, maria_client):
    comment = make_comment()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert send(client, comment, ground="other", explanation=hostile).status_code == 200
    assert Report.objects.get().explanation == hostile
    page = maria_client.get(
        reverse("admin:comments_reportedcomment_decide", args=[comment.pk])
    ).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page


# -- holding ------------------------------------------------------------------------------


def test_enough_readers_send_a_comment_back_to_the_queue(client, make_comment, set_policy):
    set_policy(reports_to_hold=3)
    comment = make_comment()
    send(client, comment, ip="192.0.2.10")
    send(client, comment, ip="192.0.2.11")
    comment.refresh_from_db()
    assert comment.status == S.APPROVED
    send(client, comment, ip="192.0.2.12")
    comment.refresh_from_db()
    assert comment.status == S.PENDING
    assert comment.held_reason == Reason.REPORTED
    event = comment.history.get(kind=CommentEvent.Kind.STATUS)
    assert (event.actor_label, event.reason, event.reason_params) == (
        "readers",
        Reason.REPORTED,
        {"reports": 3},
    )
    assert "reported by 3 readers" in comment.held_because
    # Not public any more: the article page leaves it out.
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert f"comment-{comment.pk}" not in page


def test_a_single_report_never_hides_a_comment(make_comment, set_policy):
    policy = set_policy(reports_to_hold=3)
    policy.reports_to_hold = 1
    with pytest.raises(ValidationError):
        policy.full_clean()
    comment = make_comment()
    reports.file_report(comment, ground="spam", ip="192.0.2.20")
    assert not reports.hold_if_reported(comment, policy)  # even with the limit set to 1
    comment.refresh_from_db()
    assert comment.status == S.APPROVED


# -- the Reported view and the decision ---------------------------------------------------


def test_reported_view_lists_illegal_first_with_reasons_grouped(maria_client, make_comment):
    abuse = make_comment(body="Abusive one.")
    illegal = make_comment(body="Illegal one.")
    unreported = make_comment(body="Nobody minds this.")
    for n in range(2):
        reports.file_report(abuse, ground="abuse", ip=f"192.0.2.{30 + n}")
    reports.file_report(abuse, ground="spam", ip="192.0.2.40")
    reports.file_report(illegal, ground="illegal", law="x", explanation="y", ip="192.0.2.41")
    url = reverse("admin:comments_reportedcomment_changelist")
    response = maria_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nobody minds this." not in page and unreported.pk
    assert page.index("Illegal one.") < page.index("Abusive one.")
    assert "Abuse or harassment (2), Spam (1)" in page
    assert "Illegal content: 1, Abuse or harassment: 2, Spam: 1" in page
    # Its cost does not grow with the number of rows.
    with CaptureQueriesContext(connection) as few:
        maria_client.get(url)
    for n in range(5):
        reports.file_report(make_comment(), ground="other", ip=f"192.0.2.{50 + n}")
    with CaptureQueriesContext(connection) as more:
        maria_client.get(url)
    assert len(more) == len(few)


def test_the_reported_view_is_for_moderators_only(client, make_comment, django_user_model):
    staff = django_user_model.objects.create_user("s", password="pw-long-enough-9", is_staff=True)
    client.force_login(staff)
    comment = make_comment()
    assert client.get(reverse("admin:comments_reportedcomment_changelist")).status_code == 403
    decide = reverse("admin:comments_reportedcomment_decide", args=[comment.pk])
    assert client.get(decide).status_code == 403


def decide(client, comment, **data):
    url = reverse("admin:comments_reportedcomment_decide", args=[comment.pk])
    return client.post(url, data)


def test_removing_is_the_statement_of_reasons_everywhere(client, maria_client, maria, make_comment):
    comment = make_comment()
    reports.file_report(comment, ground="illegal", law="Defamation", explanation="Lies.",
                        email="r@example.org", ip="192.0.2.60")  # fmt: skip
    reports.file_report(comment, ground="abuse", ip="192.0.2.61")
    mail.outbox.clear()
    response = decide(
        maria_client, comment, decision="remove", reason="illegal", note="defames a named person"
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == S.TRASH
    # The history: the status change and the decision on the reports.
    event = comment.history.get(kind=CommentEvent.Kind.REPORT)
    assert event.actor == maria
    assert event.details == {"decision": "remove", "reports": 2, "grounds": ["abuse", "illegal"]}
    assert str(event).endswith("illegal content: defames a named person")
    assert not reports.open_reports().exists()
    assert set(Report.objects.values_list("decision", flat=True)) == {"remove"}
    # The author's status page says it, and never who reported it or what they wrote.
    page = client.get(authoring.status_url(comment.pk, comment.preview_secret)).content.decode()
    assert "Not published." in page
    assert "illegal content: defames a named person" in page
    assert "Statement of reasons" in page and "removed it" in page
    assert "r@example.org" not in page and "Lies." not in page
    # The reporter who left an address is mailed the decision (and only they).
    [message] = mail.outbox
    assert message.to == ["r@example.org"]
    assert "the comment was removed" in message.body
    assert "defames a named person" in message.body
    assert reports.send_decision(Report.objects.get(email="r@example.org").pk) == 0  # once


def test_keeping_puts_a_held_comment_back_and_tells_the_author(
    client, maria_client, make_comment, set_policy
):
    set_policy(reports_to_hold=2)
    comment = make_comment()
    reports.file_report(comment, ground="off_topic", ip="192.0.2.70")
    reports.file_report(comment, ground="off_topic", ip="192.0.2.71")
    comment.refresh_from_db()
    assert comment.status == S.PENDING
    response = decide(maria_client, comment, decision="keep", reason="no_breach", note="")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == S.APPROVED
    page = client.get(authoring.status_url(comment.pk, comment.preview_secret)).content.decode()
    assert "Published." in page
    assert "kept it published" in page
    assert "breaks neither the site&#x27;s rules nor the law" in page


def test_a_decision_needs_a_reason_that_fits(maria_client, make_comment):
    comment = make_comment()
    reports.file_report(comment, ground="spam", ip="192.0.2.80")
    response = decide(maria_client, comment, decision="keep", reason="illegal", note="kept note")
    assert response.status_code == 200
    assert "is not a reason to keep" in response.content.decode()
    assert "kept note" in response.content.decode()
    response = decide(maria_client, comment, decision="remove", reason="other", note="")
    assert "Say why" in response.content.decode()
    assert reports.open_reports().count() == 1
    with pytest.raises(reports.DecisionError):
        reports.decide(comment, "keep", "abusive", actor=None)


def test_monthly_totals_count_filed_and_decided(make_comment, maria):
    comment = make_comment()
    reports.file_report(comment, ground="spam", ip="192.0.2.90")
    reports.file_report(comment, ground="illegal", law="a", explanation="b", ip="192.0.2.91")
    reports.decide(comment, "remove", "advertising", actor=maria)
    row = ReportMonth.objects.get()
    assert row.filed == {"spam": 1, "illegal": 1}
    assert row.decided == {"remove": 2}
    assert len(row.decision_seconds) == 2


def test_the_report_link_and_page_name_the_comment_for_screen_readers(client, make_comment):
    comment = make_comment(author_name="Zoë <Q>")
    page = client.get(comment.article.get_absolute_url()).content.decode()
    link = re.search(r'<a class="comment__report"[^>]*>.*?</a>', page).group(0)
    assert "the comment by <bdi>Zoë &lt;Q&gt;</bdi>" in link


# -- personal data ------------------------------------------------------------------------


def test_reports_are_in_the_export_and_erased_on_request(make_comment):
    from comments import privacy

    comment = make_comment()
    reports.file_report(comment, ground="other", explanation="I know him.",
                        email="Reporter@Example.org", ip="192.0.2.100")  # fmt: skip
    [exported] = privacy.export("reporter@example.org")["reports"]
    assert exported["explanation"] == "I know him."
    assert exported["email"] == "Reporter@Example.org"
    assert exported["comment"] == comment.pk
    assert privacy.export("someone@example.org")["reports"] == []
    privacy.erase("reporter@example.org")
    report = Report.objects.get()
    assert (report.email, report.reporter, report.explanation) == ("", "", "")
    assert report.ground == "other"  # the report itself stays, with its totals
    assert ReportMonth.objects.get().filed == {"other": 1}
    assert privacy.export("reporter@example.org")["reports"] == []


def test_retention_clears_the_reporter_after_the_decision(make_comment, maria):
    from datetime import timedelta

    from django.utils import timezone

    from comments import privacy

    decided, still_open = make_comment(), make_comment()
    for comment in (decided, still_open):
        for n in (1, 2):
            reports.file_report(comment, ground="spam", email=f"r{n}@example.org",
                                ip=f"192.0.2.{n}")  # fmt: skip
    reports.decide(decided, "keep", "no_breach", actor=maria)
    later = timezone.now() + timedelta(days=61)
    privacy.expire(60, later)
    assert set(decided.reports.values_list("email", "reporter")) == {("", "")}
    assert all(r.email and r.reporter for r in still_open.reports.all())
    # Two cleared reports on one comment do not collide.
    assert decided.reports.count() == 2


def test_the_privacy_page_says_what_a_report_keeps(client, db):
    page = client.get("/privacy/").content.decode()
    assert "Reporting a comment" in page
    assert "keyed hash of your IP address" in page
    assert 'href="/transparency/"' in page
    assert "after the moderators' decision" in page
