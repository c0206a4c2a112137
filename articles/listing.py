"""Bounded listings: the one rule for every public list of articles that grows with the
archive (a section and its subsections, a tag, an author, search).

A listing shows at most its `limit` first articles, in its own order (the newest; a
section's featured ones first), `settings.ARTICLES_LISTING_LIMIT` unless it says otherwise
(search: `search.RANK_LIMIT`). Its paginator counts at most `limit + 1` of them, a `COUNT`
over a `LIMIT` subquery with no `ORDER BY`, so the count reads at most that many index
entries however large the archive (an unbounded count grew with the section: 33,333 entries
for `/today/world/` at 100,000 articles). Pages past the limit are 404s, like any page past
the last. When the listing has more than it shows (`Paginator.more`), its last page says so
and points to search (`includes/listing_limit.html`); the sitemaps still list every article.
"""

from django.conf import settings
from django.core import paginator
from django.utils.functional import cached_property


def count_at_most(queryset, most):
    """How many rows `queryset` has, counting at most `most`: one query whose cost is flat
    however many there are (the order is dropped: it changes which rows, not how many)."""
    return queryset.order_by()[:most].count()


class Paginator(paginator.Paginator):
    """Django's paginator over the first `limit` items of `object_list` (a queryset)."""

    @property
    def limit(self):
        return settings.ARTICLES_LISTING_LIMIT

    @cached_property
    def found(self):
        """The number of items, counted up to `limit + 1` (one more than shown: whether
        there are more)."""
        return count_at_most(self.object_list, self.limit + 1)

    @cached_property
    def count(self):
        return min(self.found, self.limit)

    @property
    def more(self):
        """Whether the listing has more items than it shows."""
        return self.found > self.limit

    def past_limit(self, number):
        """Whether page `number` (an int) starts past the limit: a 404, with no query."""
        return (number - 1) * self.per_page >= self.limit

    def validate_number(self, number):
        # Before Django's checks, which count: a page past the limit costs no query.
        if isinstance(number, int) and self.past_limit(number):
            raise paginator.EmptyPage(self.error_messages["no_results"])
        return super().validate_number(number)
