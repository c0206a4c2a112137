"""The Editors group: exactly the permissions needed to run articles and categories."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("article", "category")
    for action in ("add", "change", "delete", "view")
]


def ensure_editors_group(sender, apps=global_apps, using="default", **kwargs):
    """Create or update the Editors group after `migrate` (idempotent).

    Runs on post_migrate: on a fresh database the permissions only exist once
    `create_permissions` has run for this app, so call it first.
    """
    create_permissions(sender, verbosity=0, interactive=False, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name="Editors")
    perms = Permission.objects.using(using).filter(
        content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
    )
    group.permissions.set(perms)
