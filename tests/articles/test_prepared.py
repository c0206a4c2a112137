"""`articles.prepared`: a query the ORM compiled once gives what the queryset gives, for
new values each time, and a query whose SQL would depend on its values is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from articles.models import Article, Correction
from articles.prepared import Prepared, _fast_datetimes


def _article_page(slug, now):
    notes = Correction.objects.filter(article=OuterRef("pk"))
    return (
        Article.objects.filter(slug=slug, published_at__lte=now)
        .select_related("category")
        .annotate(has_notes=Exists(notes))
    )


def test_model_rows_match_the_queryset_for_each_call(make_article, make_category):
    now = timezone.now()
    sport = make_category("sport")
    first = make_article(slug="first", category=sport)
    second = make_article(slug="second")
    make_article(slug="later", published_at=now + timedelta(hours=1))
    query = Prepared(_article_page, slug="", now=now)
    for article in (first, second):
        [found] = query.objects(slug=article.slug, now=now)
        [expected] = _article_page(article.slug, now)
        assert found == expected
        assert found.category.path == expected.category.path
        assert found.has_notes is expected.has_notes is False
        assert found.published_at == expected.published_at
        assert found.category._state.adding is False
    assert query.objects(slug="later", now=now) == []
    assert len(query.objects(slug="later", now=now + timedelta(hours=2))) == 1


def test_values_rows_match_the_queryset(make_article):
    now = timezone.now()
    make_article(slug="a", published_at=now - timedelta(days=1))
    make_article(slug="b", published_at=now - timedelta(days=2))

    def build(since):
        return (
            Article.objects.filter(published_at__gt=since)
            .order_by("slug")
            .values("slug", "published_at")
        )

    query = Prepared(build, since=now)
    for since in (now - timedelta(days=3), now - timedelta(hours=30), now):
        assert query.values(since=since) == list(build(since))


def test_a_query_the_values_would_change_is_refused(make_article):
    starts = Prepared(lambda prefix: Article.objects.filter(slug__startswith=prefix), prefix="")
    with pytest.raises(ValueError, match="changed on its way"):
        starts.objects(prefix="a")
    unused = Prepared(lambda slug: Article.objects.all(), slug="")
    with pytest.raises(ValueError, match="not in the query"):
        unused.objects(slug="a")


def test_datetimes_are_the_querysets_to_the_microsecond_and_zone(make_article):
    """PostgreSQL's `timestamptz` read by psycopg's compiled loader (`_fast_datetimes`):
    the same datetimes as Django's loader gives the queryset, microseconds and the UTC
    zone object included, before and after a daylight-saving change and across years."""
    now = timezone.now()
    moments = [
        now,
        now.replace(microsecond=0),
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, 0, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
    ]
    for n, moment in enumerate(moments):
        make_article(slug=f"m{n}", published_at=moment)

    def build(since):
        return (
            Article.objects.filter(published_at__gt=since)
            .order_by("slug")
            .values("slug", "published_at", "updated_at")
        )

    since = datetime(1990, 1, 1, tzinfo=UTC)
    found, expected = Prepared(build, since=since).values(since=since), list(build(since))
    assert found == expected and [r["published_at"] for r in found] == moments
    for row, want in zip(found, expected, strict=True):
        for name in ("published_at", "updated_at"):
            assert row[name].tzinfo is want[name].tzinfo
            assert row[name].isoformat() == want[name].isoformat()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader")
def test_on_postgresql_a_prepared_query_reads_datetimes_with_psycopgs_compiled_loader():
    import psycopg
    from psycopg.pq import Format

    if psycopg.pq.__impl__ == "python":
        pytest.skip("psycopg without its compiled implementation")
    oid = psycopg.postgres.types["timestamptz"].oid
    with connection.cursor() as cursor:
        assert not cursor.cursor.adapters.get_loader(oid, Format.TEXT).__module__.startswith(
            ("psycopg_binary", "psycopg_c")
        )  # Django's, on every other cursor
        _fast_datetimes(connection, cursor)
        loader = cursor.cursor.adapters.get_loader(oid, Format.TEXT)
    assert loader.__module__.startswith(("psycopg_binary", "psycopg_c"))
