"""`articles.prepared`: a query the ORM compiled once gives what the queryset gives, for
new values each time, and a query whose SQL would depend on its values is refused."""

from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from articles.models import Article, Correction
from articles.prepared import Prepared


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
