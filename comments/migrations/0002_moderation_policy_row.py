from django.db import migrations


def create_policy(apps, schema_editor):
    # The site's one policy row, with WordPress's defaults, so the first reader of an
    # article does not have to create it.
    apps.get_model("comments", "ModerationPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
