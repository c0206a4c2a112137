"""The moderators' actions, on one comment (row buttons, the comment's page) and in bulk:
each goes through `change_status`, writes history, and tells Akismet exactly when a
person overrules it, with the payload it judged."""

import pytest

from comments import throttle
from comments.models import Comment

QUEUE = "/admin/comments/comment/"
PAYLOAD = {"user_ip": "203.0.113.5", "comment_content": "As first sent", "user_agent": "UA/1"}

# action → (status before, verdict, status after, feedback Akismet gets or None)
CASES = {
    "approve": ("pending", "ham", "approved", None),
    "unapprove": ("approved", "ham", "pending", None),
    "spam": ("pending", "ham", "spam", "submit-spam"),
    "not_spam": ("spam", "spam", "pending", "submit-ham"),
    "trash": ("approved", "ham", "trash", None),
    "restore": ("trash", "ham", "approved", None),
}
BULK = {
    "approve": "approve",
    "unapprove": "unapprove",
    "spam": "mark_spam",
    "not_spam": "not_spam",
    "trash": "trash",
    "restore": "restore",
}


def moderate(client, comment, action, **data):
    return client.post(f"/admin/comments/comment/{comment.pk}/moderate/{action}/", data)


def bulk(client, action, comments, **params):
    return client.post(
        QUEUE
        + ("?status=all" if not params else "?" + "&".join(f"{k}={v}" for k, v in params.items())),
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )


def prepared(make_comment, before, verdict):
    """A comment in `before`, with the previous status restore/not spam should go back to."""
    previous = {"trash": "approved", "spam": "pending"}.get(before, "")
    return make_comment(
        status=before, previous_status=previous, verdict=verdict, akismet_payload=PAYLOAD
    )


@pytest.mark.parametrize("action", CASES)
def test_each_action_on_one_comment(
    akismet_server, maria_client, maria, make_comment, run_on_commit, action
):
    before, verdict, after, feedback = CASES[action]
    comment = prepared(make_comment, before, verdict)
    with run_on_commit():
        response = moderate(maria_client, comment, action, next=QUEUE + "?status=all")
    assert response.status_code == 302 and response["Location"] == QUEUE + "?status=all"
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (after, maria)
    event = comment.history.get(kind="status")
    assert (event.from_status, event.to_status, event.actor) == (before, after, maria)
    sent = {e: akismet_server.calls(e) for e in ("submit-spam", "submit-ham")}
    if feedback:
        assert sent[feedback] and len(sent[feedback]) == 1
        assert {k: sent[feedback][0][k] for k in PAYLOAD} == PAYLOAD  # the original data
        assert comment.history.get(kind="feedback").actor == maria
    else:
        assert sent == {"submit-spam": [], "submit-ham": []}


@pytest.mark.parametrize("action", CASES)
def test_each_action_in_bulk(
    akismet_server, maria_client, maria, make_comment, run_on_commit, action
):
    before, verdict, after, feedback = CASES[action]
    comments = [prepared(make_comment, before, verdict) for _ in range(3)]
    left_alone = make_comment(status=after if after != before else "trash")
    with run_on_commit():
        response = bulk(maria_client, BULK[action], [*comments, left_alone])
    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == after
        assert comment.history.filter(kind="status", actor=maria).count() == 1
    left_alone.refresh_from_db()
    assert not left_alone.history.exists()  # the action did not apply to it
    expected = 3 if feedback else 0
    assert len(akismet_server.calls("submit-spam") + akismet_server.calls("submit-ham")) == expected
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("3 comments" in m for m in messages)


def test_restore_and_not_spam_return_to_the_status_before(maria_client, make_comment):
    """Approved → trash → Restore gives approved; approved → spam → Not spam gives approved."""
    trashed = make_comment(status="approved")
    spammed = make_comment(status="approved", verdict="ham")
    moderate(maria_client, trashed, "trash")
    moderate(maria_client, spammed, "spam")
    moderate(maria_client, trashed, "restore")
    moderate(maria_client, spammed, "not_spam")
    trashed.refresh_from_db()
    spammed.refresh_from_db()
    assert trashed.status == spammed.status == "approved"


def test_feedback_only_when_a_person_overrules_akismet(
    akismet_server, maria_client, make_comment, run_on_commit
):
    """Spam Akismet caught, trashed and restored: no feedback; confirming spam: none."""
    caught = make_comment(status="pending", verdict="spam", akismet_payload=PAYLOAD)
    with run_on_commit():
        moderate(maria_client, caught, "spam")
        moderate(maria_client, caught, "trash")
        moderate(maria_client, caught, "restore")
    assert akismet_server.requests == []


def test_feedback_that_fails_waits_for_the_recheck(
    akismet_server, maria_client, make_comment, run_on_commit
):
    comment = make_comment(status="approved", verdict="ham", akismet_payload=PAYLOAD)
    akismet_server.mode = "500"
    with run_on_commit():
        moderate(maria_client, comment, "spam")
    comment.refresh_from_db()
    assert (comment.status, comment.feedback_pending) == ("spam", "spam")
    akismet_server.mode = "normal"
    from django.core.management import call_command

    call_command("recheck_comments")
    comment.refresh_from_db()
    assert comment.feedback_pending == ""
    assert akismet_server.calls("submit-spam")[-1]["comment_content"] == "As first sent"


