"""Staff groups kept in step with the code: the Editors and Writers groups here, and the
helper the comments app uses for its Moderators group.

Writers write and submit articles for review; they cannot publish or schedule (no
`publish_article`), and choose among existing tags. Editors review, publish and schedule,
manage author profiles and tags, and keep every right they had.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
WRITERS = "Writers"

EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("article", "category", "author", "tag")
    for action in ("add", "change", "delete", "view")
] + ["publish_article"]
# Corrections and updates, and preview links (kept: never deleted, revoked instead).
EDITOR_PERMISSIONS += [f"{action}_correction" for action in ("add", "change", "delete", "view")]
EDITOR_PERMISSIONS += [f"{action}_previewlink" for action in ("add", "change", "view")]

# view_tag: the article form's tag autocomplete answers only users who may view tags.
WRITER_PERMISSIONS = [
    "add_article",
    "change_article",
    "view_article",
    "view_category",
    "view_tag",
]


def group_keeper(name, app_label, codenames):
    """A post_migrate receiver that creates group `name` or resets it to exactly
    `codenames` of `app_label` (idempotent).

    On a fresh database the permissions only exist once `create_permissions` has run for
    the app, so it runs first.
    """

    def ensure_group(sender, apps=global_apps, using="default", **kwargs):
        create_permissions(sender, verbosity=0, interactive=False, using=using, apps=apps)
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        group, _ = Group.objects.using(using).get_or_create(name=name)
        perms = Permission.objects.using(using).filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        group.permissions.set(perms)

    return ensure_group


ensure_editors_group = group_keeper(EDITORS, "articles", EDITOR_PERMISSIONS)
ensure_writers_group = group_keeper(WRITERS, "articles", WRITER_PERMISSIONS)
