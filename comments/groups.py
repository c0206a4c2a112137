"""The Moderators group: exactly the permissions needed to work the comment queue and
edit the moderation policy (nothing about articles or users)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

MODERATORS = "Moderators"
MODERATOR_PERMISSIONS = [
    "view_comment",
    "change_comment",
    "delete_comment",
    "moderate_comment",
    "view_moderationpolicy",
    "change_moderationpolicy",
]


def ensure_moderators_group(sender, apps=global_apps, using="default", **kwargs):
    """Create or update the Moderators group after `migrate` (idempotent).

    Runs on post_migrate: on a fresh database the permissions only exist once
    `create_permissions` has run for this app, so call it first.
    """
    create_permissions(sender, verbosity=0, interactive=False, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=MODERATORS)
    perms = Permission.objects.using(using).filter(
        content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS
    )
    group.permissions.set(perms)
