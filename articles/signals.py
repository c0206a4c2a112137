"""Cache invalidation only (STYLE.md habit 9): a saved or deleted article or category gives
the public pages new cache keys (`articles.caching`). Nothing else happens here."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from articles import caching
from articles.models import Article, Category


def content_changed(sender, **kwargs):
    caching.content_changed()


def connect():
    for model in (Article, Category):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-{model.__name__}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"cache-del-{model.__name__}"
        )
    m2m_changed.connect(
        content_changed, sender=Article.authors.through, dispatch_uid="cache-article-authors"
    )
