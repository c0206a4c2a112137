"""Search over published text: title, standfirst and the body's words (not its HTML).

PostgreSQL: full-text search, ranked, on an expression GIN index that migration 0003
creates there only (the expression below must stay identical to the index's).
Elsewhere (SQLite): every word of the query must appear in one of the three fields.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Q

SEARCH_CONFIG = "english"
MAX_WORDS = 10


def search_vector():
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("standfirst", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


def postgres_search(queryset, query):
    vector = search_vector()
    terms = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        queryset.alias(document=vector)
        .filter(document=terms)
        .annotate(rank=SearchRank(vector, terms))
        .order_by("-rank", "-published_at", "-pk")
    )


def simple_search(queryset, query):
    # Quotes mean phrases to PostgreSQL's websearch syntax; here they are just dropped.
    words = [w for w in (w.strip("\"'“”‘’") for w in query.split()) if w][:MAX_WORDS]
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body_text__icontains=word)
        )
    return queryset.order_by("-published_at", "-pk")
