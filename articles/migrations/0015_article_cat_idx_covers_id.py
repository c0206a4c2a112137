"""`article_cat_idx` carries the id too (INCLUDE, PostgreSQL; SQLite builds it without): the
front page's newest articles of each category (`NEWEST_PER_CATEGORY`) are then read from
the index alone. With rows to visit, the planner chose `article_visible_idx` filtered by
category instead, which for a category of a few articles reads the whole archive: the
uncached front page's query took 450 ms at 100,000 articles, 0.2 ms from this index
(bench/README.md, "Scale").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_category_tree_order_segments")]

    operations = [
        migrations.RemoveIndex(model_name="article", name="article_cat_idx"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["category", "status", "published_at"],
                include=("unpublish_at", "id"),
                name="article_cat_idx",
            ),
        ),
    ]
