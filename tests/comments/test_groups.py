"""People and permissions: the Moderators group, and what each group can reach."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from comments.groups import MODERATOR_PERMISSIONS


def test_moderators_group_has_exactly_the_comment_permissions(db):
    """The group exists on a fresh database with comment and policy permissions only."""
    perms = set(
        Group.objects.get(name="Moderators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert perms == {("comments", codename) for codename in MODERATOR_PERMISSIONS}
    assert ("comments", "moderate_comment") in perms


def test_moderators_group_is_idempotent(db):
    """Running migrate again keeps one group with the same permissions."""
    before = set(Group.objects.get(name="Moderators").permissions.all())
    call_command("migrate", verbosity=0)
    assert Group.objects.filter(name="Moderators").count() == 1
    assert set(Group.objects.get(name="Moderators").permissions.all()) == before


def test_editors_keep_article_permissions_only(db):
    labels = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", flat=True
        )
    )
    assert labels == {"articles"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/comments/comment/",
        "/admin/comments/moderationpolicy/1/change/",
    ],
)
def test_a_moderator_reaches_the_queue_and_the_policy(maria_client, url):
    assert maria_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/articles/article/",
        "/admin/articles/category/",
        "/admin/auth/user/",
        "/admin/auth/group/",
    ],
)
def test_a_moderator_cannot_reach_articles_or_users(maria_client, url):
    assert maria_client.get(url).status_code == 403


@pytest.mark.parametrize(
    "url", ["/admin/comments/comment/", "/admin/comments/moderationpolicy/1/change/"]
)
def test_an_editor_cannot_reach_comments(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_the_index_shows_each_group_its_own_apps(editor_client, client, maria):
    """Editors see articles and no comment count; moderators the reverse."""
    page = editor_client.get("/admin/").content.decode()
    assert "/admin/articles/article/" in page
    assert "/admin/comments/" not in page and "pending" not in page
    client.force_login(maria)
    page = client.get("/admin/").content.decode()
    assert "/admin/comments/comment/" in page and "/admin/articles/" not in page


def test_someone_in_both_groups_does_both(client, db):
    user = get_user_model().objects.create_user("both", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    client.force_login(user)
    assert client.get("/admin/articles/article/").status_code == 200
    assert client.get("/admin/comments/comment/").status_code == 200


def test_actions_are_offered_only_to_those_who_may_take_them(client, make_comment, db):
    """Someone who may only view comments gets no action menu, no row buttons, no
    editable fields; the moderate view refuses them."""
    from django.contrib.auth.models import Permission

    comment = make_comment(status="pending")
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    page = client.get("/admin/comments/comment/").content.decode()
    assert 'name="action"' not in page
    assert "/moderate/" not in page
    change = client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert 'name="body"' not in change and "/moderate/" not in change
    response = client.post(f"/admin/comments/comment/{comment.pk}/moderate/approve/")
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"
