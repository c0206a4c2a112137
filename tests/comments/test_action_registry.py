"""The registry of moderation actions: one object per action, read by the row buttons, the
bulk actions, the comment's page, the confirmation page and the moderators' mail."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from comments import actions
from comments.moderation import ALLOWED

QUEUE = "/admin/comments/comment/"
STATUSES = ["pending", "approved", "spam", "trash"]


def test_the_registry():
    table = {
        a.name: (a.label, sorted(a.applies_to), a.permission, a.bulk_name) for a in actions.ALL
    }
    assert table == {
        "approve": ("Approve", ["pending"], "comments.moderate_comment", "approve"),
        "unapprove": ("Unapprove", ["approved"], "comments.moderate_comment", "unapprove"),
        "spam": (
            "Mark as spam",
            ["approved", "pending", "trash"],
            "comments.moderate_comment",
            "mark_spam",
        ),
        "not_spam": ("Not spam", ["spam"], "comments.moderate_comment", "not_spam"),
        "trash": (
            "Move to trash",
            ["approved", "pending", "spam"],
            "comments.moderate_comment",
            "trash",
        ),
        "restore": ("Restore", ["trash"], "comments.moderate_comment", "restore"),
        "delete": (
            "Delete permanently",
            ["spam", "trash"],
            "comments.delete_comment",
            "delete_permanently",
        ),
        "check": (
            "Check again with Akismet",
            ["pending"],
            "comments.moderate_comment",
            "check_again",
        ),
    }
    assert list(actions.ACTIONS) == [a.name for a in actions.ALL]


@pytest.mark.parametrize(
    "action", [a for a in actions.ALL if a.permission.endswith("moderate_comment")]
)
@pytest.mark.parametrize("status", STATUSES)
def test_every_target_is_a_transition_the_state_machine_allows(make_comment, action, status):
    for previous in ["", *STATUSES]:
        comment = make_comment(status=status, previous_status=previous)
        to = action.target(comment)
        if action.name == "check":
            continue  # files the comment by Akismet's answer; no target of its own
        assert (to is not None) == (status in action.applies_to)
        if to is not None:
            assert to in ALLOWED[status]


@pytest.mark.parametrize(
    ("name", "previous", "expected"),
    [
        ("restore", "approved", "approved"),
        ("restore", "pending", "pending"),
        ("restore", "", "pending"),
        ("restore", "trash", "pending"),
        ("not_spam", "approved", "approved"),
        ("not_spam", "", "pending"),
    ],
)
def test_back_to_the_status_before(make_comment, name, previous, expected):
    status = "trash" if name == "restore" else "spam"
    comment = make_comment(status=status, previous_status=previous)
    assert actions.ACTIONS[name].target(comment) == expected


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("pending", ["approve", "spam", "trash"]),
        ("approved", ["unapprove", "spam", "trash"]),
        ("spam", ["not_spam", "delete"]),
        ("trash", ["restore", "delete"]),
    ],
)
def test_row_buttons_and_the_queue_show_them(maria, maria_client, make_comment, status, buttons):
    comment = make_comment(status=status)
    assert [a.name for a in actions.row_buttons(comment, maria)] == buttons
    html = maria_client.get(QUEUE, {"status": status}).content.decode()
    for name in buttons:
        action = actions.ACTIONS[name]
        url = f"/admin/comments/comment/{comment.pk}/moderate/{name}/"
        assert url in html and f'c-button--{name}">{action.label}</button>' in html


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("pending", ["approve", "spam", "trash", "check"]),
        ("approved", ["unapprove", "spam", "trash"]),
        ("spam", ["not_spam", "trash"]),
        ("trash", ["spam", "restore"]),
    ],
)
def test_the_comment_page_offers_every_action_that_applies(
    akismet_server, maria, maria_client, make_comment, status, buttons
):
    comment = make_comment(status=status)
    assert [a.name for a in actions.page_buttons(comment, maria)] == buttons
    page = maria_client.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert [name for _url, _label, name in page.context["moderation_actions"]] == buttons


def test_check_again_is_offered_only_with_a_key(maria, make_comment, settings):
    comment = make_comment(status="pending")
    settings.AKISMET_API_KEY = ""
    assert "check" not in [a.name for a in actions.page_buttons(comment, maria)]


def test_the_bulk_actions_are_the_registry(maria_client):
    response = maria_client.get(QUEUE)
    choices = dict(response.context["action_form"].fields["action"].choices)
    for action in actions.ALL:
        assert choices[action.bulk_name] == action.label
    assert "delete_selected" not in choices


def test_execute_one_and_many(maria, make_comment):
    from comments.models import Comment

    one = make_comment(status="pending", author_name="Ada")
    [(_level, note)] = actions.ACTIONS["approve"].execute(one, maria)
    assert note == "Approve: the comment by Ada is now approved."
    [(_level, note)] = actions.ACTIONS["approve"].execute(one, maria)
    assert note == "Approve does not apply: the comment by Ada is approved."
    many = [make_comment(status="pending") for _ in range(2)]
    [(_level, note)] = actions.ACTIONS["trash"].execute(
        Comment.objects.filter(pk__in=[c.pk for c in many]), maria
    )
    assert note == "Move to trash: 2 comments."
    [(_level, note)] = actions.ACTIONS["delete"].execute([*many, one], maria)
    assert note == "Deleted 2 comments permanently. 1 kept: only spam and trash can be deleted."


def test_the_mail_links_are_the_registrys(maria, make_comment, settings):
    from comments import notify

    comment = make_comment(status="pending")
    links = notify._context(comment, 1)["links"]
    assert [verb for verb, _url in links] == ["Approve", "Spam", "Trash"]
    for (_verb, url), action in zip(links, actions.in_mail(), strict=True):
        assert (
            url
            == f"{settings.SITE_URL}/admin/comments/comment/{comment.pk}/moderate/{action.name}/"
        )


@pytest.mark.parametrize(
    "name", ["", "delete_selected", "APPROVE", "approve ", "\x00", "²", "x" * 300]
)
def test_an_unknown_action_is_refused(maria, make_comment, name):
    comment = make_comment(status="pending")
    client = Client(raise_request_exception=False)
    client.force_login(maria)
    url = f"/admin/comments/comment/{comment.pk}/moderate/{name}/"
    # "moderate//" is Django's own "<id>/" route: a redirect to the comment's page.
    assert client.get(url).status_code in (302, 403, 404)
    assert client.post(url).status_code in (302, 403, 404)
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_check_again_on_a_comment_that_is_not_pending_asks_nothing(maria_client, make_comment):
    comment = make_comment(status="approved")
    page = maria_client.get(f"/admin/comments/comment/{comment.pk}/moderate/check/")
    html = page.content.decode()
    assert "does not apply: this comment is approved" in html and 'class="c-confirm"' not in html


# One permission, moderate_comment, everywhere: change_comment alone is not moderating.


@pytest.fixture
def editor_only(db):
    """Staff who may view and edit comments (typos, say) but not moderate them."""
    user = get_user_model().objects.create_user(
        "ed", email="ed@example.com", password="a-Long-pass-phrase-9", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments", codename__in=["view_comment", "change_comment"]
        )
    )
    return user


def test_change_permission_alone_does_not_moderate(editor_only, make_comment):
    client = Client(raise_request_exception=False)
    client.force_login(editor_only)
    comment = make_comment(status="pending")
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    html = queue.content.decode()
    assert "/moderate/" not in html and 'class="c-button' not in html
    page = client.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert page.context["moderation_actions"] == [] and not page.context["can_reply"]
    for action in actions.ALL:
        url = f"/admin/comments/comment/{comment.pk}/moderate/{action.name}/"
        assert client.post(url).status_code == 403, action.name
        assert client.get(url).status_code == 403, action.name
    comment.refresh_from_db()
    assert comment.status == "pending" and not comment.history.exists()


def test_change_permission_alone_is_not_a_moderators_own_comment(akismet_server, editor_only, post):
    from comments.models import Comment
    from comments.policy import can_moderate

    assert not can_moderate(editor_only)
    client = Client()
    client.force_login(editor_only)
    assert post(client=client, comment="From the desk.").status_code == 302
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert comment.held_reason != "posted by a moderator"


def test_a_moderators_own_comment_is_approved(akismet_server, maria, post):
    from comments.models import Comment

    client = Client()
    client.force_login(maria)
    post(client=client, comment="From the moderator.")
    comment = Comment.objects.get()
    assert (comment.status, comment.held_reason) == ("approved", "")
