from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from articles import invalidation, pagecache
        from comments import (
            checks,  # noqa: F401 (registers the system checks)
            personal,
            policy,
            section,
        )
        from comments.groups import ensure_moderators_group
        from comments.models import Comment, ModerationPolicy

        # What comment writes and the policy invalidate, in the articles app's map.
        invalidation.register_comments(
            Comment,
            shown=lambda comment: comment.status == Comment.Status.APPROVED,
            policy_model=ModerationPolicy,
            drop_cached_policy=policy.drop_cached,
            close_after_days=policy.close_after_days,
        )

        # Readers with cookies: the shared page with their own form.
        pagecache.register_personal(
            personal.needs_own_page,
            personal.split,
            personal.form_part,
            personal.SESSIONLESS_COOKIES,
        )
        # An approval: only the comments section of the article page rendered again.
        pagecache.register_section(section.refresh)
        post_migrate.connect(ensure_moderators_group, sender=self)

        # The article's admin page shows its surge history (articles never imports comments).
        from articles.admin import register_panel
        from comments.admin.surges import article_panel

        register_panel(article_panel)
