from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from articles import caching
        from comments import (
            checks,  # noqa: F401 (registers the system checks)
            policy,
            signals,
        )
        from comments.groups import ensure_moderators_group

        signals.connect()
        # The pages' cache schedule expires entries when comments close (articles app).
        caching.set_close_after_days_reader(policy.close_after_days)

        post_migrate.connect(ensure_moderators_group, sender=self)
