"""`corrections` is a fixed page's address now (/corrections/, a reserved slug): a category
with that slug is renamed (`corrections-2`, or the next free number among its siblings),
its subtree's paths follow, and its old addresses answer with 301s, as a move in the admin
leaves them (`articles.models.remember_redirect`). The rename is kept as a revision."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

RESERVED = "corrections"
REASON = "Renamed: “corrections” is the address of the corrections page"


def _redirect(Redirect, site, old_path, new_path):
    Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)
    Redirect.objects.filter(site=site, old_path=new_path).delete()
    Redirect.objects.update_or_create(site=site, old_path=old_path, defaults={"new_path": new_path})


def rename(apps, schema_editor):
    Category = apps.get_model("articles", "Category")
    HistoricalCategory = apps.get_model("articles", "HistoricalCategory")
    Site = apps.get_model("sites", "Site")
    Redirect = apps.get_model("redirects", "Redirect")
    site = Site.objects.filter(pk=settings.SITE_ID).first()
    ids = Category.objects.filter(slug__iexact=RESERVED).order_by("depth").values_list("pk")
    for (pk,) in list(ids):
        category = Category.objects.get(pk=pk)  # its path may have moved with a parent
        siblings = Category.objects.filter(parent_id=category.parent_id).exclude(pk=pk)
        number = 2
        while siblings.filter(slug=f"{RESERVED}-{number}").exists():
            number += 1
        new_slug = f"{RESERVED}-{number}"
        old_path = category.path
        new_path = old_path[: len(old_path) - len(category.slug)] + new_slug
        moved = [(old_path, new_path)]
        for child in Category.objects.filter(path__startswith=f"{old_path}/"):
            child_path = new_path + child.path[len(old_path) :]
            moved.append((child.path, child_path))
            child.path = child_path
            child.save(update_fields=["path"])
        category.slug, category.path = new_slug, new_path
        category.save(update_fields=["slug", "path"])
        HistoricalCategory.objects.create(
            id=category.pk,
            name=category.name,
            slug=category.slug,
            parent_id=category.parent_id,
            position=category.position,
            description=category.description,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
        )
        if site is not None:
            for old, new in moved:
                _redirect(Redirect, site, f"/{old}/", f"/{new}/")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_corrections_previews"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
