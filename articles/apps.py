from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from articles import invalidation, revisions
        from articles.groups import ensure_editors_group, ensure_writers_group
        from articles.models import Article

        invalidation.connect()
        # An article's revision keeps its authors and tags, in the row's own insert.
        pre_create_historical_record.connect(
            revisions.record_m2m, sender=Article.history.model, dispatch_uid="revision-m2m"
        )

        post_migrate.connect(ensure_editors_group, sender=self)
        post_migrate.connect(ensure_writers_group, sender=self)
