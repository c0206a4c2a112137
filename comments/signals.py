"""Cache invalidation only (STYLE.md habit 9): an approved comment saved (an edit) or
deleted, or the moderation policy saved, gives the pages that show them new cache keys (and
the policy's own cached copy is dropped).
Status changes bump the versions in `comments.moderation.change_status`, which writes with
`update()` and so sends no signal."""

from django.db.models.signals import post_delete, post_save

from articles import caching
from comments import policy
from comments.models import Comment, ModerationPolicy


def comment_changed(sender, instance, **kwargs):
    if instance.status == Comment.Status.APPROVED:
        caching.approved_comments_changed(instance.article_id)


def policy_changed(sender, **kwargs):
    policy.forget()
    caching.content_changed()  # thread depth and comment closing show on every article


def connect():
    post_save.connect(comment_changed, sender=Comment, dispatch_uid="cache-comment")
    post_delete.connect(comment_changed, sender=Comment, dispatch_uid="cache-del-comment")
    post_save.connect(policy_changed, sender=ModerationPolicy, dispatch_uid="cache-policy")
