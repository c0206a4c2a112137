"""Indexes that keep a comment POST's questions about its article's comments bounded on a
busy article: the duplicate check reads one author's comments (`comment_dup_name_idx`:
the article and the name; by address, the flood index), the surge numbers the article's
last minutes (`comment_article_recent_idx`, with the status so SQLite counts from the
index alone). Before, both read every comment of the article (bench/README.md, "A busy
article's POST").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("comments", "0018_surges")]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["article", "author_name"], name="comment_dup_name_idx"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                fields=["article", "created_at", "status"], name="comment_article_recent_idx"
            ),
        ),
    ]
