"""Long threads in pages (comments.paging): N top-level threads a page with their replies,
page n at `<article>/comments/<n>/`, as cacheable as the article page, and every link to
a comment landing on the page that shows it."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from comments import notify
from comments.models import Comment, ModerationPolicy
from comments.moderation import change_status

T0 = timezone.now() - timedelta(days=1)


@pytest.fixture
def paged(db):
    """Set the policy's paging (saving it moves the content version, as the admin does)."""

    def set_policy(per_page=3, order="oldest"):
        policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
        policy.comments_per_page, policy.comment_order = per_page, order
        policy.save()

    set_policy()
    return set_policy


@pytest.fixture
def thread(make_comment):
    """Top-level comments one minute apart (oldest first), each with its time."""
    made = []

    def make(n, **fields):
        for _ in range(n):
            at = T0 + timedelta(minutes=len(made) + 1)
            made.append(make_comment(created_at=at, **fields))
        return made

    return make


def page_url(article, number):
    url = article.get_absolute_url()
    return url if number == 1 else f"{url}comments/{number}/"


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def shown_ids(response):
    return [int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', response.content.decode())]


def test_exactly_n_threads_is_one_page_without_a_pager(client, article, paged, thread):
    roots = thread(3)
    response = get(client, page_url(article, 1))
    assert shown_ids(response) == [c.pk for c in roots]
    assert 'class="comment-pager"' not in response.content.decode()
    get(client, page_url(article, 2), status=404)


def test_n_plus_one_threads_make_a_second_page(client, article, paged, thread):
    roots = thread(4)
    first = get(client, page_url(article, 1))
    assert shown_ids(first) == [c.pk for c in roots[:3]]
    second = get(client, page_url(article, 2))
    assert shown_ids(second) == [roots[3].pk]
    html = second.content.decode()
    # The whole article's count on every page; the page's own title and canonical URL.
    assert ">4 Comments</h2>" in html and ">4 Comments</h2>" in first.content.decode()
    assert "<title>Towns agree a flood plan · Comments, page 2 · " in html
    assert f'<link rel="canonical" href="http://testserver{page_url(article, 2)}">' in html
    assert f'<link rel="canonical" href="http://testserver{page_url(article, 1)}">' in (
        first.content.decode()
    )
    get(client, page_url(article, 3), status=404)


class _Pager(HTMLParser):
    """The pager's nav and its links: (attributes, text) each."""

    def __init__(self):
        super().__init__()
        self.nav, self.links, self._in_nav, self._link = None, [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("class") == "comment-pager":
            self.nav, self._in_nav = attrs, True
        elif tag == "a" and self._in_nav:
            self._link = [attrs, ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        elif tag == "nav":
            self._in_nav = False


def pager_of(response):
    parser = _Pager()
    parser.feed(response.content.decode())
    return parser


def test_the_pager_is_a_labelled_nav_with_the_current_page_and_prev_next(
    client, article, paged, thread
):
    thread(7)  # three pages of 3
    pager = pager_of(get(client, page_url(article, 2)))
    assert pager.nav["aria-label"] == "Comment pages"
    current = [(a, text) for a, text in pager.links if a.get("aria-current") == "page"]
    here = {"class": "comment-pager__page", "href": page_url(article, 2) + "#comments"}
    assert current == [({**here, "aria-current": "page"}, "Page 2")]
    rels = {a["rel"]: a["href"] for a, _text in pager.links if "rel" in a}
    assert rels == {
        "prev": page_url(article, 1) + "#comments",
        "next": page_url(article, 3) + "#comments",
    }
    assert [text for _a, text in pager.links] == [
        "← Previous comments page", "Page 1", "Page 2", "Page 3", "Next comments page →",
    ]  # fmt: skip
    last = pager_of(get(client, page_url(article, 3)))
    assert {a.get("rel") for a, _text in last.links} == {None, "prev"}


def test_replies_stay_with_their_thread_across_pages(client, article, paged, thread, make_comment):
    """A reply written after the later pages' threads is shown under its parent on page 1,
    not on page 2; a reply to a page-2 thread is on page 2."""
    roots = thread(4)
    late = make_comment(parent=roots[0], created_at=T0 + timedelta(hours=1))
    later = make_comment(parent=late, created_at=T0 + timedelta(hours=2))
    on_two = make_comment(parent=roots[3], created_at=T0 + timedelta(hours=3))
    assert shown_ids(get(client, page_url(article, 1))) == [
        roots[0].pk, late.pk, later.pk, roots[1].pk, roots[2].pk,
    ]  # fmt: skip
    assert shown_ids(get(client, page_url(article, 2))) == [roots[3].pk, on_two.pk]
    assert late.get_absolute_url() == f"{page_url(article, 1)}#comment-{late.pk}"
    assert on_two.get_absolute_url() == f"{page_url(article, 2)}#comment-{on_two.pk}"


def test_a_reply_whose_parent_is_hidden_counts_as_a_thread_of_its_own(
    client, article, paged, thread, make_comment
):
    """As the thread shows it (at the top level), so it is paged as one."""
    roots = thread(3)
    orphan = make_comment(parent=roots[0], created_at=T0 + timedelta(hours=1))
    change_status(roots[0], Comment.Status.TRASH, actor_label="test")
    assert shown_ids(get(client, page_url(article, 1))) == [roots[1].pk, roots[2].pk, orphan.pk]
    newer = make_comment(created_at=T0 + timedelta(hours=2))
    assert orphan.get_absolute_url() == f"{page_url(article, 1)}#comment-{orphan.pk}"
    assert shown_ids(get(client, page_url(article, 2))) == [newer.pk]


def test_newest_first_puts_the_latest_threads_on_page_one(client, article, paged, thread):
    paged(per_page=3, order="newest")
    roots = thread(4)
    assert shown_ids(get(client, page_url(article, 1))) == [c.pk for c in roots[:0:-1]]
    assert shown_ids(get(client, page_url(article, 2))) == [roots[0].pk]
    assert roots[0].get_absolute_url() == f"{page_url(article, 2)}#comment-{roots[0].pk}"


def test_a_link_to_a_comment_on_page_three_lands_on_page_three(
    client, article, paged, thread, make_comment
):
    roots = thread(8)  # pages of 3: roots 6 and 7 on page 3
    reply = make_comment(parent=roots[6], created_at=T0 + timedelta(hours=1))
    url = reply.get_absolute_url()
    assert url == f"{page_url(article, 3)}#comment-{reply.pk}"
    path, anchor = url.split("#")
    assert f'<li id="{anchor}"' in get(client, path).content.decode()
    # Every comment's link lands on a page that shows it.
    for comment in Comment.objects.filter(article=article):
        path, anchor = comment.get_absolute_url().split("#")
        assert f'<li id="{anchor}"' in get(client, path).content.decode()


def test_page_one_by_number_redirects_and_no_other_number_is_a_page(client, article, paged, thread):
    thread(4)
    response = get(client, f"{article.get_absolute_url()}comments/1/", status=301)
    assert response["Location"] == article.get_absolute_url()
    for bad in ("0", "00", "3", "99999999999999999999", "9223372036854775808", "2x", "-2"):
        get(client, f"{article.get_absolute_url()}comments/{bad}/", status=404)
    get(client, f"{article.get_absolute_url()}comments/02/", status=301)  # one URL per page


def test_page_two_is_cached_and_an_approval_shows_on_it_at_once(
    client, article, paged, thread, make_comment, moderator, django_assert_num_queries
):
    roots = thread(4)
    url = page_url(article, 2)
    first = get(client, url)
    assert "public" in first["Cache-Control"] and "s-maxage" in first["Cache-Control"]
    with django_assert_num_queries(0):
        assert shown_ids(get(client, url)) == [roots[3].pk]
    pending = make_comment(
        parent=roots[3], status=Comment.Status.PENDING, created_at=T0 + timedelta(hours=1)
    )
    assert shown_ids(get(client, url)) == [roots[3].pk]  # a pending comment moves nothing
    change_status(pending, Comment.Status.APPROVED, actor=moderator)
    assert shown_ids(get(client, url)) == [roots[3].pk, pending.pk]
    change_status(pending, Comment.Status.TRASH, actor=moderator)
    assert shown_ids(get(client, url)) == [roots[3].pk]


def test_query_counts_of_page_one_and_page_two(
    client, article, paged, thread, make_comment, django_assert_num_queries
):
    """Page 1 costs what the article page does (6 with its tags: the path's categories, the
    trail and the masthead in one query; + 2 for the schedule after a change); page 2 needs
    no category lookup but reads the thread to know the page exists (7 + 2), even when the
    thread's fragment is cached. Both: 0 from the page cache, and
    the same with 4 threads as with 40 (one page, then fourteen)."""
    thread(4)
    for n in (4, 40):
        thread(n - Comment.objects.filter(article=article).count())
        for number, queries in ((1, 6), (2, 7)):
            cache.clear()
            with django_assert_num_queries(queries + 2):
                get(client, page_url(article, number))
            with django_assert_num_queries(0):
                get(client, page_url(article, number))
    # The thread fragments warm, the pages not (a new content version, the same comments
    # version): page 1 skips the thread's query, page 2 not.
    for number in (1, 2):
        get(client, page_url(article, number))
    ModerationPolicy.objects.get(pk=1).save()
    with django_assert_num_queries(5 + 2):
        get(client, page_url(article, 1))
    # The schedule read now: the policy is read by the comments (one query here, where the
    # cache is each process's own; from the shared cache in production).
    with django_assert_num_queries(1 + 7):
        get(client, page_url(article, 2))


def test_comment_pages_are_not_in_the_sitemaps(client, article, paged, thread):
    thread(7)
    get(client, page_url(article, 3))
    sitemap = get(client, "/sitemap-articles.xml").content.decode()
    assert f"{article.get_absolute_url()}</loc>" in sitemap
    assert "/comments/" not in sitemap


def test_a_reply_posted_to_page_two_comes_back_to_page_two_with_its_preview(
    client, article, paged, thread, post
):
    """The redirect after posting lands on the page the pending reply shows on, and the
    author's preview shows it there (their own page, private)."""
    roots = thread(4)
    response = post(parent=str(roots[3].pk), comment="My reply, on page two.")
    reply = Comment.objects.get(body="My reply, on page two.")
    assert reply.status == Comment.Status.PENDING
    assert response["Location"] == f"{page_url(article, 2)}#comment-{reply.pk}"
    own = get(client, page_url(article, 2))
    assert "My reply, on page two." in own.content.decode()
    assert "private" in own["Cache-Control"]
    shared = get(type(client)(), page_url(article, 2))  # another reader: the shared page
    assert "public" in shared["Cache-Control"]
    assert "My reply, on page two." not in shared.content.decode()
    # A new top-level comment lands on the last page, one more page if it needs one.
    thread(2)
    response = post(comment="A new thread.")
    new = Comment.objects.get(body="A new thread.")
    assert response["Location"] == f"{page_url(article, 3)}#comment-{new.pk}"
    assert "A new thread." in get(client, page_url(article, 3)).content.decode()
    assert "A new thread." not in get(type(client)(), page_url(article, 2)).content.decode()


def test_admin_view_on_site_and_reply_links_land_on_the_page(
    admin_client, article, paged, thread, make_comment
):
    roots = thread(4)
    reply = make_comment(parent=roots[3], created_at=T0 + timedelta(hours=1))
    ct = ContentType.objects.get_for_model(Comment)
    response = admin_client.get(f"/admin/r/{ct.pk}/{reply.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(article, 2)}#comment-{reply.pk}")
    change = admin_client.get(f"/admin/comments/comment/{reply.pk}/change/").content.decode()
    assert f'href="{page_url(article, 2)}#comment-{reply.pk}"' in change


def test_held_reply_mail_links_the_parent_on_its_page(
    article, paged, thread, make_comment, moderator, settings
):
    roots = thread(4)
    held = make_comment(
        parent=roots[3],
        status=Comment.Status.PENDING,
        verdict=Comment.Verdict.HAM,
        created_at=T0 + timedelta(hours=1),
    )
    assert notify.send_held_mail(held.pk) == 1
    body = mail.outbox[-1].body
    expected = f"{settings.SITE_URL}{page_url(article, 2)}#comment-{roots[3].pk}"
    assert f"In reply to: {roots[3].author_name} ({expected})" in body


def test_a_reader_with_cookies_gets_page_two_shared_with_their_form(
    article, paged, thread, django_assert_num_queries
):
    thread(4)
    shared = get(Client(), page_url(article, 2)).content.decode()
    reader = Client()
    reader.cookies["comment_author"] = "Ada%20Reader"
    with django_assert_num_queries(0):
        response = get(reader, page_url(article, 2))
    html = response.content.decode()
    assert 'value="Ada Reader"' in html and "private" in response["Cache-Control"]
    assert html.split('<div id="respond"')[0] == shared.split("<!--personal:form:")[0]


def test_page_two_has_one_url(client, article, paged, thread, make_category):
    """`?page=` (which would only make copies in the page cache) goes, as on the article;
    an article moved to another section: its old path answers with the new page 2."""
    thread(4)
    response = get(client, page_url(article, 2) + "?page=3", status=301)
    assert response["Location"] == page_url(article, 2)
    old = page_url(article, 2)
    article.category = make_category("opinion")
    article.save()
    assert get(client, old, status=301)["Location"] == page_url(article, 2)


def test_reply_without_javascript_on_page_two(client, article, paged, thread):
    """`?replytocom=` from page 2's reply link puts the form under that comment there."""
    roots = thread(4)
    html = get(client, f"{page_url(article, 2)}?replytocom={roots[3].pk}").content.decode()
    assert f"Leave a Reply to <bdi>{roots[3].author_name}</bdi>" in html
    assert f'name="parent" value="{roots[3].pk}"' in html
