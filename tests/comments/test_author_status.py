"""The author's private status page of their comment, and the short edit window.

The link comes only from the author's own page (their preview cookie), never from the
shared one; it says awaiting / published / not published (only after a person decided,
with their reason); it expires after 30 days (410) and names nothing when tampered (404).
An edit within the window is checked again by Akismet (`recheck_reason=edit`), keeps the
old text in the history, and shows "(edited)"; after the window it is refused with the text
kept.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from comments import authoring
from comments.models import Comment, CommentEvent
from comments.moderation import change_status
from comments.reasons import Reason

STATUS_LINK = re.compile(r'href="(/comment-status/[^"#]+/)(#edit)?"')


@pytest.fixture
def posted(akismet_server, client, post, article):
    """A comment posted through the form (checked by the stand-in: ham, held for manual
    approval), and the status link its author's page shows."""
    response = post(comment="First thoughts on the plan.")
    assert response.status_code == 302
    comment = Comment.objects.latest("pk")
    page = client.get(article.get_absolute_url()).content.decode()
    match = STATUS_LINK.search(page)
    assert match, "the author's page shows a status link"
    return comment, match.group(1)


def status_page(client, url, **headers):
    response = client.get(url, **headers)
    return response, response.content.decode()


def edit(client, url, text, ip="198.51.100.200"):
    return client.post(url, {"comment": text}, HTTP_ORIGIN="http://testserver", REMOTE_ADDR=ip)


def test_the_link_is_on_the_authors_page_only(posted, client, article):
    comment, url = posted
    own = client.get(article.get_absolute_url()).content.decode()
    awaiting = own.index("Your comment is awaiting moderation.")
    assert STATUS_LINK.search(own).start() > awaiting  # under "awaiting moderation"
    client.cookies.clear()
    shared = client.get(article.get_absolute_url()).content.decode()
    assert "/comment-status/" not in shared
    assert "First thoughts" not in shared


