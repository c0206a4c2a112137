"""Load the demo newsroom: sections, articles and an editor account. Safe to run again."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import corrections, demo_images, invalidation
from articles.demo import (
    ARTICLE_TAGS,
    ARTICLES,
    AUTHORS,
    CATEGORIES,
    CORRECTIONS,
    EDITOR,
    WRITER_LOGIN,
    WRITERS,
)
from articles.html import html_to_text
from articles.models import Article, Author, Category, Correction, Tag

# The text of a demo article; an edited one is brought up to date on the next run.
CONTENT_FIELDS = ["title", "standfirst", "body", "image_alt", "image_caption"]


class Command(BaseCommand):
    help = "Create the demo newsroom (idempotent). --articles N adds N generated articles."
    # `make run` runs these right after `migrate`, which has just shown the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            default=0,
            help="Also make sure N generated articles exist (for benchmarks).",
        )

    @transaction.atomic
    def handle(self, *args, articles=0, **options):
        self.configure_site()
        categories = self.seed_categories()
        editor = self.seed_editor()
        writers = self.seed_writers(editor)
        self.seed_articles(categories, writers)
        self.seed_authors(writers)
        self.seed_tags()
        self.seed_corrections(editor)
        if articles:
            self.seed_generated(articles, categories, editor)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo newsroom ready: {Category.objects.count()} categories, "
                f"{Article.objects.count()} articles."
            )
        )

    def configure_site(self):
        from django.conf import settings

        domain = settings.SITE_URL.split("://", 1)[-1]
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
        )

    def seed_categories(self):
        by_path = {}
        for path, name, position, description in CATEGORIES:
            parent_path, _, slug = path.rpartition("/")
            category = Category.objects.filter(path=path).first() or Category(slug=slug)
            category.name = name
            category.parent = by_path.get(parent_path)
            category.position = position
            category.description = description
            category.save()
            by_path[path] = category
        return by_path

    def seed_editor(self):
        User = get_user_model()
        editor, created = User.objects.get_or_create(
            username=EDITOR["username"],
            defaults={
                "first_name": EDITOR["first_name"],
                "last_name": EDITOR["last_name"],
                "email": EDITOR["email"],
                "is_staff": True,
            },
        )
        if created:
            # No password in the code: `manage.py demo_login` sets one and prints it.
            editor.set_unusable_password()
            editor.save()
        editor.groups.add(Group.objects.get(name="Editors"))
        return editor

    def seed_writers(self, editor):
        """The reporters whose bylines the demo articles carry; WRITER_LOGIN is a staff
        member of the Writers group (his password comes from `demo_login`), the others have
        no login."""
        User = get_user_model()
        writers = {EDITOR["username"]: editor}
        for username, (first, last) in WRITERS.items():
            writer, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                writer.set_unusable_password()
                writer.save()
            if username == WRITER_LOGIN and not writer.is_staff:
                writer.is_staff = True
                writer.email = writer.email or f"{username}@example.com"
                writer.save()
            if username == WRITER_LOGIN:
                writer.groups.add(Group.objects.get(name="Writers"))
            writers[username] = writer
        return writers

    def seed_articles(self, categories, writers):
        now = timezone.now()
        existing = {
            a.slug: a for a in Article.objects.filter(slug__in=[s["slug"] for s in ARTICLES])
        }
        for spec in ARTICLES:
            article = existing.get(spec["slug"])
            if article is None:
                article = Article(
                    slug=spec["slug"],
                    category=categories[spec["category"]],
                    status=spec.get("status", Article.Status.PUBLISHED),
                    published_at=now + timedelta(hours=spec["hours"]),
                    featured=spec.get("featured"),
                )
            elif all(getattr(article, f) == spec.get(f, "") for f in CONTENT_FIELDS) and (
                bool(article.image) == bool(spec.get("image"))
            ):
                continue  # already up to date: a second run changes nothing
            for field in CONTENT_FIELDS:
                setattr(article, field, spec.get(field, ""))
            if spec.get("image") and not article.image:
                content = ContentFile(demo_images.draw(spec["image"]))
                article.image.save(f"{spec['slug']}.jpg", content, save=False)
            article.save()
            article.authors.set(writers[name] for name in spec["authors"])
            # As if written before publication, and edited `updated` hours after it.
            edited = article.published_at + timedelta(hours=spec.get("updated", 0))
            Article.objects.filter(pk=article.pk).update(updated_at=min(edited, now))

    def seed_authors(self, writers):
        """Profiles of the bylines, with bios and drawn photos (kept if already there)."""
        from articles.people import display_name

        for username, (slug, role, bio) in AUTHORS.items():
            user = writers[username]
            author = Author.objects.filter(user=user).first() or Author(user=user)
            author.name, author.slug, author.role, author.bio = display_name(user), slug, role, bio
            if not author.photo:
                content = ContentFile(demo_images.portrait(slug))
                author.photo.save(f"{slug}.jpg", content, save=False)
            author.save()

    def seed_tags(self):
        """The demo articles' tags (created once; a second run changes nothing)."""
        names = {name for names in ARTICLE_TAGS.values() for name in names}
        tags = {}
        for name in sorted(names):
            tags[name], _ = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
        for article in Article.objects.filter(slug__in=ARTICLE_TAGS):
            wanted = {tags[name].pk for name in ARTICLE_TAGS[article.slug]}
            if set(article.tags.values_list("pk", flat=True)) != wanted:
                article.tags.set(wanted)

    def seed_corrections(self, editor):
        """The demo's corrections and updates, each added once (as an editor would: a
        revision of its article)."""
        now = timezone.now()
        for slug, kind, hours, note in CORRECTIONS:
            article = Article.objects.filter(slug=slug).first()
            if article is None or not article.is_published:
                continue
            if Correction.objects.filter(article=article, kind=kind, note=note).exists():
                continue
            at = min(article.published_at + timedelta(hours=hours), now)
            corrections.save_note(
                Correction(article=article, kind=kind, note=note, published_at=at), editor
            )

    def seed_generated(self, count, categories, editor):
        existing = Article.objects.filter(slug__startswith="generated-").count()
        leaves = [c for c in categories.values() if c.depth > 0] or list(categories.values())
        now = timezone.now()
        new = []
        # bulk_create skips save(), so the search text is filled in here.
        body = "<p>" + "Generated paragraph text for measuring pages. " * 40 + "</p>"
        for i in range(existing, count):
            title = f"Generated report number {i + 1}"
            new.append(
                Article(
                    title=title,
                    slug=slugify(f"generated-{i + 1}"),
                    category=leaves[i % len(leaves)],
                    standfirst="A generated article for load testing.",
                    body=body,
                    body_text=html_to_text(body),
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(minutes=10 * (i + 1)),
                )
            )
        created = Article.objects.bulk_create(new, batch_size=500)
        Article.authors.through.objects.bulk_create(
            [Article.authors.through(article_id=a.pk, user_id=editor.pk) for a in created],
            batch_size=500,
        )
        if created:
            invalidation.article_changed()  # bulk_create sends no signal
