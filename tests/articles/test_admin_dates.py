"""The article list's date hierarchy lists its years (and months) by probes, one index
entry per year with articles (`articles.adminlist.DatesByProbe`), not a DISTINCT over every
row: the same dates as Django's own `datetimes()`, empty years skipped, in the current time
zone, and the same links on the page."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.adminlist import probing_dates
from articles.models import Article

LIST = "/admin/articles/article/"
PROBE = 'SELECT "articles_article"."published_at" AS "published_at" FROM "articles_article"'
ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kathmandu"]


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def spread(make_article):
    """Articles over 2016–2025 with empty years between, some right at a new year."""
    for moment in [
        at(2016, 6, 1),
        at(2019, 12, 31, 23, 30),  # 2020 in Auckland and Kathmandu
        at(2020, 1, 1, 5),  # 2019 in Los Angeles
        at(2020, 12, 31, 12),  # 2021 in Auckland (+13)
        at(2023, 3, 3),
        at(2025, 1, 1, 0, 0),  # the first instant of 2025 in UTC
    ]:
        make_article(published_at=moment)
    make_article(published_at=at(2018, 5, 5), status=Article.Status.DRAFT)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("kind", ["year", "month"])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_probed_dates_are_djangos(spread, zone, kind, order):
    with timezone.override(zone):
        expected = list(Article.objects.datetimes("published_at", kind, order))
        probed = probing_dates(Article.objects.all()).datetimes("published_at", kind, order)
        assert probed == expected
        assert [d.tzinfo for d in probed] == [d.tzinfo for d in expected]
        drafts = Article.objects.filter(status=Article.Status.DRAFT)
        assert probing_dates(drafts).datetimes("published_at", kind, order) == list(
            drafts.datetimes("published_at", kind, order)
        )
    assert probing_dates(Article.objects.none()).datetimes("published_at", kind) == []


def test_the_years_skip_empty_ones_in_the_current_zone(spread):
    years = {}
    for zone in ZONES:
        with timezone.override(zone):
            probed = probing_dates(Article.objects.all()).datetimes("published_at", "year")
            years[zone] = [d.year for d in probed]
    assert years["UTC"] == [2016, 2018, 2019, 2020, 2023, 2025]
    assert years["Pacific/Auckland"] == [2016, 2018, 2020, 2021, 2023, 2025]
    assert years["America/Los_Angeles"] == [2016, 2018, 2019, 2020, 2023, 2024]


def test_one_probe_a_year_with_articles(spread):
    with CaptureQueriesContext(connection) as queries:
        probing_dates(Article.objects.all()).datetimes("published_at", "year")
    assert len(queries) == 6 + 1  # six years with articles, and the probe that finds none
    for query in queries:
        assert "DISTINCT" not in query["sql"]
        assert "LIMIT 1" in query["sql"]


def test_the_list_shows_the_same_years_from_probes(editor_client, spread, settings):
    """The page's year links, in the site's time zone, without a DISTINCT over the list;
    a year chosen, its months by probes too."""
    settings.TIME_ZONE = "Pacific/Auckland"
    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(LIST)
    assert years_linked(page) == ["2016", "2018", "2020", "2021", "2023", "2025"]
    assert not [q for q in queries if "DISTINCT" in q["sql"]]
    probes = [q for q in queries if q["sql"].startswith(PROBE)]
    assert len(probes) == 6 + 1
    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(LIST + "?published_at__year=2020")
    assert re.findall(r"published_at__month=(\d+)", page.content.decode()) == ["1"]
    assert not [q for q in queries if "DISTINCT" in q["sql"]]


@pytest.mark.parametrize(
    ("query", "years"),
    [
        ("q=Article", ["2016", "2018", "2020", "2021", "2023", "2025"]),
        ("comments_open__exact=1", ["2016", "2018", "2020", "2021", "2023", "2025"]),
        ("status__exact=published", ["2016", "2020", "2021", "2023", "2025"]),
        ("featured__isnull=True", ["2016", "2018", "2020", "2021", "2023", "2025"]),
    ],
)
def test_a_searched_or_filtered_list_keeps_djangos_years(
    editor_client, spread, settings, query, years
):
    """Searched, or filtered by a field other than the date, the list keeps Django's own
    query: a probe would skip what the filter drops, reading as much as the DISTINCT."""
    settings.TIME_ZONE = "Pacific/Auckland"
    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(f"{LIST}?{query}")
    assert years_linked(page) == years
    assert [q for q in queries if "DISTINCT" in q["sql"]]


def test_drafts_of_one_year_list_their_months(editor_client, spread):
    page = editor_client.get(LIST + "?status__exact=draft").content.decode()
    assert re.findall(r"published_at__month=(\d+)", page) == ["5"]


def years_linked(response):
    assert response.status_code == 200
    return re.findall(r'published_at__year=(\d+)["&]', response.content.decode())
