"""The pending comments alone, in the queue's order (a partial index, PostgreSQL and
SQLite): the Pending view's page, its exact count and the articles with comments waiting
read these entries, not a walk of every comment filtered by status (bench/README.md,
"Scale", "The moderators' queue and the article list at 100,000").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("comments", "0019_duplicate_check_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(status="pending"),
                fields=["created_at", "id"],
                name="comment_pending_idx",
            ),
        ),
    ]
