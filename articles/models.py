import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connections, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber, StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

from articles import images, invalidation, links, search
from articles.html import (
    ARTICLE_BODY_EXTENSIONS,
    BIO_EXTENSIONS,
    CORRECTION_EXTENSIONS,
    html_to_text,
    sanitize_article_html,
    sanitize_bio_html,
    sanitize_correction_html,
)
from articles.xmltext import has_xml_forbidden, xml_safe

# Path segments taken by fixed routes (and by article sub-pages): never a category
# or article slug, or the route would shadow the page.
RESERVED_SLUGS = frozenset(
    {
        "admin", "search", "feed", "feeds", "rss", "atom", "static", "media", "privacy",
        "sitemap.xml", "robots.txt", "comments", "accounts", "api", "preview", "page",
        "tag", "tags", "author", "authors", "login", "logout", "favicon.ico", "notifications",
        "corrections",
        "transparency",
    }
)  # fmt: skip


# An article edited this long after it went out shows an "Updated" time.
UPDATE_WORTH_SHOWING = timedelta(minutes=30)


def validate_not_reserved(slug):
    if slug.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by a fixed page of the site; choose another slug."),
            code="reserved",
            params={"slug": slug},
        )


class XmlSafeText:
    """Text fields hold no character XML 1.0 forbids (articles.xmltext).

    A word processor pastes them (U+000B for Shift+Enter), and one of them in a title made
    the feeds unserialisable. They are dropped from every CharField and TextField in
    `clean()` (so the admin saves the cleaned text instead of showing an error) and again in
    `save()`, for the code paths that skip validation.
    """

    def drop_xml_forbidden(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                if isinstance(value, str) and has_xml_forbidden(value):
                    setattr(self, field.attname, xml_safe(value))


class RevisionState(models.Model):
    """What an article's revision (a row of its history, django-simple-history) is.

    Every save of an article records a SAVED revision: the article as it was stored. A
    revision that is not (yet) the article's text is a proposal: a writer's edit of a
    published article waits IN_REVIEW (the live text stays), an editor may SCHEDULE it for a
    time, and once it is the article's text it is APPLIED (its save recorded a SAVED
    revision of its own). A scheduled revision whose article is gone is DROPPED.
    """

    class State(models.TextChoices):
        SAVED = "saved", _("saved")
        IN_REVIEW = "review", _("in review")
        SCHEDULED = "scheduled", _("scheduled")
        APPLIED = "applied", _("applied")
        DROPPED = "dropped", _("dropped")

    revision_state = models.CharField(
        _("revision"), max_length=10, choices=State.choices, default=State.SAVED
    )
    apply_at = models.DateTimeField(_("goes live at"), null=True, blank=True)
    # The article's authors (user ids) and tags (tag ids) in this revision, ascending (the
    # model keeps no byline order), written in the same insert as the row
    # (articles.revisions.m2m_ids). None: a revision made before they were kept.
    author_ids = models.JSONField(_("authors"), null=True, blank=True, editable=False)
    tag_ids = models.JSONField(_("tags"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class CategoryQuerySet(models.QuerySet):
    def trail(self, path):
        """The categories from the root down to `path`, in one query, whatever the depth."""
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return self.filter(path__in=prefixes).order_by("depth")

    def roots(self):
        return self.filter(parent__isnull=True)


MAX_POSITION = 99_999  # five digits in `tree_order`


def tree_order_segment(position, slug):
    """One level of `Category.tree_order`: the position, then a fixed-width mark of the
    slug. Siblings with the same position thus differ, and each sorts with its own subtree
    right after it (with the position alone their children sorted after all of them and
    the masthead lost some). Digits and a–f only, no separator: their order is the same
    under every collation, and a parent's `tree_order` is a prefix of its children's."""
    mark = hashlib.blake2s(slug.encode(), digest_size=4).hexdigest()
    return f"{min(position, MAX_POSITION):05d}{mark}"


class Category(XmlSafeText, models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, validators=[validate_not_reserved])
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        validators=[MaxValueValidator(MAX_POSITION)],
        help_text=_("Order among its siblings; lower comes first."),
    )
    description = models.TextField(_("description"), blank=True)
    # Derived from the parent chain on save; they drive URLs, breadcrumbs and tree order.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    tree_order = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = CategoryQuerySet.as_manager()
    # Every save keeps a revision (who, when, the fields); the admin lists, compares and
    # restores them (articles.revisions).
    history = HistoricalRecords(excluded_fields=["path", "depth", "tree_order"])

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["tree_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"], name="unique_category_slug_per_parent"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(parent__isnull=True),
                name="unique_root_category_slug",
            ),
        ]

    def __str__(self):
        return self.path or self.name

    def get_absolute_url(self):
        return links.page_url(self.path)

    def trail(self):
        """Ancestors and self, root first. Runs a query each time it is called: call it
        once per page (or per Akismet check) and pass the list on."""
        return list(Category.objects.trail(self.path))

    def _computed(self):
        if self.parent_id:
            parent = self.parent
            return (
                f"{parent.path}/{self.slug}",
                parent.depth + 1,
                parent.tree_order + tree_order_segment(self.position, self.slug),
            )
        return self.slug, 0, tree_order_segment(self.position, self.slug)

    def _check_not_own_ancestor(self):
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A category cannot be placed inside itself or its own subtree.")}
                )
            ancestor = ancestor.parent

    def clean(self):
        self.drop_xml_forbidden()
        super().clean()
        self._check_not_own_ancestor()
        path = self._computed()[0]
        if Category.objects.filter(path=path).exclude(pk=self.pk).exists():
            raise ValidationError({"slug": _("There is already a category at /%s/.") % path})

    def save(self, *args, **kwargs):
        self.drop_xml_forbidden()
        # Cycles are refused even when save() is called without full_clean().
        self._check_not_own_ancestor()
        old = None
        if self.pk:
            old = Category.objects.filter(pk=self.pk).values("path", "tree_order").first()
        self.path, self.depth, self.tree_order = self._computed()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old and (old["path"] != self.path or old["tree_order"] != self.tree_order):
                self._move_subtree(old["path"], old["tree_order"])

    def _move_subtree(self, old_path, old_order):
        """Rewrite the stored paths below this category and leave 301s at the old URLs."""
        descendants = Category.objects.filter(path__startswith=f"{old_path}/")
        moved = []
        for child in descendants:
            child.path = self.path + child.path[len(old_path) :]
            child.depth = child.path.count("/")
            child.tree_order = self.tree_order + child.tree_order[len(old_order) :]
            moved.append(child)
        Category.objects.bulk_update(moved, ["path", "depth", "tree_order"])
        if old_path != self.path:
            pairs = [(old_path, self.path)] + [
                (f"{old_path}{c.path[len(self.path) :]}", c.path) for c in moved
            ]
            for old, new in pairs:
                remember_redirect(f"/{old}/", f"/{new}/")


