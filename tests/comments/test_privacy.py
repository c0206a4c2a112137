"""Commenters' personal data: export, erasure, retention, feedback after the payload is
gone, and the privacy page."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments import reasons
from comments.models import Comment, CommentEvent, ModerationPolicy
from comments.moderation import change_status
from comments.reasons import Reason

PAYLOAD = {"user_ip": "192.0.2.1", "comment_content": "x", "comment_author": "Jo"}


@pytest.fixture
def jo(make_comment):
    """Jo's three comments (one approved with a reply from someone else), and another's."""
    first = make_comment(
        author_name="Jo Bloggs",
        author_email="Jo@Example.com",
        author_url="https://jo.example",
        body="Jo writes approved words.",
        user_agent="Mozilla/5.0 (Jo)",
        referrer="https://news.example/today/",
        akismet_payload=PAYLOAD,
    )
    reply = make_comment(parent=first, author_email="sam@example.com", body="Sam replies.")
    pending = make_comment(author_email="jo@example.com", status="pending", body="Jo again.")
    return first, reply, pending


def test_export_lists_everything_stored_about_the_address(jo, capsys):
    """`export_commenter_data` prints JSON with every field we hold, for any case of the
    address, and nothing about anyone else."""
    call_command("export_commenter_data", "jo@example.com")
    data = json.loads(capsys.readouterr().out)
    assert [c["comment"] for c in data["comments"]] == ["Jo writes approved words.", "Jo again."]
    first = data["comments"][0]
    assert first["name"] == "Jo Bloggs" and first["website"] == "https://jo.example"
    assert first["ip_address"] == "192.0.2.1" and first["user_agent"] == "Mozilla/5.0 (Jo)"
    assert first["sent_to_akismet"] == PAYLOAD
    assert "Sam" not in json.dumps(data)


def test_export_includes_the_authors_edits(jo, capsys, settings):
    from comments import authoring

    first, _reply, pending = jo
    policy = ModerationPolicy.objects.get_or_create(pk=1)[0]
    policy.flood_interval = 0
    policy.save()
    authoring.edit(pending, "Jo again, corrected.", policy=policy)
    call_command("export_commenter_data", "jo@example.com")
    exported = json.loads(capsys.readouterr().out)["comments"]
    assert exported[0]["earlier_texts"] == [] and exported[0]["edited_by_author"] is None
    assert exported[1]["comment"] == "Jo again, corrected."
    assert exported[1]["earlier_texts"] == ["Jo again."]
    assert exported[1]["edited_by_author"] is not None


def test_erase_anonymises_and_keeps_the_thread(jo, client, article):
    """`erase_commenter_data`: name Anonymous; e-mail, website, IP, user agent, referrer
    and the Akismet copy cleared; texts and replies stay in place; history records it."""
    first, reply, pending = jo
    # The page is in the cache before the erasure; it must not keep showing the name.
    assert "Jo Bloggs" in client.get(article.get_absolute_url()).content.decode()
    call_command("erase_commenter_data", "JO@example.com")
    for comment in (first, pending):
        comment.refresh_from_db()
        assert comment.author_name == "Anonymous"
        assert comment.author_email == comment.author_url == ""
        assert comment.user_ip is None and comment.user_agent == comment.referrer == ""
        assert comment.akismet_payload == {}
        event = comment.history.get(kind=CommentEvent.Kind.EDIT)
        assert (event.reason, event.reason_params) == (Reason.ERASED, {})
    assert first.body == "Jo writes approved words." and first.status == "approved"
    reply.refresh_from_db()
    assert reply.parent_id == first.pk and reply.author_email == "sam@example.com"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Jo writes approved words." in page and "Anonymous" in page and "Jo Bloggs" not in page
    assert not Comment.objects.by_email("jo@example.com").exists()


def test_the_admin_action_erases_the_selected_commenters(jo, maria_client):
    first, reply, _pending = jo
    response = maria_client.post(
        "/admin/comments/comment/?status=all",
        {"action": "erase_personal_data", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "Anonymised 2 comments by 1 commenter(s)." in response.content.decode()
    first.refresh_from_db()
    reply.refresh_from_db()
    assert first.author_name == "Anonymous" and reply.author_name != "Anonymous"
    assert first.history.get(kind="edit").actor.username == "maria"


def test_the_admin_action_exports_one_commenter(jo, maria_client):
    first, _reply, _pending = jo
    response = maria_client.post(
        "/admin/comments/comment/?status=all",
        {"action": "export_personal_data", "_selected_action": [first.pk]},
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert len(json.loads(response.content)["comments"]) == 2


@pytest.mark.parametrize("days", [60, 10])
def test_purge_clears_ip_and_user_agent_after_the_retention_period(make_comment, days):
    """N days (the policy's, 60 by default) after moderation the IP address, user agent,
    referrer and payload go; a day earlier they stay; pending comments keep theirs."""
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"personal_data_days": days})
    now = timezone.now()
    fields = {"user_agent": "UA", "referrer": "https://x.example/", "akismet_payload": PAYLOAD}
    old = make_comment(status_changed_at=now - timedelta(days=days + 1), **fields)
    recent = make_comment(status_changed_at=now - timedelta(days=days - 1), **fields)
    waiting = make_comment(
        status="pending", status_changed_at=now - timedelta(days=days + 1), **fields
    )
    call_command("purge_comments", verbosity=0)
    old.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert old.user_ip is None and old.user_agent == old.referrer == ""
    assert old.akismet_payload == {}
    event = old.history.get(kind="edit")
    assert (event.reason, event.reason_params) == (Reason.RETENTION, {"days": days})
    assert recent.user_ip == "192.0.2.1" and recent.user_agent == "UA"
    assert waiting.user_ip == "192.0.2.1"
    assert old.body and old.author_name  # only the identifying data goes


def test_an_override_after_the_payload_is_gone_sends_no_feedback(
    akismet_server, make_comment, moderator, run_on_commit
):
    """A moderator overrules Akismet once the stored payload has been dropped: nothing is
    sent (not even rebuilt from what is left), nothing waits for a retry, and the
    history says why."""
    comment = make_comment(status="approved", verdict="ham", akismet_payload={})
    with run_on_commit():
        change_status(comment, "spam", actor=moderator)
    assert akismet_server.calls("submit-spam") == []
    comment.refresh_from_db()
    assert comment.feedback_pending == ""
    event = comment.history.get(kind=CommentEvent.Kind.FEEDBACK)
    assert (event.reason, event.reason_params) == (
        Reason.FEEDBACK_NOT_SENT,
        {"kind": "spam", "days": Comment.PAYLOAD_KEPT.days},
    )
    said = reasons.sentence(event.reason, event.reason_params)
    assert "not sent" in said and "no longer stored" in said
    call_command("recheck_comments", verbosity=0)
    assert akismet_server.calls("submit-spam") == []


def test_with_the_payload_the_override_is_sent(
    akismet_server, make_comment, moderator, run_on_commit
):
    """The same override within 15 days is sent, with the stored payload."""
    comment = make_comment(status="approved", verdict="ham", akismet_payload=PAYLOAD)
    with run_on_commit():
        change_status(comment, "spam", actor=moderator)
    assert akismet_server.calls("submit-spam")[0]["comment_author"] == "Jo"


def test_the_privacy_page_says_what_why_how_long_and_akismet(client, article):
    """Linked from the comment form; states the retention periods in force."""
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"personal_data_days": 45})
    form = client.get(article.get_absolute_url()).content.decode()
    assert 'href="/privacy/"' in form
    page = client.get("/privacy/")
    text = page.content.decode()
    assert page.status_code == 200
    for words in ("IP address", "user agent", "Akismet", "cleared 45 days", "15 days", "erase"):
        assert words in text, words
    assert 'class="masthead' in text  # the site's own layout
