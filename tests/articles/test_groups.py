from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.groups import EDITOR_PERMISSIONS


def test_editors_group_has_exactly_the_article_permissions(db):
    """The Editors group exists on a fresh database with the articles app's permissions
    only: articles and categories, author profiles and tags, corrections (no deleting
    preview links: they are revoked and kept)."""
    group = Group.objects.get(name="Editors")
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert perms == {("articles", codename) for codename in EDITOR_PERMISSIONS}
    assert len(perms) == 24
    assert ("articles", "publish_article") in perms
    assert ("articles", "add_correction") in perms and ("articles", "add_previewlink") in perms
    assert ("articles", "delete_previewlink") not in perms


def test_writers_group_writes_but_cannot_publish(db):
    """Writers add, change and view articles (and see categories); publishing, scheduling
    and deleting are the editors'."""
    from articles.groups import WRITER_PERMISSIONS

    group = Group.objects.get(name="Writers")
    perms = set(group.permissions.values_list("codename", flat=True))
    assert perms == set(WRITER_PERMISSIONS)
    assert "publish_article" not in perms
    assert "delete_article" not in perms


def test_editors_group_is_idempotent(db):
    """Running migrate again keeps one group with the same permissions."""
    before = set(Group.objects.get(name="Editors").permissions.all())
    call_command("migrate", verbosity=0)
    assert Group.objects.filter(name="Editors").count() == 1
    assert set(Group.objects.get(name="Editors").permissions.all()) == before