# Featured positions 1, 2, … first, then the newest.
FEATURED_ORDER = [
    models.F("featured").asc(nulls_last=True),
    models.F("published_at").desc(),
    models.F("pk").desc(),
]


# leading_per_section's candidates: the newest published articles of each category, and
# the featured ones (both read from indexes).
NEWEST_PER_CATEGORY = """
    SELECT newest.id FROM articles_category AS c CROSS JOIN LATERAL (
        SELECT a.id FROM articles_article AS a
        WHERE a.category_id = c.id AND a.status = %s AND a.published_at <= %s
          AND (a.unpublish_at IS NULL OR a.unpublish_at > %s)
        ORDER BY a.published_at DESC LIMIT %s
    ) AS newest
    UNION ALL
    SELECT a.id FROM articles_article AS a WHERE a.featured IS NOT NULL
"""


def featured_key(article):
    """FEATURED_ORDER in Python: the smallest key comes first."""
    featured = article.featured
    return (featured is None, featured or 0, -article.published_at.timestamp(), -article.pk)


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles the public may see: published, their publish time has come and their
        unpublish time (if any) has not (at `now`, by default the present)."""
        now = timezone.now() if now is None else now
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now).filter(
            models.Q(unpublish_at__isnull=True) | models.Q(unpublish_at__gt=now)
        )

    def in_category(self, category):
        """Articles of `category` and of every category below it (the categories first, so
        the articles are read per category from the (category, status, published_at) index)."""
        subtree = Category.objects.filter(
            models.Q(pk=category.pk) | models.Q(path__startswith=f"{category.path}/")
        )
        return self.filter(category__in=subtree.values("pk"))

    def for_listing(self):
        return self.select_related("category").prefetch_related(authors_prefetch())

    def latest_first(self):
        return self.order_by("-published_at", "-pk")

    def featured_first(self):
        return self.order_by(*FEATURED_ORDER)

    def leading_per_section(self, per_section):
        """Up to `per_section` articles of each top-level section, featured first, then
        latest, in one query (a window function), however many sections there are.

        Each article carries `section`: the path of its top-level category. The window
        ranks ids only (a subquery): ranking whole rows, text and all, cost ~3× as much.

        On PostgreSQL the window runs over candidates only, not the whole archive: every
        featured article and the newest published ones of each category (a section's
        newest are among its categories' newest), read from the (category, status,
        published_at) index. Twice `per_section` of each category are taken, so this
        queryset may leave out up to `per_section` of them (the front page leaves out its
        lead) and still find every section's newest.
        """
        queryset = self
        if connections[self.db].vendor == "postgresql":
            now = timezone.now()
            newest = RawSQL(
                NEWEST_PER_CATEGORY,
                [Article.Status.PUBLISHED, now, now, 2 * per_section],
                output_field=models.BigIntegerField(),
            )
            queryset = self.filter(pk__in=newest)
        path = models.F("category__path")
        section = models.Case(
            models.When(category__depth=0, then=path),
            default=Substr(path, 1, StrIndex(path, models.Value("/")) - 1),
            output_field=models.CharField(),
        )
        leading = (
            self.model.objects.filter(pk__in=queryset.values("pk"))
            .annotate(
                place=models.Window(RowNumber(), partition_by=[section], order_by=FEATURED_ORDER)
            )
            .filter(place__lte=per_section)
            .values("pk")
        )
        return (
            self.filter(pk__in=leading)
            .annotate(section=section)
            .order_by("section", *FEATURED_ORDER)
        )

    def first_featured(self):
        """The first article of `featured_first()`, sorting ids only (not whole rows)."""
        return self.filter(pk__in=self.featured_first().values("pk")[:1]).first()

    def search(self, query):
        """Articles matching the words of `query` in title, standfirst or body text: ranked
        full-text search on PostgreSQL, every word as a substring elsewhere (SQLite)."""
        return search.search(self, query)

    def search_results(self, query):
        """The search page's results for `query` (`articles.search.Results`): a page of
        articles as teasers show them, with the number of results, in one query."""
        return search.Results(self, query, prefetch=[byline_prefetch()])


class Article(XmlSafeText, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        validators=[validate_not_reserved],
        help_text=_("The last part of the article's address; changing it leaves a redirect."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("authors"), blank=True, related_name="articles"
    )
    tags = models.ManyToManyField(
        "Tag", verbose_name=_("tags"), blank=True, related_name="articles"
    )
    standfirst = models.TextField(
        _("standfirst"),
        blank=True,
        help_text=_("The one- or two-sentence summary under the title."),
    )
    body = ProseEditorField(
        _("body"), blank=True, extensions=ARTICLE_BODY_EXTENSIONS, sanitize=True
    )
    image = models.ImageField(_("featured image"), upload_to="articles/%Y/%m/", blank=True)
    image_alt = models.CharField(
        _("image alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    # {"source": <image name>, "items": [{"name", "width", "height"}, …]}, narrowest first;
    # made from the upload on save (articles.images), so pages need no file access.
    renditions = models.JSONField(_("image renditions"), default=dict, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_("In the future, the article is scheduled and stays hidden until then."),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish time"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the article leaves the site at this time (an embargo's end, a "
            "time-limited piece). Must be after the publish time."
        ),
    )
    # The editor's note when changes were requested, shown to the writer until the next
    # submission (articles.workflow).
    review_note = models.TextField(_("requested changes"), blank=True, default="")
    # The body's words without HTML, kept in step on save: what search looks through.
    body_text = models.TextField(_("body text"), blank=True, default="", editable=False)
    # Title, standfirst and body text as a weighted tsvector, written by a PostgreSQL trigger
    # on every insert and every update of the three (articles.search; migration 0005);
    # unused (always empty) on SQLite.
    search_document = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    comments_open = models.BooleanField(_("comments open"), default=True)
    meta_description = models.CharField(
        _("meta description"),
        max_length=300,
        blank=True,
        help_text=_("For search engines and link previews; the standfirst when empty."),
    )
    featured = models.PositiveSmallIntegerField(
        _("featured position"),
        null=True,
        blank=True,
        help_text=_("1 makes it the lead story of the front page and its sections; 2, 3… follow."),
    )

    objects = ArticleQuerySet.as_manager()
    # Every save keeps a revision; proposals (a writer's edit of a published article, a
    # scheduled change) are revisions too, with a state (RevisionState, articles.revisions).
    history = HistoricalRecords(
        excluded_fields=["search_document", "body_text", "renditions"],
        bases=[RevisionState],
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", _("Can publish, schedule and review articles")),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_visible_idx"),
            # A category's articles, and their number (its pages): unpublish_at is carried in
            # the index so PostgreSQL counts them from the index alone (an index-only scan),
            # not from every row of the table (SQLite ignores `include`); and the id, so the
            # front page's newest of each category (NEWEST_PER_CATEGORY) are read from it
            # alone too: with the rows to visit, the planner preferred article_visible_idx
            # filtered by category, which for a category of few articles reads the whole
            # archive (450 ms at 100,000 articles).
            models.Index(
                fields=["category", "status", "published_at"],
                name="article_cat_idx",
                include=["unpublish_at", "id"],
            ),
            # The admin's list (every status, newest first): a page, not a sort of them all.
            models.Index(fields=["published_at", "id"], name="article_latest_idx"),
            # The sitemap index's latest edit: one entry read, not every article.
            models.Index(fields=["updated_at"], name="article_updated_idx"),
            # The schedule's next and latest unpublish times (articles.caching).
            models.Index(fields=["status", "unpublish_at"], name="article_unpublish_idx"),
            # article_featured_idx (featured first, then the newest: FEATURED_ORDER) exists
            # on PostgreSQL only (migration 0006): SQLite's indexes take no NULLS LAST.
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return links.page_url(f"{self.category.path}/{self.slug}")

    @property
    def is_published(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def was_updated(self):
        """Changed noticeably after it went out (worth an "Updated" line)."""
        return self.updated_at - self.published_at > UPDATE_WORTH_SHOWING

    @property
    def description(self):
        return self.meta_description or self.standfirst

    @property
    def image_renditions(self):
        """The renditions of the current image (none while they are still to be made)."""
        if self.image and self.renditions.get("source") == self.image.name:
            return self.renditions["items"]
        return []

    @property
    def share_image_url(self):
        """The image for link previews and structured data: the largest rendition."""
        if items := self.image_renditions:
            return images.default_storage.url(items[-1]["name"])
        return self.image.url if self.image else ""

    def clean(self):
        self.drop_xml_forbidden()
        super().clean()
        if self.image and not self.image_alt.strip():
            raise ValidationError(
                {"image_alt": _("Describe the image for readers who cannot see it.")}
            )
        if self.unpublish_at and self.published_at and self.unpublish_at <= self.published_at:
            raise ValidationError(
                {
                    "unpublish_at": _(
                        "The unpublish time must be after the publish time (%(published)s)."
                    )
                    % {
                        "published": timezone.localtime(self.published_at).strftime(
                            "%Y-%m-%d %H:%M"
                        )
                    }
                }
            )

    def save(self, *args, **kwargs):
        # The admin's editor sanitises in full_clean(); code paths that skip the form
        # (imports, the shell, seed data) must not store unsafe HTML either.
        self.drop_xml_forbidden()
        self.body = sanitize_article_html(self.body or "")
        self.body_text = html_to_text(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_text"}
        old_url = None
        if self.pk:
            old = Article.objects.filter(pk=self.pk).select_related("category").first()
            if old:
                old_url = old.get_absolute_url()
        with transaction.atomic():
            super().save(*args, **kwargs)
            new_url = self.get_absolute_url()
            if old_url and old_url != new_url:
                remember_redirect(old_url, new_url)
        self._refresh_renditions()

    def _refresh_renditions(self):
        """Make renditions for a new image (the upload is in storage only after save)."""
        source = self.image.name if self.image else None
        if self.renditions.get("source") == source:
            return
        images.delete_renditions(self.renditions.get("items", []))
        self.renditions = {}
        if source:
            self.renditions = {"source": source, "items": images.make_renditions(self.image)}
        Article.objects.filter(pk=self.pk).update(renditions=self.renditions)
        invalidation.article_changed()  # update() sends no signal


def remember_redirect(old_path, new_path):
    """Answer `old_path` with a 301 to `new_path`, and re-point older redirects to it."""
    site = Site.objects.get_current()
    Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)
    Redirect.objects.filter(site=site, old_path=new_path).delete()
    Redirect.objects.update_or_create(site=site, old_path=old_path, defaults={"new_path": new_path})


# --- Authors and tags (articles.authors, articles.tags) --------------------------------


def authors_prefetch():
    """An article's authors with their profiles (bylines, feeds, JSON-LD): one query."""
    from django.contrib.auth import get_user_model

    return models.Prefetch(
        "authors", queryset=get_user_model().objects.select_related("author_profile")
    )


