"""`article_cat_idx` (category, status, published_at) carries `unpublish_at` too (INCLUDE,
PostgreSQL; SQLite builds it without): a category page's count of its visible articles is
then an index-only scan, not a scan of the whole table (36 ms for a section of 33,000 of
100,000 articles, bench/README.md "Scale").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_revision_authors_tags")]

    operations = [
        migrations.RemoveIndex(model_name="article", name="article_cat_idx"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["category", "status", "published_at"],
                include=("unpublish_at",),
                name="article_cat_idx",
            ),
        ),
    ]
