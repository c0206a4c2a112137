"""A moderator's optional reason on Unapprove, Spam and Trash: chosen from a short list
(plus their own words), on the comment's page, the confirmation page, the row buttons and
the queue's bulk actions, without JavaScript; stored in the comment's history."""

import pytest
from django.contrib.messages import get_messages

from comments.actions import ReasonRefused, moderator_reason
from comments.models import CommentEvent
from comments.reasons import MODERATOR_REASONS, NOTE_MAX, Reason, sentence

QUEUE = "/admin/comments/comment/"


def last_status_event(comment):
    return comment.history.filter(kind=CommentEvent.Kind.STATUS).latest("created_at", "pk")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, ("", None)),
        ({"reason": "off_topic"}, (Reason.OFF_TOPIC, {})),
        (
            {"reason": "abusive", "reason_note": "  name-calling\n again "},
            (Reason.ABUSIVE, {"note": "name-calling again"}),
        ),
        ({"reason_note": "asked by the author"}, (Reason.OTHER, {"note": "asked by the author"})),
        ({"reason": "other"}, (Reason.OTHER, {})),
    ],
)  # fmt: skip
def test_moderator_reason_reads_a_code_and_a_note(data, expected):
    assert moderator_reason(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "akismet_spam"},  # a code, but not a moderator's
        {"reason": "nonsense"},
        {"reason": "other", "reason_note": "x" * (NOTE_MAX + 1)},
    ],
)
def test_moderator_reason_refuses_anything_else(data):
    with pytest.raises(ReasonRefused):
        moderator_reason(data)


def test_every_moderator_reason_reads_as_a_sentence_with_and_without_a_note():
    for code in MODERATOR_REASONS:
        plain = sentence(code, {})
        assert plain and "{" not in plain
        assert sentence(code, {"note": "see the rules"}).endswith("see the rules")


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("unapprove", "approved", "pending"),
        ("spam", "pending", "spam"),
        ("trash", "approved", "trash"),
    ],
)
def test_the_comment_page_buttons_record_the_reason(
    maria_client, maria, make_comment, action, before, after
):
    comment = make_comment(status=before, verdict="ham")
    response = maria_client.post(
        f"{QUEUE}{comment.pk}/moderate/{action}/",
        {"reason": "off_topic", "reason_note": "about another story"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == after
    event = last_status_event(comment)
    assert (event.actor, event.reason, event.reason_params) == (
        maria,
        Reason.OFF_TOPIC,
        {"note": "about another story"},
    )


def test_the_comment_page_and_the_confirmation_page_offer_the_reasons(maria_client, make_comment):
    comment = make_comment(status="approved")
    page = maria_client.get(f"{QUEUE}{comment.pk}/change/").content.decode()
    assert 'name="reason"' in page and 'name="reason_note"' in page
    assert '<option value="personal_data">Personal data</option>' in page
    confirm = maria_client.get(f"{QUEUE}{comment.pk}/moderate/trash/").content.decode()
    assert 'name="reason"' in confirm and "Spam or advertising" in confirm
    # Approve asks for no reason.
    pending = make_comment(status="pending")
    approve = maria_client.get(f"{QUEUE}{pending.pk}/moderate/approve/").content.decode()
    assert 'name="reason"' not in approve


def test_the_queue_offers_the_reasons_in_its_action_bar(maria_client, make_comment):
    make_comment(status="pending")
    page = maria_client.get(QUEUE).content.decode()
    assert 'name="reason"' in page and 'name="reason_note"' in page


def test_a_bulk_action_records_the_reason_on_each_comment(maria_client, maria, make_comment):
    comments = [make_comment(status="pending", verdict="ham") for _ in range(3)]
    response = maria_client.post(
        QUEUE,
        {
            "action": "trash",
            "_selected_action": [c.pk for c in comments],
            "reason": "duplicate",
            "reason_note": "",
        },
    )
    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == "trash"
        event = last_status_event(comment)
        assert (event.actor, event.reason, event.reason_params) == (maria, Reason.DUPLICATE, {})


def test_a_row_button_sends_the_action_bars_reason(maria_client, make_comment):
    # The row buttons submit the queue's form, action bar included, to the comment's URL.
    comment = make_comment(status="pending", verdict="ham")
    maria_client.post(
        f"{QUEUE}{comment.pk}/moderate/spam/?next=/admin/comments/comment/",
        {"action": "", "reason": "advertising", "reason_note": "a shop", "_selected_action": []},
    )
    event = last_status_event(comment)
    assert (event.reason, event.reason_params) == (Reason.ADVERTISING, {"note": "a shop"})


def test_a_refused_reason_changes_nothing_and_says_why(maria_client, make_comment):
    comment = make_comment(status="approved")
    response = maria_client.post(f"{QUEUE}{comment.pk}/moderate/trash/", {"reason": "akismet_spam"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "approved"
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert notes == ["Nothing changed: That reason is not one of the list; choose again."]

    bulk = maria_client.post(
        QUEUE, {"action": "trash", "_selected_action": [comment.pk], "reason": "x"}
    )
    assert bulk.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_approve_ignores_a_reason_sent_with_it(maria_client, make_comment):
    comment = make_comment(status="pending", verdict="ham")
    maria_client.post(f"{QUEUE}{comment.pk}/moderate/approve/", {"reason": "abusive"})
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert last_status_event(comment).reason == ""