def byline_prefetch():
    """An article's authors as a byline shows them, as the list `byline_authors` (read by
    `byline_authors()`): each user's names and their profile's name and slug only, not the
    whole rows (one query). A list, not the manager's cache: Django builds a filtered
    queryset per article for that (~50 µs each, a page of twenty results 1 ms)."""
    from django.contrib.auth import get_user_model

    return models.Prefetch(
        "authors",
        to_attr="byline_authors",
        queryset=get_user_model()
        .objects.select_related("author_profile")
        .only(
            "username",
            "first_name",
            "last_name",
            "author_profile__user",
            "author_profile__name",
            "author_profile__slug",
        ),
    )


def byline_authors(article):
    """An article's authors for its byline: `byline_prefetch()`'s list if it was loaded,
    otherwise the authors (prefetched with `authors_prefetch()`, or a query)."""
    authors = article.__dict__.get("byline_authors")
    return article.authors.all() if authors is None else authors


def validate_not_a_section(slug):
    """An author's or a tag's slug that is a section's address would read as that section."""
    if slug and Category.objects.filter(path__iexact=slug).exists():
        raise ValidationError(
            _("“%(slug)s” is the address of a section (/%(slug)s/); choose another slug."),
            code="section",
            params={"slug": slug},
        )


class AuthorQuerySet(models.QuerySet):
    def public(self):
        """Authors with at least one published article: the others have no page."""
        return self.filter(
            models.Exists(Article.objects.published().filter(authors=models.OuterRef("user")))
        )