def test_the_status_page_is_private_and_shows_only_this_comment(
    posted, client, make_comment, article
):
    comment, url = posted
    make_comment(body="Somebody else's words.", author_email="other@example.com")
    client.cookies.clear()
    response, page = status_page(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "Awaiting moderation." in page
    assert "First thoughts on the plan." in page
    assert "Somebody else" not in page
    assert comment.author_email not in page
    assert "Set-Cookie" not in response.headers or not response.cookies


def test_published_after_a_moderator_approves(posted, client, moderator):
    comment, url = posted
    change_status(comment, "approved", actor=moderator)
    _, page = status_page(client, url)
    assert "Published." in page
    assert f'href="{comment.get_absolute_url()}"' in page


@pytest.mark.parametrize(
    ("to", "before"),
    [("trash", "pending"), ("spam", "pending"), ("pending", "approved")],  # unapprove
)
def test_not_published_after_a_person_decided_with_their_reason(
    posted, client, moderator, to, before
):
    comment, url = posted
    if before == "approved":
        change_status(comment, "approved", actor=moderator)
    change_status(
        comment, to, actor=moderator, reason=Reason.OFF_TOPIC, params={"note": "about trains"}
    )
    _, page = status_page(client, url)
    assert "Not published." in page
    assert "off-topic: about trains" in page
    assert "Awaiting moderation" not in page


def test_not_published_without_a_reason_says_none(posted, client, moderator):
    comment, url = posted
    change_status(comment, "trash", actor=moderator)
    _, page = status_page(client, url)
    assert "Not published." in page and "The reason given" not in page


def test_a_persons_not_spam_is_back_to_awaiting(posted, client, moderator):
    comment, url = posted
    change_status(comment, "spam", actor=moderator)
    change_status(comment, "pending", actor=moderator)
    _, page = status_page(client, url)
    assert "Awaiting moderation." in page


def test_automatic_outcomes_keep_saying_awaiting(akismet_server, client, post, article, set_policy):
    set_policy(disallowed_words="casino")
    cases = {
        "akismet": {"name": "akismet-guaranteed-spam"},
        "discard": {"name": "akismet-guaranteed-discard"},
        "honeypot": {"phone": "555-0100"},
        "word": {"comment": "Visit my casino today."},
    }
    for n, fields in enumerate(cases.values()):
        client.cookies.clear()
        post(ip=f"203.0.113.{n + 1}", **fields)
        comment = Comment.objects.latest("pk")
        assert comment.status in ("spam", "trash")
        url = authoring.status_url(comment.pk, comment.preview_secret)
        _, page = status_page(client, url)
        assert "Awaiting moderation." in page
        assert "Not published" not in page and "spam" not in page.lower().split("<main")[1]


def test_the_link_expires_after_thirty_days(posted, client):
    comment, url = posted
    with time_machine.travel(comment.created_at + timedelta(days=30, seconds=-60), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(comment.created_at + timedelta(days=30, seconds=60), tick=False):
        response, page = status_page(client, url)
    assert response.status_code == 410
    assert "This link has expired" in page
    assert response["Cache-Control"] == "private, no-store"
    assert "First thoughts" not in page


def test_a_tampered_or_unknown_link_is_a_404(posted, client):
    comment, url = posted
    token = url.split("/")[2]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/comment-status/{forged}/").status_code == 404
    wrong_secret = authoring.link_token(comment.pk, "not-the-secret")
    assert client.get(f"/comment-status/{wrong_secret}/").status_code == 404
    other_salt = signing.dumps([comment.pk, comment.preview_secret], salt="comments.preview")
    assert client.get(f"/comment-status/{other_salt}/").status_code == 404
    odd = signing.dumps({"pk": comment.pk}, salt=authoring.LINK_SALT)
    assert client.get(f"/comment-status/{odd}/").status_code == 404
    Comment.objects.filter(pk=comment.pk).delete()
    assert client.get(url).status_code == 404


# -- the edit window ----------------------------------------------------------------------


def test_an_edit_within_the_window_is_rechecked_as_an_edit_and_keeps_the_old_text(
    posted, client, akismet_server
):
    comment, url = posted
    with time_machine.travel(comment.created_at + timedelta(seconds=30), tick=False):
        response = edit(client, url, "Second thoughts on the plan.")
    assert response.status_code == 302 and response["Location"].startswith(url)
    comment.refresh_from_db()
    assert comment.body == "Second thoughts on the plan."
    assert comment.edited_at is not None
    last = akismet_server.calls("comment-check")[-1]
    assert last["recheck_reason"] == "edit"
    assert last["comment_content"] == "Second thoughts on the plan."
    entry = comment.history.get(kind=CommentEvent.Kind.EDIT)
    assert entry.details["before"] == {"body": "First thoughts on the plan."}
    assert entry.actor_label == "author"
    _, page = status_page(client, url + "?edited=1")
    assert "Your change is saved." in page and "Second thoughts" in page


@pytest.mark.parametrize(
    ("after", "allowed"),
    [(timedelta(minutes=10, seconds=-1), True), (timedelta(minutes=10), False)],
)
def test_the_window_edges(posted, client, after, allowed):
    comment, url = posted
    with time_machine.travel(comment.created_at + after, tick=False):
        response = edit(client, url, "Changed <b>my</b> mind.")
        page = response.content.decode()
    comment.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert comment.body == "Changed <b>my</b> mind."
    else:
        assert response.status_code == 403
        assert comment.body == "First thoughts on the plan."
        assert "can no longer be edited" in page
        assert "Changed &lt;b&gt;my&lt;/b&gt; mind." in page  # the text kept in the form
        assert "Save changes" not in page


def test_no_edits_when_the_policy_says_zero(posted, client, set_policy):
    comment, url = posted
    set_policy(edit_minutes=0)
    _, page = status_page(client, url)
    assert 'id="editform"' not in page
    response = edit(client, url, "Another go.")
    assert response.status_code == 403
    assert "cannot be edited" in response.content.decode()
    assert "Another go." in response.content.decode()


def test_the_edit_form_is_offered_within_the_window_only(posted, client):
    comment, url = posted
    with time_machine.travel(comment.created_at + timedelta(minutes=3), tick=False):
        _, page = status_page(client, url)
    assert 'id="editform"' in page and "7 more minutes" in page
    with time_machine.travel(comment.created_at + timedelta(minutes=11), tick=False):
        _, page = status_page(client, url)
    assert 'id="editform"' not in page and "that time has passed" in page


def test_markup_in_an_edit_stays_inert(posted, client):
    comment, url = posted
    with time_machine.travel(comment.created_at + timedelta(minutes=1), tick=False):
        edit(client, url, '<script>alert(1)</script><img src=x onerror="alert(2)">')
    comment.refresh_from_db()
    assert "<script" not in comment.body_html and "<img" not in comment.body_html
    assert "&lt;script&gt;" in comment.body_html


def test_an_empty_edit_is_refused_with_a_message(posted, client):
    comment, url = posted
    with time_machine.travel(comment.created_at + timedelta(minutes=1), tick=False):
        response = edit(client, url, "   ")
    assert response.status_code == 400
    assert "Please type your comment text." in response.content.decode()


def test_flood_control_applies_to_edits(posted, client, set_policy):
    comment, url = posted
    set_policy(flood_interval=15)
    with time_machine.travel(comment.created_at + timedelta(seconds=5), tick=False):
        too_soon = edit(client, url, "Too soon.")
    assert too_soon.status_code == 429
    assert "Too soon." in too_soon.content.decode()
    with time_machine.travel(comment.created_at + timedelta(seconds=20), tick=False):
        assert edit(client, url, "Now then.").status_code == 302
    with time_machine.travel(comment.created_at + timedelta(seconds=25), tick=False):
        assert edit(client, url, "And again.").status_code == 429
    comment.refresh_from_db()
    assert comment.body == "Now then."


def test_a_cross_site_edit_is_refused_with_the_text_kept(posted, client):
    comment, url = posted
    response = client.post(url, {"comment": "Forged."}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert "Forged." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First thoughts on the plan."


def test_no_edit_after_a_person_took_it_off(posted, client, moderator):
    comment, url = posted
    change_status(comment, "trash", actor=moderator)
    _, page = status_page(client, url)
    assert 'id="editform"' not in page
    assert edit(client, url, "Please?").status_code == 403


def test_editing_a_published_comment_returns_it_to_the_queue(posted, client, moderator):
    comment, url = posted
    change_status(comment, "approved", actor=moderator)
    with time_machine.travel(comment.created_at + timedelta(minutes=2), tick=False):
        edit(client, url, "Quietly changed after approval.")
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert comment.history.filter(reason=Reason.EDITED, to_status="pending").exists()
    _, page = status_page(client, url)
    assert "Awaiting moderation." in page


def test_a_trusted_author_stays_published_and_readers_see_edited(
    posted, client, moderator, set_policy, article
):
    comment, url = posted
    set_policy(manual_approval=False)
    change_status(comment, "approved", actor=moderator)
    with time_machine.travel(comment.created_at + timedelta(minutes=2), tick=False):
        edit(client, url, "A small correction.")
    comment.refresh_from_db()
    assert comment.status == "approved"
    client.cookies.clear()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "A small correction." in page
    assert '<span class="comment__edited">(edited)</span>' in page


@pytest.mark.parametrize(
    "author, reason",
    [
        ("akismet-guaranteed-spam", Reason.AKISMET_SPAM),
        ("akismet-guaranteed-discard", Reason.AKISMET_DISCARD),
    ],
)
def test_a_trusted_authors_edit_into_spam_goes_to_spam(
    akismet_server, client, make_comment, set_policy, author, reason
):
    """Filed by Akismet's answer, as a new comment would be: spam, or blatant spam."""
    set_policy(manual_approval=False, flood_interval=0)
    comment = make_comment(status="approved", verdict="ham", author_name=author)
    url = authoring.status_url(comment.pk, comment.preview_secret)
    edit(client, url, "Cheap pills here.")
    comment.refresh_from_db()
    assert (comment.status, comment.held_reason) == ("spam", reason)
    event = comment.history.filter(to_status="spam").get()
    assert (event.actor, event.actor_label, event.reason) == (None, "Akismet", reason)
    assert akismet_server.calls("comment-check")[-1]["recheck_reason"] == "edit"


def test_an_edit_check_is_claimed_once_while_the_comment_is_shown(make_comment):
    from comments.models import Comment
    from comments.pipeline import claim_edit_check

    comment = make_comment(status="approved", verdict="ham", check_attempts=2)
    other = make_comment(status="approved", verdict="ham", check_attempts=2)
    assert claim_edit_check(comment.pk, 1) is False  # stale
    assert claim_edit_check(comment.pk, 2) is True
    assert claim_edit_check(comment.pk, 2) is False  # the same job twice
    comment.refresh_from_db()
    other.refresh_from_db()
    assert (comment.check_attempts, other.check_attempts) == (3, 2)  # only this one
    Comment.objects.filter(pk=comment.pk).update(status="trash")
    assert claim_edit_check(comment.pk, 3) is False  # taken off by a person


def test_a_superseded_edit_check_records_and_files_nothing(akismet_server, make_comment):
    from comments.models import Comment
    from comments.pipeline import check_edit

    comment = make_comment(
        status="approved", verdict="ham", check_attempts=1, author_name="akismet-guaranteed-spam"
    )
    Comment.objects.filter(pk=comment.pk).update(check_attempts=3)  # a later claim
    assert check_edit(comment, 1) is None
    comment.refresh_from_db()
    assert (comment.status, comment.verdict, comment.check_attempts) == ("approved", "ham", 3)
    assert not comment.history.exists()


def test_an_edit_check_that_finds_the_comment_moved_leaves_it_and_logs(
    akismet_server, make_comment, caplog, monkeypatch
):
    """Akismet says spam, but a person moved the comment while it was asked: the person's
    decision stands, and the log says which comment."""
    import logging

    from comments import pipeline
    from comments.models import Comment

    # Its check #2 claimed by this worker (`claim_edit_check`).
    comment = make_comment(
        status="approved", verdict="ham", check_attempts=2, author_name="akismet-guaranteed-spam"
    )
    real_check = pipeline.spam.check

    def check_then_a_person_decides(*args, **kwargs):
        verdict = real_check(*args, **kwargs)
        Comment.objects.filter(pk=comment.pk).update(status="trash")
        return verdict

    monkeypatch.setattr(pipeline.spam, "check", check_then_a_person_decides)
    real_refresh = comment.refresh_from_db

    def refresh_keeping_the_old_status(*args, **kwargs):
        real_refresh(*args, **kwargs)
        comment.status = "approved"  # what the worker read before the person's move

    monkeypatch.setattr(comment, "refresh_from_db", refresh_keeping_the_old_status)
    with caplog.at_level(logging.INFO, logger="comments.pipeline"):
        assert pipeline.check_edit(comment, 1) == "spam"
    assert Comment.objects.get(pk=comment.pk).status == "trash"
    assert f"comment {comment.pk} changed while being filed; left as it is" in caplog.text


def test_the_authors_page_offers_the_edit_while_the_window_is_open(posted, client, article):
    comment, url = posted
    with time_machine.travel(timezone.now() + timedelta(minutes=4), tick=False):
        page = client.get(article.get_absolute_url()).content.decode()
    assert "you can edit it for" in page


def test_a_trusted_authors_edit_with_a_disallowed_word_goes_to_the_trash(
    akismet_server, client, make_comment, set_policy
):
    set_policy(manual_approval=False, flood_interval=0, disallowed_words="casino")
    comment = make_comment(status="approved", verdict="ham")
    url = authoring.status_url(comment.pk, comment.preview_secret)
    edit(client, url, "Now about my casino.")
    comment.refresh_from_db()
    assert comment.status == "trash"


def test_without_an_akismet_key_an_edit_is_filed_by_the_policy(client, make_comment, set_policy):
    set_policy(flood_interval=0)
    comment = make_comment(status="approved", verdict="unchecked")
    url = authoring.status_url(comment.pk, comment.preview_secret)
    assert edit(client, url, "Edited with no key.").status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.held_reason) == ("pending", Reason.NO_AKISMET_KEY)
