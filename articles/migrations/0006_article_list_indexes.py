"""Indexes for lists that stay fast with a large archive.

`article_latest_idx` (published_at, id): the admin's list, newest first, every status.
`article_updated_idx` (updated_at): the sitemap index's latest edit.
`article_featured_idx` (featured first, then the newest: FEATURED_ORDER), PostgreSQL only
(SQLite's indexes take no NULLS LAST): the front page's lead, a category's first page and
the featured candidates of the front page's sections, read in index order.
"""

from django.db import migrations, models

FEATURED = "article_featured_idx"


def create_featured(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {FEATURED} ON articles_article"
            " (featured ASC NULLS LAST, published_at DESC, id DESC)"
        )


def drop_featured(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {FEATURED}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_article_search_document")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["published_at", "id"], name="article_latest_idx"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["updated_at"], name="article_updated_idx"),
        ),
        migrations.RunPython(create_featured, drop_featured),
    ]