class Author(XmlSafeText, models.Model):
    """A writer's public profile: the byline's name, a page at /author/<slug>/."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The account whose articles this profile signs."),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        validators=[validate_not_reserved, validate_not_a_section],
        help_text=_("The author page's address: /author/this-slug/."),
    )
    role = models.CharField(_("role"), max_length=100, blank=True)
    bio = ProseEditorField(_("short bio"), blank=True, extensions=BIO_EXTENSIONS, sanitize=True)
    photo = models.ImageField(_("photo"), upload_to="authors/%Y/", blank=True)
    # Like Article.renditions: made from the photo on save (articles.images).
    renditions = models.JSONField(_("photo renditions"), default=dict, blank=True, editable=False)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.author_url(self.slug)

    @property
    def photo_renditions(self):
        if self.photo and self.renditions.get("source") == self.photo.name:
            return self.renditions["items"]
        return []

    def clean(self):
        self.drop_xml_forbidden()
        super().clean()

    def save(self, *args, **kwargs):
        self.drop_xml_forbidden()
        self.bio = sanitize_bio_html(self.bio or "")
        super().save(*args, **kwargs)
        source = self.photo.name if self.photo else None
        if self.renditions.get("source") != source:
            images.delete_renditions(self.renditions.get("items", []))
            self.renditions = {}
            if source:
                self.renditions = {
                    "source": source,
                    "items": images.make_renditions(self.photo, widths=PHOTO_WIDTHS),
                }
            Author.objects.filter(pk=self.pk).update(renditions=self.renditions)
            invalidation.author_changed()  # update() sends no signal


# An author's photo is shown small (a 10rem square at most): two widths cover 1× and 2×.
PHOTO_WIDTHS = (160, 320)


class TagQuerySet(models.QuerySet):
    def public(self):
        """Tags on at least one published article: the others have no page."""
        return self.filter(
            models.Exists(Article.objects.published().filter(tags=models.OuterRef("pk")))
        )


class Tag(XmlSafeText, models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[validate_not_reserved, validate_not_a_section],
        help_text=_("The tag page's address: /tag/this-slug/."),
    )

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("articles:tag", kwargs={"slug": self.slug})

    def clean(self):
        self.drop_xml_forbidden()
        super().clean()

    def save(self, *args, **kwargs):
        self.drop_xml_forbidden()
        super().save(*args, **kwargs)


# -- Corrections and updates (articles.corrections) ------------------------------------


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Notes of published articles, newest first: what /corrections/ lists."""
        return (
            self.filter(article__in=Article.objects.published().values("pk"))
            .select_related("article__category")
            .order_by("-published_at", "-pk")
        )


