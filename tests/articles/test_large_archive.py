"""The queries that keep the pages' cost flat as the archive grows give the same answers:
the front page's sections from candidates, a category's subtree per category, the schedule
from one index entry per moment; a category page counts at most a bounded number of its
articles, from an index."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.caching import compute_schedule
from articles.models import NEWEST_PER_CATEGORY, Article


def test_sections_lead_with_featured_then_newest_however_old(make_article, make_category):
    """A section whose articles are all older than the others' still shows its newest, and
    an old featured article still leads its section; the excluded lead leaves no gap."""
    now = timezone.now()
    sport = make_category("sport")
    football = make_category("football", parent=sport)
    old = [
        make_article(category=football, published_at=now - timedelta(days=400 + i))
        for i in range(8)
    ]
    featured = make_article(  # older than its category's newest 2 × 3
        category=football, featured=2, published_at=now - timedelta(days=900)
    )
    for i in range(30):
        make_article(published_at=now - timedelta(hours=i + 1))  # today › world, newer
    lead = make_article(featured=1)
    others = Article.objects.published().exclude(pk=lead.pk)
    by_section = {}
    for article in others.leading_per_section(3):
        by_section.setdefault(article.section, []).append(article)
    assert by_section["sport"] == [featured, old[0], old[1]]
    assert len(by_section["today"]) == 3
    assert lead not in by_section["today"]


def test_a_category_holds_its_subtree_and_no_namesake(make_article, make_category, world):
    today = world.parent
    worldwide = make_category("worldwide", parent=today)
    north = make_category("north", parent=world)
    here = [make_article(category=c) for c in (today, world, north)]
    make_article(category=worldwide)
    assert set(Article.objects.in_category(world)) == set(here[1:])
    assert set(Article.objects.in_category(today)) == set(Article.objects.all())


def test_the_schedule_reads_the_moments(make_article):
    now = timezone.now()
    assert compute_schedule(now) == {"live_since": None, "next_change": None}
    make_article(published_at=now - timedelta(days=3))
    live = make_article(published_at=now - timedelta(hours=2))
    soon = make_article(published_at=now + timedelta(hours=1))
    make_article(published_at=now + timedelta(hours=5))
    make_article(status=Article.Status.DRAFT, published_at=now + timedelta(minutes=5))
    make_article(status=Article.Status.DRAFT, published_at=now - timedelta(minutes=5))
    schedule = compute_schedule(now)
    assert schedule == {"live_since": live.published_at, "next_change": soon.published_at}


def scans_of(node, alias):
    """The plan's scan nodes of the table under `alias` (EXPLAIN, JSON)."""
    found = [node] if node.get("Alias") == alias else []
    return found + [n for child in node.get("Plans", ()) for n in scans_of(child, alias)]


def article_entries_read(node):
    """How many index entries of the articles' table the plan's scans read (EXPLAIN ANALYZE,
    JSON): the rows they returned and those their filter removed, over every loop."""
    read = 0
    if "Index" in node["Node Type"] and node.get("Relation Name") == "articles_article":
        per_loop = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        read += per_loop * node["Actual Loops"]
    return read + sum(article_entries_read(child) for child in node.get("Plans", ()))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE columns: PostgreSQL")
def test_a_category_page_counts_a_bounded_number_from_the_index(
    client, settings, make_article, make_category
):
    """The page's count of its visible articles (the paginator's, `articles.listing`) reads
    at most ARTICLES_LISTING_LIMIT + 1 entries of article_cat_idx, however many the section
    has, and no row of the table: the index carries unpublish_at. Every other plan is
    switched off (sequential, bitmap and plain index scans): without the included column the
    planner could only fall back on a sequential scan. The page still costs the same
    queries (tests/articles/test_views.py)."""
    settings.ARTICLES_LISTING_LIMIT = 5
    today = make_category("news")
    world = make_category("globe", parent=today)
    for category in (today, world, world):
        make_article(category=category)
    make_article(category=world, unpublish_at=timezone.now() - timedelta(minutes=1))
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/news/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 3  # the unpublished one is not counted
    assert response.context["paginator"].more is False
    # category, trail, count, page of articles, their authors, sections; the schedule (2)
    assert len(queries) == 4 + 2
    (count,) = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert "LIMIT 6" in count, count
    for _ in range(12):
        make_article(category=world)
        make_article(category=today)
    with connection.cursor() as cursor:
        for scan in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute("EXPLAIN " + count)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + count)
        ((analyzed,),) = cursor.fetchall()
        cursor.execute(count)
        assert cursor.fetchone()[0] == 6  # 27 visible: counted up to the limit + 1
    assert "Index Only Scan using article_cat_idx" in plan, plan
    assert "Seq Scan on articles_article" not in plan, plan
    assert "Limit" in plan, plan
    assert article_entries_read(analyzed[0]["Plan"]) <= 6 + 1, analyzed  # + the unpublished one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE columns: PostgreSQL")
def test_the_front_pages_newest_of_each_category_come_from_the_category_index_alone(
    make_article, make_category
):
    """NEWEST_PER_CATEGORY (the front page's candidates) can be read from article_cat_idx
    alone: it carries the id and unpublish_at. Every other plan is switched off (sequential,
    bitmap and plain index scans): without the id in the index the planner could only
    visit the rows. At 100,000 articles it did, through article_visible_idx filtered by
    category, which for a category of few articles read the whole archive (bench/README.md,
    "Scale"). Each category's scan stops at its limit: a busy category is not read past it,
    an empty one costs nothing."""
    busy, few = make_category("busy"), make_category("few")
    make_category("empty")
    now = timezone.now()
    for i in range(40):
        make_article(category=busy, published_at=now - timedelta(hours=i + 1))
    make_article(category=few, published_at=now - timedelta(days=300))
    per_category = 4
    params = [Article.Status.PUBLISHED, now, now, per_category]
    with connection.cursor() as cursor:
        for scan in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute("EXPLAIN " + NEWEST_PER_CATEGORY, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + NEWEST_PER_CATEGORY, params)
        ((analyzed,),) = cursor.fetchall()
        cursor.execute(NEWEST_PER_CATEGORY, params)
        found = {row[0] for row in cursor.fetchall()}
    assert "Index Only Scan Backward using article_cat_idx" in plan, plan
    lateral = scans_of(analyzed[0]["Plan"], alias="a")  # the newest of each category
    assert lateral and all(
        (node["Node Type"], node["Index Name"]) == ("Index Only Scan", "article_cat_idx")
        for node in lateral
    ), plan
    newest_busy = set(
        Article.objects.filter(category=busy)
        .order_by("-published_at")[:per_category]
        .values_list("pk", flat=True)
    )
    assert newest_busy <= found and len(found) == per_category + 1
    # the busy category's 4 and the other's 1 (and the world fixture's none), nothing else
    # Entries read (per loop, times the loops: rounded), far from the busy one's 40.
    entries = sum(article_entries_read(node) for node in lateral)
    assert entries <= 2 * (per_category + 1), analyzed
