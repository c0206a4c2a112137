from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles import invalidation
        from articles.groups import ensure_editors_group, ensure_writers_group

        invalidation.connect()

        post_migrate.connect(ensure_editors_group, sender=self)
        post_migrate.connect(ensure_writers_group, sender=self)
