from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from comments import (
            checks,  # noqa: F401 (registers the system checks)
            signals,
        )
        from comments.groups import ensure_moderators_group

        signals.connect()

        post_migrate.connect(ensure_moderators_group, sender=self)
