from django.db import migrations, models

from comments import text


def fill_body_html(apps, schema_editor):
    """Render the stored HTML of every existing comment, 500 at a time."""
    Comment = apps.get_model("comments", "Comment")
    batch = []
    for comment in Comment.objects.only("pk", "body").order_by("pk").iterator(chunk_size=500):
        comment.body_html = text.render(comment.body)
        batch.append(comment)
        if len(batch) == 500:
            Comment.objects.bulk_update(batch, ["body_html"])
            batch = []
    Comment.objects.bulk_update(batch, ["body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_privacy_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(blank=True, editable=False, verbose_name="comment as HTML"),
        ),
        migrations.RunPython(fill_body_html, migrations.RunPython.noop, elidable=True),
    ]
