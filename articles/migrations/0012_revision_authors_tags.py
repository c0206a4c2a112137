"""An article's revisions keep its authors and tags (the ordered ids). Revisions made before
have none (NULL): "not recorded", not an empty byline."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_rename_corrections_category'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalarticle',
            name='author_ids',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='authors'),
        ),
        migrations.AddField(
            model_name='historicalarticle',
            name='tag_ids',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='tags'),
        ),
    ]
