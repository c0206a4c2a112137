"""Comment feeds (comments.feeds): the site's and one article's, approved comments only,
the latest 50, XML-safe whatever a row holds, no e-mail address, cached and invalidated
like the other feeds, each item linking to the page that shows the comment."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, ModerationPolicy
from comments.moderation import change_status

T0 = timezone.now() - timedelta(days=1)
DC = "{http://purl.org/dc/elements/1.1/}"


def feed_url(article=None):
    return f"{article.get_absolute_url()}comments/feed/" if article else "/comments/feed/"


def items(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # well-formed XML, or raises
    return channel, channel.findall("item")


def guids(found):
    return [item.findtext("guid").rsplit("-", 1)[1] for item in found]


def test_an_articles_feed_lists_its_approved_comments_newest_first(
    client, article, make_article, make_comment
):
    older = make_comment(body="First thought.", created_at=T0)
    newer = make_comment(body="Second thought.", created_at=T0 + timedelta(minutes=1))
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH):
        make_comment(body=f"Not public: {status}.", status=status)
    make_comment(article=make_article(slug="elsewhere"), body="On another article.")
    channel, found = items(client, feed_url(article))
    assert guids(found) == [str(newer.pk), str(older.pk)]
    assert channel.findtext("title").startswith("Comments on “Towns agree a flood plan”")
    text = ET.tostring(channel, encoding="unicode")
    assert "Not public" not in text and "another article" not in text
    item = found[0]
    assert item.findtext("title") == f"Comment on “Towns agree a flood plan” by {newer.author_name}"
    assert (
        item.findtext("link")
        == f"http://example.com{article.get_absolute_url()}#comment-{newer.pk}"
    )
    assert item.findtext(f"{DC}creator") == newer.author_name
    assert "Second thought." in item.findtext("description")


def test_the_site_feed_lists_approved_comments_on_published_articles_only(
    client, article, make_article, make_comment
):
    other = make_article(slug="elsewhere")
    draft = make_article(slug="draft", status=Article.Status.DRAFT)
    on_article = make_comment(created_at=T0)
    on_other = make_comment(article=other, created_at=T0 + timedelta(minutes=1))
    make_comment(article=draft, body="On a draft.")
    make_comment(status=Comment.Status.PENDING, body="Pending.")
    _channel, found = items(client, feed_url())
    assert guids(found) == [str(on_other.pk), str(on_article.pk)]


def test_feeds_hold_the_latest_50_and_no_email_address(client, article, make_comment):
    made = [make_comment(created_at=T0 + timedelta(minutes=n)) for n in range(52)]
    for url in (feed_url(article), feed_url()):
        response = client.get(url)
        _channel, found = items(client, url)
        assert guids(found) == [str(c.pk) for c in reversed(made[2:])]
        assert b"@example.com" not in response.content and b"<author>" not in response.content


def test_a_hostile_comment_keeps_the_feed_valid_xml(client, article, make_comment):
    """Control characters written around the model (raw SQL; PostgreSQL stores no NUL) are
    dropped; markup is text."""
    comment = make_comment(body="<script>alert(1)</script> & <b>bold</b>")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE comments_comment SET author_name = %s, body_html = %s WHERE id = %s",
            ["Eve\x01\x0b\x1f\ufffe", "<p>Bad\x02\x08 <script>x</script>\x1b</p>", comment.pk],
        )
    for url in (feed_url(article), feed_url()):
        _channel, found = items(client, url)
        item = found[0]
        # U+000B (a pasted line break) becomes a space; the others are dropped.
        assert item.findtext(f"{DC}creator") == "Eve "
        assert item.findtext("description") == "<p>Bad <script>x</script></p>"
        assert item.findtext("title").endswith("by Eve ")
    # The stored HTML escapes the reader's markup: an RSS reader shows it as text.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE comments_comment SET body_html = '' WHERE id = %s", [comment.pk])
    cache.clear()  # a write around the model moves no version
    _channel, found = items(client, feed_url(article))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found[0].findtext("description")


def test_feeds_are_cached_and_an_approval_or_unapproval_shows_at_once(
    client, article, make_comment, moderator, django_assert_num_queries
):
    make_comment(created_at=T0)
    pending = make_comment(status=Comment.Status.PENDING)
    for url in (feed_url(article), feed_url()):
        assert len(items(client, url)[1]) == 1
        with django_assert_num_queries(0):
            assert len(items(client, url)[1]) == 1
    change_status(pending, Comment.Status.APPROVED, actor=moderator)
    for url in (feed_url(article), feed_url()):
        assert guids(items(client, url)[1])[0] == str(pending.pk)
    change_status(pending, Comment.Status.PENDING, actor=moderator)
    for url in (feed_url(article), feed_url()):
        assert str(pending.pk) not in guids(items(client, url)[1])


def test_feed_queries_do_not_grow(client, article, make_comment, django_assert_num_queries):
    """The site's schedule (2), the comments with their articles, then the threads of
    those articles for the page links: one query each, however many comments."""
    items(client, feed_url())  # Django's current Site, read once a process
    make_comment()
    with django_assert_num_queries(2 + 2):
        items(client, feed_url())
    for _ in range(30):
        make_comment()
    with django_assert_num_queries(2 + 2):
        items(client, feed_url())


def test_items_link_to_the_page_of_a_long_thread(client, article, make_comment):
    policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
    policy.comments_per_page = 2
    policy.save()
    made = [make_comment(created_at=T0 + timedelta(minutes=n)) for n in range(5)]
    reply = make_comment(parent=made[0], created_at=T0 + timedelta(hours=1))
    _channel, found = items(client, feed_url(article))
    links = {item.findtext("guid").rsplit("-", 1)[1]: item.findtext("link") for item in found}
    base = f"http://example.com{article.get_absolute_url()}"
    assert links[str(reply.pk)] == f"{base}#comment-{reply.pk}"
    assert links[str(made[2].pk)] == f"{base}comments/2/#comment-{made[2].pk}"
    assert links[str(made[4].pk)] == f"{base}comments/3/#comment-{made[4].pk}"


def test_article_page_links_its_comment_feed(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Comments on Towns agree a '
        f'flood plan (RSS)" href="{feed_url(article)}">'
    ) in html


@pytest.mark.parametrize(
    "path", ["/today/world/nowhere/comments/feed/", "/today/floods/comments/feed/"]
)
def test_no_such_article_no_feed(client, article, path):
    assert client.get(path).status_code == 404


def test_no_feed_for_a_draft(client, make_article):
    draft = make_article(slug="draft", status=Article.Status.DRAFT)
    assert client.get(feed_url(draft)).status_code == 404
