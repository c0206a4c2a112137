from django.db import migrations, models

import comments.models


class Migration(migrations.Migration):
    """Each comment gets its own preview secret. Existing rows get "" (which never matches a
    cookie: their ten-minute previews simply end) rather than one shared value, which a
    callable default would give every existing row."""

    dependencies = [("comments", "0006_flood_email_any_case")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="preview_secret",
            field=models.CharField(
                default="",
                editable=False,
                max_length=32,
                verbose_name="preview secret",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="comment",
            name="preview_secret",
            field=models.CharField(
                default=comments.models.new_preview_secret,
                editable=False,
                max_length=32,
                verbose_name="preview secret",
            ),
        ),
    ]
