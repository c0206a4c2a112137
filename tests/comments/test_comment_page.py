"""The comment's page: status and verdict read-only, the history in sentences, the
author's other comments, the staff reply box, and edits recorded in the history."""

from comments.models import Comment, CommentEvent
from comments.moderation import change_status
from comments.reasons import Reason


def page_of(client, comment):
    return client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()


def test_status_and_verdict_are_read_only(maria_client, make_comment):
    comment = make_comment(status="pending", verdict="error")
    page = page_of(maria_client, comment)
    assert 'name="status"' not in page and 'name="verdict"' not in page
    assert 'name="body"' in page and 'name="author_name"' in page
    data = {
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": "",
        "body": comment.body,
        "status": "approved",
        "verdict": "ham",
    }
    maria_client.post(f"/admin/comments/comment/{comment.pk}/change/", data)
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == ("pending", "error")


def test_the_history_reads_as_sentences(maria_client, maria, make_comment):
    comment = make_comment(status="pending", verdict="spam")
    CommentEvent.objects.create(
        comment=comment,
        kind="check",
        actor_label="Akismet",
        reason=Reason.AKISMET_SAID,
        reason_params={"verdict": "spam"},
    )
    change_status(comment, "spam", actor_label="Akismet", reason=Reason.AKISMET_SPAM)
    change_status(comment, "pending", actor=maria)
    links = {"links": 3, "limit": 2}
    change_status(comment, "pending", actor_label="policy", reason=Reason.LINKS, params=links)
    page = page_of(maria_client, comment)
    assert "Akismet said spam" in page
    assert "maria marked it not spam" in page
    assert "held: 3 links, the limit is 2" in page


def test_the_authors_other_comments(maria_client, make_comment, make_article):
    other_article = make_article(title="Night trains")
    comment = make_comment(status="pending", author_email="ada@example.com")
    make_comment(
        status="approved",
        author_email="ada@example.com",
        body="An earlier one",
        article=other_article,
    )
    make_comment(status="spam", author_email="ada@example.com", body="A spammy one")
    make_comment(status="approved", author_email="someone@example.com", body="Not hers")
    page = page_of(maria_client, comment)
    assert "An earlier one" in page and "A spammy one" in page and "Not hers" not in page
    assert "1 approved · 0 pending · 1 spam · 0 trash" in page


def test_a_staff_reply_is_approved_threaded_and_checked_with_user_role(
    akismet_server, maria_client, maria, make_comment
):
    """Replying to a pending comment approves it, then publishes the reply under it."""
    maria.first_name, maria.last_name = "Maria", "Lindqvist"
    maria.save()
    parent = make_comment(status="pending", verdict="ham")
    page = page_of(maria_client, parent)
    assert "Approve and reply" in page
    maria.email = "maria@example.com"
    maria.save()
    response = maria_client.post(
        f"/admin/comments/comment/{parent.pk}/reply/",
        {"body": "Thanks, fixed in the story."},
        REMOTE_ADDR="192.0.2.80",
        HTTP_USER_AGENT="UA/" + "u" * 600,
        HTTP_REFERER="http://testserver/" + "r" * 1100,
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=parent)
    parent.refresh_from_db()
    assert parent.status == "approved" and parent.moderated_by == maria
    assert parent.history.get(kind="status").reason == Reason.APPROVED_TO_REPLY
    assert (reply.status, reply.user, reply.author_name) == ("approved", maria, "Maria Lindqvist")
    assert (reply.body, reply.author_email) == ("Thanks, fixed in the story.", "maria@example.com")
    assert reply.history.get(kind="status").reason == Reason.STAFF_REPLY
    assert reply.depth == 2 and reply.user_ip == "192.0.2.80"
    assert (len(reply.user_agent), len(reply.referrer)) == (512, 1024)  # kept at most
    sent = akismet_server.calls("comment-check")[-1]
    assert sent["user_role"] == "administrator" and sent["comment_type"] == "reply"
    assert reply in Comment.objects.approved()
    # The reply's check is nobody's verdict on a reader: the report's Akismet figures count
    # the parent (checked before, by hand here) and not the reply.
    from comments.models import ModerationDay

    verdicts = ModerationDay.objects.values_list("akismet_ham", "akismet_spam")
    assert all(counts == (0, 0) for counts in verdicts)


def test_no_reply_to_spam_and_no_empty_reply(maria_client, make_comment):
    spam = make_comment(status="spam")
    assert "Approve and reply" not in page_of(maria_client, spam)
    response = maria_client.post(
        f"/admin/comments/comment/{spam.pk}/reply/", {"body": "Hello"}, follow=True
    )
    assert (
        "Reply not posted: only pending or approved comments can be replied to."
        in response.content.decode()
    )
    approved = make_comment(status="approved")
    maria_client.post(f"/admin/comments/comment/{approved.pk}/reply/", {"body": "  "})
    assert not Comment.objects.filter(parent__isnull=False).exists()


def test_a_reply_without_akismet_key_is_still_published(maria_client, make_comment, settings):
    settings.AKISMET_API_KEY = ""
    parent = make_comment(status="approved")
    maria_client.post(f"/admin/comments/comment/{parent.pk}/reply/", {"body": "Noted."})
    assert Comment.objects.get(parent=parent).status == "approved"


def test_edits_are_recorded_with_what_was_there_before(maria_client, maria, make_comment):
    comment = make_comment(status="pending", body="Teh original", author_url="")
    maria_client.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "https://ada.example",
            "body": "The original",
        },
    )
    event = comment.history.get(kind="edit")
    assert event.actor == maria
    assert event.details["before"] == {"author_url": "", "body": "Teh original"}
    assert "maria edited the website, comment" in page_of(maria_client, comment)
    comment.refresh_from_db()
    assert comment.status == "pending"  # editing decides nothing


def test_delete_is_offered_only_for_spam_and_trash(maria_client, make_comment):
    pending = make_comment(status="pending")
    spam = make_comment(status="spam")
    assert f"/admin/comments/comment/{pending.pk}/delete/" not in page_of(maria_client, pending)
    assert maria_client.get(f"/admin/comments/comment/{pending.pk}/delete/").status_code == 403
    assert f"/admin/comments/comment/{spam.pk}/delete/" in page_of(maria_client, spam)
    maria_client.post(f"/admin/comments/comment/{spam.pk}/delete/", {"post": "yes"})
    assert not Comment.objects.filter(pk=spam.pk).exists()


def test_no_staff_reply_below_the_deepest_level(maria_client, make_comment):
    """A comment at the policy's thread depth takes no reply; one level up still does."""
    from comments import policy as policies

    depth = policies.current().thread_depth
    chain = [make_comment(status="approved")]
    while len(chain) < depth:
        chain.append(make_comment(status="approved", parent=chain[-1]))
    deepest, above = chain[-1], chain[-2]
    assert (deepest.depth, above.depth) == (depth, depth - 1)
    response = maria_client.post(
        f"/admin/comments/comment/{deepest.pk}/reply/", {"body": "Too deep"}, follow=True
    )
    assert "this comment is already at the deepest reply level" in response.content.decode()
    assert not deepest.replies.exists()
    maria_client.post(f"/admin/comments/comment/{above.pk}/reply/", {"body": "Fits"})
    assert above.replies.filter(body="Fits").exists()
