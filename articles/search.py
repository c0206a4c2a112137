"""Search over published text: title, standfirst and the body's words (not its HTML).

PostgreSQL: full-text search on a stored `Article.search_document` (title A > standfirst B >
body text C, the English configuration), kept in step by a database trigger (migration
0005) on every insert and every update of the three fields, whichever code path writes
them (save(), update(), bulk inserts), and GIN-indexed. Ranking is bounded: only the
newest RANK_LIMIT matches are ranked, so a word found in every article costs about what a
rare one does; the page says so when the bound is reached.
Elsewhere (SQLite): every word of the query must appear in one of the three fields, newest
first, bounded the same way.

The search page reads its results through `Results` and `Paginator`: one query ranks the
newest matches by their ids only, counts them (a window over the same rows) and fetches
the page's articles with their categories, only the columns a result card shows.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core import paginator
from django.db import connections
from django.db.models import F, Q
from django.utils.functional import cached_property

from articles import listing

SEARCH_CONFIG = "english"
MAX_WORDS = 10
# The newest matches considered (ranked on PostgreSQL): the search page's limit, as a bounded
# listing's (`articles.listing`); pages beyond them are 404s.
RANK_LIMIT = 1000
# Best match first (PostgreSQL), then newest: the one order of both forms below.
RANKED_ORDER = ("-rank", "-published_at", "-pk")
NEWEST_ORDER = ("-published_at", "-pk")
# What a result card shows (articles_tags.card: link, kicker, title, standfirst, picture,
# date); the authors are prefetched. The other columns (the body, its text, the document)
# are left in the database.
CARD_FIELDS = (
    "id", "title", "slug", "category_id", "standfirst", "image", "image_alt", "renditions",
    "published_at",
)  # fmt: skip


def search_vector():
    """The document as an expression (what the trigger stores in `search_document`)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


def is_postgres(queryset):
    return connections[queryset.db].vendor == "postgresql"


def rank(query):
    """How well the stored document matches `query` (PostgreSQL)."""
    return SearchRank(
        F("search_document"), SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    )


def newest_matches(queryset, query):
    """The newest RANK_LIMIT rows of `queryset` matching `query`, newest first, each with
    its `rank` on PostgreSQL; None if the query has no word to look for."""
    if is_postgres(queryset):
        terms = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        matching = queryset.filter(search_document=terms).annotate(rank=rank(query))
    else:
        # Quotes mean phrases to PostgreSQL's websearch syntax; here they are just dropped.
        words = [w for w in (w.strip("\"'“”‘’") for w in query.split()) if w][:MAX_WORDS]
        if not words:
            return None
        matching = queryset
        for word in words:
            matching = matching.filter(
                Q(title__icontains=word)
                | Q(standfirst__icontains=word)
                | Q(body_text__icontains=word)
            )
    return matching.order_by(*NEWEST_ORDER)[:RANK_LIMIT]


def order(queryset):
    """The results' order: best match first on PostgreSQL, newest first elsewhere."""
    return RANKED_ORDER if is_postgres(queryset) else NEWEST_ORDER


def search(queryset, query):
    """`queryset` narrowed to the matches of `query`, in the results' order (a queryset)."""
    newest = newest_matches(queryset, query)
    if newest is None:
        return queryset.none()
    found = queryset.filter(pk__in=newest.values("pk"))
    if is_postgres(queryset):
        found = found.annotate(rank=rank(query))
    return found.order_by(*order(queryset))


class Results:
    """The search page's results as `Paginator` reads them: `read(offset, limit)` gives a
    page of articles and the number of results in one query; `count()` (for `?page=last`
    only) counts them alone."""

    ordered = True

    def __init__(self, queryset, query, prefetch=()):
        self.queryset = queryset
        self.newest = newest_matches(queryset, query) if query else None
        self.prefetch = prefetch

    def count(self):
        if self.newest is None:
            return 0
        return self.newest.values("pk").count()

    def __getitem__(self, page):
        return self.read(page.start or 0, page.stop - (page.start or 0))[0]

    def read(self, offset, limit):
        """The articles at `offset` in the results' order (up to `limit`), each with its
        category, only CARD_FIELDS loaded, and the number of results."""
        if self.newest is None or limit <= 0 or offset >= RANK_LIMIT:
            return [], 0  # past the bound: nothing to read (no query, however far)
        from articles.models import Article, Category

        connection = connections[self.queryset.db]
        q = connection.ops.quote_name
        ranked_columns = ["id", "published_at"]
        if "rank" in self.newest.query.annotations:
            ranked_columns.append("rank")
        inner, params = self.newest.values_list(*ranked_columns).query.sql_with_params()
        by = ", ".join(
            f"ranked.{q('id' if c.lstrip('-') == 'pk' else c.lstrip('-'))}"
            f"{' DESC' if c.startswith('-') else ''}"
            for c in order(self.queryset)
        )
        article_columns = [f"a.{q(Article._meta.get_field(name).column)}" for name in CARD_FIELDS]
        category_fields = [f.attname for f in Category._meta.concrete_fields]
        category_columns = [
            f"c.{q(Category._meta.get_field(name).column)} AS {q('category__' + name)}"
            for name in category_fields
        ]
        sql = (
            f"SELECT {', '.join(article_columns + category_columns)}, ranked.total AS {q('total')} "
            f"FROM (SELECT newest.*, COUNT(*) OVER () AS total FROM ({inner}) AS newest "
            f"ORDER BY {by.replace('ranked.', 'newest.')} LIMIT %s OFFSET %s) AS ranked "
            f"INNER JOIN {q(Article._meta.db_table)} a ON a.{q('id')} = ranked.{q('id')} "
            f"INNER JOIN {q(Category._meta.db_table)} c ON c.{q('id')} = a.{q('category_id')} "
            f"ORDER BY {by}"
        )
        rows = Article.objects.db_manager(self.queryset.db).raw(sql, (*params, limit, offset))
        articles = list(rows.prefetch_related(*self.prefetch))
        categories = {}  # one instance per category on the page, as the page shows it
        for article in articles:
            values = [article.__dict__.pop(f"category__{name}") for name in category_fields]
            if article.category_id not in categories:
                categories[article.category_id] = Category.from_db(
                    self.queryset.db, category_fields, values
                )
            article.category = categories[article.category_id]
        total = articles[0].__dict__.pop("total") if articles else 0
        for article in articles[1:]:
            del article.__dict__["total"]
        return articles, total


class Paginator(listing.Paginator):
    """The bounded listings' paginator (`articles.listing`) over `Results`: the limit is
    RANK_LIMIT, and a page and the count come from one query (the count is read with the
    page instead of before it). The results count only the matches they rank, so `more`
    can only say that the limit is reached ("at least RANK_LIMIT")."""

    @property
    def limit(self):
        return RANK_LIMIT

    @cached_property
    def found(self):
        return self.object_list.count()

    @property
    def more(self):
        return self.found >= self.limit

    def page(self, number):
        if self.orphans or "found" in self.__dict__ or not isinstance(number, int):
            return super().page(number)
        if number < 1:
            raise paginator.EmptyPage(self.error_messages["min_page"])
        if self.past_limit(number):
            raise paginator.EmptyPage(self.error_messages["no_results"])
        articles, total = self.object_list.read((number - 1) * self.per_page, self.per_page)
        if not articles and number > 1:
            raise paginator.EmptyPage(self.error_messages["no_results"])
        self.found = total
        return self._get_page(articles, self.validate_number(number), self)
