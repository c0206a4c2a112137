"""The uncached article, category and front pages' queries, each written by the ORM once per
process and run with new values (`articles.prepared`): the categories a page needs (the
masthead's, the path's own and its trail, in one query), the article with its category,
its authors and tags, and "more from" its section."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.utils import timezone

from articles.models import Article, Category, Correction, Tag, authors_prefetch
from articles.prepared import Prepared

# A path of more segments than this holds no category and no article: queried as before.
MAX_SEGMENTS = 6
_categories = {}  # number of path prefixes -> Prepared


def prefixes(path):
    """ "a", "a/b", "a/b/c" for "a/b/c"."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _categories_query(count):
    names = [f"p{i}" for i in range(count)]

    def build(**paths):
        wanted = [paths[name] for name in names]
        return Category.objects.filter(Q(depth__lte=1) | Q(path__in=wanted))

    return Prepared(build, **dict.fromkeys(names, ""))


def categories_for(path):
    """The masthead's categories (depth 0 and 1) and those whose path is `path` or one of
    its prefixes, in tree order: one query for the page lookup, the trail and the
    masthead."""
    paths = prefixes(path)
    if len(paths) > MAX_SEGMENTS:
        return list(Category.objects.filter(Q(depth__lte=1) | Q(path__in=paths)))
    query = _categories.get(len(paths))
    if query is None:
        query = _categories[len(paths)] = _categories_query(len(paths))
    return query.objects(**{f"p{i}": p for i, p in enumerate(paths)})


def trail(category, categories):
    """`category.trail()` from `categories` (`categories_for` a path under it), or None
    when they do not hold all of it."""
    wanted = set(prefixes(category.path))
    found = sorted((c for c in categories if c.path in wanted), key=lambda c: c.depth)
    return found if len(found) == len(wanted) else None


def _article(slug, now):
    notes = Correction.objects.filter(article=OuterRef("pk"))
    return (
        Article.objects.published(now)
        .filter(slug=slug)
        .select_related("category")
        .annotate(has_notes=Exists(notes))
    )


_sample_now = timezone.now()
_ARTICLE = Prepared(_article, slug="", now=_sample_now)
_AUTHORS = Prepared(
    lambda article: (
        get_user_model().objects.select_related("author_profile").filter(articles__in=[article])
    ),
    article=0,
)
_TAGS = Prepared(lambda article: Tag.objects.filter(articles__in=[article]), article=0)
MORE_COUNT = 3
_MORE = Prepared(
    lambda category, article, now: (
        Article.objects.published(now)
        .filter(category=category)
        .exclude(pk=article)
        .select_related("category")
        .order_by("-published_at", "-pk")[:MORE_COUNT]
    ),
    category=0,
    article=0,
    now=_sample_now,
)


def _prefetched(queryset, rows):
    """`queryset` as `prefetch_related` leaves it: its rows loaded."""
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def published_article(slug):
    """The published article at `slug` with its category, `has_notes`, its authors (with
    their profiles) and tags loaded as `prefetch_related` loads them; None if there is
    none. Four queries, none of them built per request."""
    found = _ARTICLE.objects(slug=slug, now=timezone.now())
    if not found:
        return None
    [article] = found
    article._prefetched_objects_cache = {
        "authors": _prefetched(
            get_user_model().objects.all(), _AUTHORS.objects(article=article.pk)
        ),
        "tags": _prefetched(Tag.objects.all(), _TAGS.objects(article=article.pk)),
    }
    return article


def more_from_section(article):
    """Up to three other published articles of the article's category, latest first."""
    return _MORE.objects(category=article.category_id, article=article.pk, now=timezone.now())


_leaders = {}  # per_section -> Prepared


def leaders(per_section):
    """`published().for_listing().leading_per_section(per_section)` as a list: the
    window query compiled once per process, the authors prefetched as before."""
    query = _leaders.get(per_section)
    if query is None:
        query = _leaders[per_section] = Prepared(
            lambda now: (
                Article.objects.published(now)
                .select_related("category")
                .leading_per_section(per_section)
            ),
            now=_sample_now,
        )
    found = query.objects(now=timezone.now())
    prefetch_related_objects(found, authors_prefetch())
    return found


LATEST_COUNT = 8
_LATEST = Prepared(
    lambda lead, now: (
        Article.objects.published(now)
        .select_related("category")
        .exclude(pk=lead)
        .order_by("-published_at", "-pk")[:LATEST_COUNT]
    ),
    lead=0,
    now=_sample_now,
)


def latest_but(lead):
    """The newest published articles but the lead (`lead`, an id), with their category."""
    return _LATEST.objects(lead=lead, now=timezone.now())


_NAVIGATION = Prepared(lambda: Category.objects.filter(depth__lte=1))


def navigation_categories():
    """The masthead's categories (depth 0 and 1), tree order."""
    return _NAVIGATION.objects()
