"""Today's bylines become author profiles: one per user who signs an article, named as the
byline named them (full name, else username), with a unique slug from that name."""

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify

# Kept here as they were when this migration was written (migrations do not import code
# that may change): articles.models.RESERVED_SLUGS.
RESERVED = frozenset(
    {
        "admin", "search", "feed", "feeds", "rss", "atom", "static", "media", "privacy",
        "sitemap.xml", "robots.txt", "comments", "accounts", "api", "preview", "page",
        "tag", "tags", "author", "authors", "login", "logout", "favicon.ico",
    }
)  # fmt: skip


def bylines_to_profiles(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Author = apps.get_model("articles", "Author")
    Category = apps.get_model("articles", "Category")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    signing = Article.authors.through.objects.values("user_id")
    taken = set(Author.objects.values_list("slug", flat=True))
    taken |= RESERVED | set(Category.objects.filter(depth=0).values_list("path", flat=True))
    for user in User.objects.filter(pk__in=signing, author_profile__isnull=True).order_by("pk"):
        full = f"{user.first_name} {user.last_name}".strip()
        name = full or user.username
        base = (slugify(name) or slugify(user.username) or "author")[:90]
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        Author.objects.create(user=user, name=name[:100], slug=slug)


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_authors_tags")]

    operations = [migrations.RunPython(bylines_to_profiles, migrations.RunPython.noop)]