def test_a_link_from_a_mail_asks_before_it_acts(maria_client, make_comment):
    """GET never changes anything: it shows the comment and a button that POSTs."""
    comment = make_comment(status="pending", body="Check me first")
    page = maria_client.get(f"/admin/comments/comment/{comment.pk}/moderate/spam/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Check me first" in html and 'method="post"' in html and 'value="Mark as spam"' in html
    comment.refresh_from_db()
    assert comment.status == "pending" and not comment.history.exists()


def test_a_link_needs_a_signed_in_moderator(client, make_comment):
    comment = make_comment(status="pending")
    response = client.get(f"/admin/comments/comment/{comment.pk}/moderate/approve/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post(f"/admin/comments/comment/{comment.pk}/moderate/approve/").status_code == 302
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_an_action_that_does_not_apply_says_so(maria_client, make_comment):
    comment = make_comment(status="approved")
    response = moderate(maria_client, comment, "approve")
    assert "does not apply" in str(list(response.wsgi_request._messages)[0])
    assert not comment.history.exists()


def test_an_outside_next_is_ignored(maria_client, make_comment):
    comment = make_comment(status="pending")
    response = moderate(maria_client, comment, "approve", next="https://evil.example/")
    assert response["Location"] == QUEUE


def test_delete_permanently_only_spam_and_trash(maria_client, make_comment):
    spam = make_comment(status="spam")
    trash = make_comment(status="trash")
    kept = make_comment(status="approved")
    pending = make_comment(status="pending")
    bulk(maria_client, "delete_permanently", [spam, trash, kept, pending])
    assert set(Comment.objects.all()) == {kept, pending}
    assert moderate(maria_client, kept, "delete").status_code == 403
    gone = make_comment(status="spam")
    moderate(maria_client, gone, "delete")
    assert not Comment.objects.filter(pk=gone.pk).exists()


def test_deleting_a_comment_moves_its_replies_up(maria_client, make_comment):
    top = make_comment(status="approved")
    middle = make_comment(status="trash", parent=top)
    reply = make_comment(status="approved", parent=middle)
    moderate(maria_client, middle, "delete")
    reply.refresh_from_db()
    assert (reply.parent, reply.depth) == (top, 2)


def test_empty_spam_and_empty_trash(maria_client, make_comment):
    make_comment(status="spam")
    make_comment(status="spam", verdict="discard")
    make_comment(status="trash")
    kept = make_comment(status="pending")
    page = maria_client.get(QUEUE + "?status=spam").content.decode()
    assert "Empty spam" in page and "Empty trash" not in page
    assert "Empty trash" in maria_client.get(QUEUE + "?status=trash").content.decode()
    assert "Empty" not in maria_client.get(QUEUE).content.decode()
    ask = maria_client.get("/admin/comments/comment/empty/spam/")
    assert "deletes 2 comments" in ask.content.decode()
    assert Comment.objects.count() == 4  # asking deletes nothing
    maria_client.post("/admin/comments/comment/empty/spam/")
    assert Comment.objects.filter(status="spam").count() == 0
    maria_client.post("/admin/comments/comment/empty/trash/")
    assert list(Comment.objects.all()) == [kept]


def test_check_again_with_akismet(akismet_server, maria_client, make_comment):
    """Pending comments are re-checked with recheck_reason=recheck_queue and filed."""
    error = make_comment(status="pending", verdict="error", author_name="akismet-guaranteed-spam")
    fine = make_comment(status="pending", verdict="error")
    approved = make_comment(status="approved")
    bulk(maria_client, "check_again", [error, fine, approved])
    sent = akismet_server.calls("comment-check")
    assert len(sent) == 2 and {s["recheck_reason"] for s in sent} == {"recheck_queue"}
    error.refresh_from_db()
    fine.refresh_from_db()
    assert (error.verdict, error.status) == ("spam", "spam")
    assert (fine.verdict, fine.status) == ("ham", "pending")
    assert akismet_server.calls("submit-spam") == []  # Akismet's own change: no feedback


def test_check_again_after_an_edit_says_edit(akismet_server, maria_client, make_comment):
    comment = make_comment(status="pending", verdict="ham", body="Original")
    maria_client.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": "Edited text",
        },
    )
    moderate(maria_client, comment, "check")
    assert akismet_server.calls("comment-check")[-1]["recheck_reason"] == "edit"
    # Checked since that edit: the next re-check is a plain one again.
    moderate(maria_client, comment, "check")
    assert akismet_server.calls("comment-check")[-1]["recheck_reason"] == "recheck_queue"


def test_check_again_is_rate_limited(akismet_server, maria_client, make_comment, monkeypatch):
    """A bulk re-check cannot spend more than the per-minute budget of the key."""
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(throttle, "RECHECKS_PER_MINUTE", 3)
    comments = [make_comment(status="pending", verdict="error") for _ in range(5)]
    response = bulk(maria_client, "check_again", comments)
    assert len(akismet_server.calls("comment-check")) == 3
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "2 not checked: at most 3 checks a minute" in messages
    bulk(maria_client, "check_again", comments)
    assert len(akismet_server.calls("comment-check")) == 3
    cache.clear()


def test_check_again_without_a_key_says_so(maria_client, make_comment, settings):
    settings.AKISMET_API_KEY = ""
    response = bulk(maria_client, "check_again", [make_comment(status="pending")])
    assert "No Akismet key" in str(list(response.wsgi_request._messages)[0])
