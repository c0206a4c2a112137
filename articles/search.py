"""Search over published text: title, standfirst and the body's words (not its HTML).

PostgreSQL: full-text search on a stored `Article.search_document` (title A > standfirst B >
body text C, the English configuration), kept in step by a database trigger (migration
0005) on every insert and every update of the three fields, whichever code path writes
them (save(), update(), bulk inserts), and GIN-indexed. Ranking is bounded: only the
newest RANK_LIMIT matches are ranked, so a word found in every article costs about what a
rare one does; the page says so when the bound is reached.
Elsewhere (SQLite): every word of the query must appear in one of the three fields, newest
first, bounded the same way.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Q

SEARCH_CONFIG = "english"
MAX_WORDS = 10
# The newest matches considered (ranked on PostgreSQL); pages beyond them are 404s.
RANK_LIMIT = 1000


def search_vector():
    """The document as an expression (what the trigger stores in `search_document`)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


def newest(queryset, matching):
    """`queryset` narrowed to the newest RANK_LIMIT rows of `matching` (one subquery)."""
    ids = matching.order_by("-published_at", "-pk").values("pk")[:RANK_LIMIT]
    return queryset.filter(pk__in=ids)


def postgres_search(queryset, query):
    terms = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        newest(queryset, queryset.filter(search_document=terms))
        .annotate(rank=SearchRank(F("search_document"), terms))
        .order_by("-rank", "-published_at", "-pk")
    )


def simple_search(queryset, query):
    # Quotes mean phrases to PostgreSQL's websearch syntax; here they are just dropped.
    words = [w for w in (w.strip("\"'“”‘’") for w in query.split()) if w][:MAX_WORDS]
    if not words:
        return queryset.none()
    matching = queryset
    for word in words:
        matching = matching.filter(
            Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body_text__icontains=word)
        )
    return newest(queryset, matching).order_by("-published_at", "-pk")
