"""Akismet's alerts, through the real client and the stand-in: stored once per distinct
alert, shown to moderators on the queue and the report until one marks it dealt with."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from comments import alerts, spam
from comments.models import AkismetAlert, Comment

QUEUE = "/admin/comments/comment/"
REPORT = "/admin/comments/moderationday/"
EXPIRED = {"X-akismet-alert-code": "10008", "X-akismet-alert-msg": "Your subscription lapsed."}


@pytest.fixture
def comment(make_comment):
    return make_comment(status=Comment.Status.PENDING)


def test_an_alert_is_stored_once_and_counted(akismet_server, comment):
    akismet_server.answer_headers = EXPIRED
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert spam.check(comment) == Comment.Verdict.HAM  # the verdict stands
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        spam.check(comment)
    [alert] = AkismetAlert.objects.all()
    assert (alert.code, alert.message, alert.count) == ("10008", "Your subscription lapsed.", 2)
    assert alert.last_seen - alert.first_seen == timedelta(hours=2)
    assert comment.history.last().details["alert"] == "Your subscription lapsed."


def test_no_alert_no_row(akismet_server, comment):
    spam.check(comment)
    assert not AkismetAlert.objects.exists()


def test_a_rejected_key_is_an_alert(akismet_server, comment):
    akismet_server.mode = "invalid"
    akismet_server.debug_help = "Invalid key for this site"
    assert spam.check(comment) == Comment.Verdict.ERROR
    [alert] = alerts.open_alerts()
    assert alert.code == alerts.KEY_REJECTED
    assert alert.message == "Akismet rejected the API key: Invalid key for this site"


def test_the_banner_until_a_moderator_deals_with_it(akismet_server, comment, maria, maria_client):
    akismet_server.answer_headers = EXPIRED
    spam.check(comment)
    [alert] = AkismetAlert.objects.all()
    for page in (QUEUE, REPORT):
        html = maria_client.get(page).content.decode()
        assert "Akismet needs attention" in html and "Your subscription lapsed." in html
    url = f"/admin/comments/moderationday/alerts/{alert.pk}/dealt-with/"
    assert maria_client.get(url).status_code == 405  # a link changes nothing
    response = maria_client.post(url, {"next": REPORT})
    assert response.status_code == 302 and response["Location"] == REPORT
    alert.refresh_from_db()
    assert alert.dealt_with_by == maria and alert.dealt_with_at is not None
    assert "Akismet needs attention" not in maria_client.get(QUEUE).content.decode()
    again = maria_client.post(url, {"next": "https://elsewhere.example/"}, follow=True)
    assert again.redirect_chain[0][0] == QUEUE  # never off the site
    assert "dealt with already" in again.content.decode()
    # Seen again: open again.
    spam.check(comment)
    alert.refresh_from_db()
    assert (alert.dealt_with_at, alert.count) == (None, 2)
    assert "Your subscription lapsed." in maria_client.get(QUEUE).content.decode()


def test_only_moderators_see_or_deal_with_alerts(db, client, moderator):
    alert = alerts.record("10008", "Your subscription lapsed.")
    clerk = get_user_model().objects.create_user("clerk", password="x-Long-pass-9", is_staff=True)
    client.force_login(clerk)
    url = f"/admin/comments/moderationday/alerts/{alert.pk}/dealt-with/"
    assert client.post(url).status_code == 403
    client.force_login(moderator)  # the permission given directly, not through the group
    assert client.post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.dealt_with_by == moderator
