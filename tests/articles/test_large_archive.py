"""The queries that keep the pages' cost flat as the archive grows give the same answers:
the front page's sections from candidates, a category's subtree per category, the schedule
from one index entry per moment."""

from datetime import timedelta

from django.utils import timezone

from articles.caching import compute_schedule
from articles.models import Article


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