class Correction(XmlSafeText, models.Model):
    """A dated note appended to a published article: a correction of a fact, or an update
    (new information). Written through `articles.corrections.save_note`, which also saves a
    revision of the article with a reason (so its time modified moves)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = ProseEditorField(
        _("note"),
        extensions=CORRECTION_EXTENSIONS,
        sanitize=True,
        help_text=_("What was wrong and what is right now, or what is new. Shown to readers."),
    )
    # The note's words without HTML: the feeds' text.
    note_text = models.TextField(_("note text"), blank=True, default="", editable=False)
    published_at = models.DateTimeField(_("date"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")
        ordering = ["article", "published_at", "pk"]
        indexes = [models.Index(fields=["published_at", "id"], name="correction_latest_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article_id and self.article.title}"

    def clean(self):
        self.drop_xml_forbidden()
        super().clean()
        self.note = sanitize_correction_html(self.note or "")
        if not html_to_text(self.note):
            raise ValidationError({"note": _("Write the note readers will see.")})
        if self.article_id and not self.article.is_published:
            raise ValidationError(
                {
                    "article": _(
                        "Corrections and updates go on published articles; this one is not "
                        "public. Edit its text instead."
                    )
                }
            )

    def save(self, *args, **kwargs):
        self.drop_xml_forbidden()
        self.note = sanitize_correction_html(self.note or "")
        self.note_text = html_to_text(self.note)
        super().save(*args, **kwargs)


# -- Preview links (articles.preview) ----------------------------------------------------


class PreviewLink(models.Model):
    """A signed link that shows a draft, a scheduled article or a revision waiting to go
    live (in review or scheduled) to someone without an account, until `expires_at` or
    until revoked. The URL carries `token` signed (articles.preview)."""

    token = models.UUIDField(_("token id"), unique=True, editable=False)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    # A revision (history_id of Article.history) instead of the article's stored text.
    revision_id = models.PositiveBigIntegerField(_("revision"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Preview of “%(title)s”") % {"title": self.article.title}

    @property
    def is_live(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
