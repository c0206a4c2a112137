"""Cached pages are never stale: publishing, editing and scheduled go-live show at once
(no flush), repeat visits get 304, and validators expire at the next scheduled change."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from articles import caching
from articles.models import Article
from comments.models import ModerationPolicy

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_shareable(client, make_article):
    """Public, Vary: Cookie, validators, a short shared lifetime, and no cookie set."""
    article = make_article()
    for url in ["/", "/today/world/", article.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "s-maxage=" in cache_control, url
        assert "Cookie" in response["Vary"]
        assert response.has_header("ETag") and response.has_header("Last-Modified")
        assert not response.cookies


def test_publishing_shows_at_once_without_a_flush(client, make_article):
    """A cached front page, category page and article page change as soon as an article
    is saved: published, edited, unpublished."""
    article = make_article(title="First story")
    assert "First story" in client.get("/").content.decode()
    assert "First story" in client.get("/today/world/").content.decode()

    second = make_article(title="Second story")
    assert "Second story" in client.get("/").content.decode()
    assert "Second story" in client.get("/today/world/").content.decode()

    article.body = "<p>A corrected paragraph.</p>"
    article.save()
    assert "A corrected paragraph." in client.get(article.get_absolute_url()).content.decode()

    second.status = Article.Status.DRAFT
    second.save()
    assert "Second story" not in client.get("/").content.decode()
    assert client.get(second.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("path", ["article", "/today/world/", "/"])
def test_a_repeat_visit_gets_304(client, make_article, path):
    """If-None-Match and If-Modified-Since both answer 304 while nothing changed, 200 after."""
    article = make_article()
    url = article.get_absolute_url() if path == "article" else path
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    make_article(title="Breaking")
    article.refresh_from_db()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_scheduled_article_goes_live_with_no_write(client, make_article, world):
    """On a frozen clock: the cached listings and their validators last until the
    scheduled publish time, then the article is listed, with nothing written. The clock
    starts at noon: the pages carry the day's date, so a run just before midnight would see
    the date, not the article, change the validators."""
    start = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        make_article(title="Old news", published_at=start - timedelta(hours=2))
        scheduled = make_article(
            title="Embargoed story", published_at=start + timedelta(minutes=10)
        )
        updated_at = scheduled.updated_at

        front = client.get("/")
        category = client.get("/today/world/")
        assert "Embargoed story" not in front.content.decode()
        assert "s-maxage=30" in front["Cache-Control"]

        traveller.shift(timedelta(minutes=9, seconds=50))  # 10 s before it goes live
        assert "s-maxage=10" in client.get("/")["Cache-Control"]
        assert client.get("/", HTTP_IF_NONE_MATCH=front["ETag"]).status_code == 304
        assert client.get(scheduled.get_absolute_url()).status_code == 404

        traveller.shift(timedelta(seconds=10))  # publish time reached
        for url, before in [("/", front), ("/today/world/", category)]:
            response = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
            assert response.status_code == 200, url
            assert "Embargoed story" in response.content.decode()
            assert response["Last-Modified"] != before["Last-Modified"]
        assert client.get(scheduled.get_absolute_url()).status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.updated_at == updated_at  # nothing was written


def test_comments_close_on_time_in_a_cached_page(client, make_article):
    """Comments closing N days after publication: the cached article page shows the form
    until that moment and "Comments are closed" after it, with a new ETag. The moment
    comes sooner than the longest lifetime of an entry (FRAGMENT_SECONDS, five minutes), so
    the page must expire by the schedule."""
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"close_after_days": 1})
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        article = make_article(published_at=start - timedelta(days=1) + timedelta(minutes=2))
        url = article.get_absolute_url()
        open_page = client.get(url)
        assert 'id="commentform"' in open_page.content.decode()
        assert "s-maxage=30" in open_page["Cache-Control"]
        traveller.shift(timedelta(minutes=2))
        closed = client.get(url, HTTP_IF_NONE_MATCH=open_page["ETag"])
        assert closed.status_code == 200
        assert "Comments are closed." in closed.content.decode()
        assert 'id="commentform"' not in closed.content.decode()


def test_the_article_body_fragment_follows_the_article(client, make_article, editor_client):
    """The body is cached per article version: a staff preview of a draft shows its own
    body, and an edit replaces the cached one."""
    article = make_article(body="<p>Version one.</p>")
    assert "Version one." in client.get(article.get_absolute_url()).content.decode()
    Article.objects.filter(pk=article.pk)  # a queryset update would bypass save(): not used
    article.body = "<p>Version two.</p>"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Version two." in html and "Version one." not in html


def test_page_on_an_article_is_canonicalised(client, make_article):
    """`?page=` makes no copy of an article page: it redirects to the page without it
    (other parameters, such as the form's reply link, are kept)."""
    url = make_article().get_absolute_url()
    response = client.get(f"{url}?page=2")
    assert response.status_code == 301 and response["Location"] == url
    response = client.get(f"{url}?page=99999&replytocom=5")
    assert response.status_code == 301 and response["Location"] == f"{url}?replytocom=5"


def test_a_cached_page_costs_one_cache_round_trip_and_no_query(
    client, make_article, watch_cache_calls, django_assert_num_queries
):
    """A hit reads the versions and the schedule in one `get_many`; the page itself comes
    from the process's copy. A saved article still shows at once (a new content version
    recomputes the schedule kept with the old one)."""
    article = make_article(title="First story")
    client.get(article.get_absolute_url())
    calls = watch_cache_calls()
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "First story" in response.content.decode()
    assert calls == ["get_many"]

    article.title = "First story, corrected"
    article.save()
    assert "First story, corrected" in client.get(article.get_absolute_url()).content.decode()


def count_version_writes(monkeypatch):
    """Each content version written from now on (its token), in order."""
    writes = []
    set_many = caching.cache.set_many

    def counted(values, *args, **kwargs):
        if caching.CONTENT_KEY in values:
            writes.append(values[caching.CONTENT_KEY]["token"])
        return set_many(values, *args, **kwargs)

    monkeypatch.setattr(caching.cache, "set_many", counted)
    return writes


@pytest.mark.django_db(transaction=True)
def test_a_bump_outside_a_transaction_writes_one_version(monkeypatch):
    """The rows are committed already: one new version, not a second one a moment later
    (each would cost every cached page a render)."""
    writes = count_version_writes(monkeypatch)
    caching.bump(content=True, only_adds=True)
    assert len(writes) == 1
    assert caching.content_version()["token"] == writes[0]


@pytest.mark.django_db(transaction=True)
def test_a_bump_inside_a_transaction_writes_at_once_and_after_the_commit(monkeypatch):
    """A reader that rendered from the old rows before the commit cannot keep them under the
    version it read: the commit writes another."""
    writes = count_version_writes(monkeypatch)
    with transaction.atomic():
        caching.bump(content=True, only_adds=True)
        assert len(writes) == 1
    assert len(writes) == 2
    assert caching.content_version()["token"] == writes[1] != writes[0]


# -- a bulk action's approvals: coalesced version writes ---------------------------------


# Outside a transaction, as a request's writes are (each change commits by itself).
@pytest.mark.django_db(transaction=True)
def test_a_bulk_actions_approvals_write_the_versions_once_then_at_most_every_interval(
    monkeypatch,
):
    """Twenty approvals in quick succession, each committed by itself: the first is written
    at once, the rest together at the end (within COALESCE_SECONDS), not twenty versions
    each costing every page read meanwhile a render."""
    written = count_version_writes(monkeypatch)
    with caching.coalesced():
        for article_id in range(20):
            caching.bump(content=True, comments_of=article_id % 3, only_adds=True)
            if article_id == 0:
                assert len(written) == 1  # the first at once
        assert len(written) == 1
    assert len(written) == 2
    assert caching.content_version()["token"] == written[-1]
    # every article's thread moved, the strict version did not
    assert all(caching.cache.get(caching.COMMENTS_KEY.format(a)) for a in range(3))
    assert caching.cache.get(caching.STRICT_KEY) is None


# Outside a transaction, as a request's writes are (each change commits by itself).
@pytest.mark.django_db(transaction=True)
def test_a_bulk_action_writes_again_once_the_interval_has_passed(monkeypatch):
    monkeypatch.setattr(caching, "COALESCE_SECONDS", 0.05)
    written = count_version_writes(monkeypatch)
    with caching.coalesced():
        caching.bump(content=True, comments_of=1, only_adds=True)
        time.sleep(0.06)
        caching.bump(content=True, comments_of=2, only_adds=True)
        assert len(written) == 2


# Outside a transaction, as a request's writes are (each change commits by itself).
@pytest.mark.django_db(transaction=True)
def test_a_removal_in_a_bulk_action_is_written_at_once_with_the_approvals_waiting(monkeypatch):
    written = count_version_writes(monkeypatch)
    with caching.coalesced():
        caching.bump(content=True, comments_of=1, only_adds=True)
        caching.bump(content=True, comments_of=2, only_adds=True)  # waits
        assert caching.cache.get(caching.COMMENTS_KEY.format(2)) is None
        caching.bump(content=True, comments_of=3)  # a removal
        assert len(written) == 2
        assert caching.cache.get(caching.STRICT_KEY) is not None
        assert caching.cache.get(caching.COMMENTS_KEY.format(2)) is not None
        assert caching.cache.get(caching.COMMENTS_KEY.format(3)) is not None


# Outside a transaction, as a request's writes are (each change commits by itself).
@pytest.mark.django_db(transaction=True)
def test_outside_a_bulk_action_every_approval_is_written_at_once(monkeypatch):
    written = count_version_writes(monkeypatch)
    for article_id in range(3):
        caching.bump(content=True, comments_of=article_id, only_adds=True)
    assert len(written) == 3
