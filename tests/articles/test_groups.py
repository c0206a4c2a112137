from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.groups import EDITOR_PERMISSIONS


def test_editors_group_has_exactly_the_article_permissions(db):
    """The Editors group exists on a fresh database with article/category permissions only."""
    group = Group.objects.get(name="Editors")
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert perms == {("articles", codename) for codename in EDITOR_PERMISSIONS}
    assert len(perms) == 8


def test_editors_group_is_idempotent(db):
    """Running migrate again keeps one group with the same permissions."""
    before = set(Group.objects.get(name="Editors").permissions.all())
    call_command("migrate", verbosity=0)
    assert Group.objects.filter(name="Editors").count() == 1
    assert set(Group.objects.get(name="Editors").permissions.all()) == before
