"""The thread as HTML: hostile text escaped, links only where safe and always nofollow ugc,
threading in Python from one query, and a page whose query count does not grow."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import text
from comments.models import Comment


def page(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def thread_html(html):
    return html.split('<section id="comments"')[1].split('<div id="respond"')[0]


@pytest.mark.parametrize(
    ("body", "expected", "absent"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert"),
        ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)", "<img"),
        ("javascript:alert(1)", "javascript:alert(1)", 'href="javascript'),
        ("data:text/html;base64,PHNjcmlwdD4=", "data:text/html;base64,PHNjcmlwdD4=", 'href="data'),
        ('http://x.example/"onmouseover="alert(1)', 'href="http://x.example/"', '"onmouseover="'),
        ("&amp; &lt;", "&amp;amp; &amp;lt;", None),
    ],
)
def test_hostile_text_is_escaped(client, article, make_comment, body, expected, absent):
    make_comment(body=body)
    html = thread_html(page(client, article))
    assert expected in html
    if absent:
        assert absent not in html


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", " javascript:alert(1)", "//evil.example"],
)
def test_a_stored_script_website_never_becomes_a_link(client, article, make_comment, url):
    """Even a value that got past the form (an import, the shell) is not linked."""
    make_comment(author_name="Mallory", author_url=url)
    html = thread_html(page(client, article))
    assert "<bdi>Mallory</bdi>" in html
    assert '<a href="' + url.strip() not in html
    assert 'rel="nofollow ugc noopener"><bdi>Mallory' not in html


def test_author_name_links_to_the_website_nofollow_ugc(client, article, make_comment):
    make_comment(author_name='Ada "<b>"', author_url="https://ada.example/?a=1&b=2")
    html = thread_html(page(client, article))
    assert (
        '<a href="https://ada.example/?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "<bdi>Ada &quot;&lt;b&gt;&quot;</bdi></a>"
    ) in html


def test_rtl_override_stays_inside_the_comment(client, article, make_comment):
    """The override character is kept as text, but isolated: in its own <bdi> or paragraph."""
    make_comment(author_name="gpj.\u202eexe", body="Look \u202eevil.exe\nnext line")
    html = thread_html(page(client, article))
    assert "<bdi>gpj.\u202eexe</bdi>" in html
    assert '<p dir="auto">Look \u202eevil.exe<br>next line</p>' in html


def test_line_breaks_and_paragraphs_are_kept():
    html = text.render("First line\nsecond line\n\n\nNew paragraph\r\nend")
    assert html == (
        '<p dir="auto">First line<br>second line</p><p dir="auto">New paragraph<br>end</p>'
    )


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("see https://example.com/a?b=1&c=2.", '<a href="https://example.com/a?b=1&amp;c=2" '),
        ("(www.example.com/path)", '<a href="http://www.example.com/path" '),
        (
            "https://en.wikipedia.org/wiki/Foo_(bar)!",
            'href="https://en.wikipedia.org/wiki/Foo_(bar)"',
        ),
        ("HTTP://EXAMPLE.COM", '<a href="HTTP://EXAMPLE.COM" '),
    ],
)
def test_bare_urls_are_linked_nofollow_ugc(source, link):
    html = text.render(source)
    assert link in html
    assert 'rel="nofollow ugc noopener"' in html


@pytest.mark.parametrize("source", ["http://", "https://localhost", "mailto:a@b.c", "ftp://x.org"])
def test_not_everything_is_a_link(source):
    assert "<a " not in text.render(source)


def test_65526_characters_never_reach_the_page(post, client, article):
    """Refused at the door (see test_forms), so nothing that long is ever rendered."""
    assert post(comment="x" * 65526).status_code == 400
    assert not Comment.objects.exists()


def test_replies_are_threaded_oldest_first(client, article, make_comment):
    first = make_comment(body="First.")
    second = make_comment(body="Second.")
    reply = make_comment(parent=first, body="Reply to first.")
    nested = make_comment(parent=reply, body="Reply to reply.")
    html = thread_html(page(client, article))
    order = [int(i) for i in re.findall(r'<li id="comment-(\d+)"', html)]
    assert order == [first.pk, reply.pk, nested.pk, second.pk]
    inner = html.split(f'id="comment-{first.pk}"')[1].split(f'id="comment-{second.pk}"')[0]
    assert inner.count('class="comment-list comment-list--replies"') == 2


def test_a_reply_whose_parent_is_hidden_moves_up(client, article, make_comment):
    parent = make_comment(body="Parent.")
    make_comment(parent=parent, body="Orphan.")
    Comment.objects.filter(pk=parent.pk).update(status="trash")
    html = thread_html(page(client, article))
    assert "Orphan." in html and "Parent." not in html


def test_reply_links_stop_at_the_thread_depth(client, article, make_comment):
    comment = None
    for _ in range(5):
        comment = make_comment(parent=comment)
    html = thread_html(page(client, article))
    assert html.count('class="comment__reply"') == 4
    assert f'data-reply-to="{comment.pk}"' not in html


def test_reply_without_javascript(client, article, make_comment):
    """?replytocom=<id> sets the form's parent and says whom it replies to."""
    parent = make_comment(author_name="Bea")
    html = page(client, article, f"?replytocom={parent.pk}")
    assert "Leave a Reply to <bdi>Bea</bdi>" in html
    assert f'name="parent" value="{parent.pk}"' in html
    pending = make_comment(status="pending")
    html = page(client, article, f"?replytocom={pending.pk}")
    assert "Leave a Comment" in html and 'name="parent" value=' not in html


def test_the_page_links_its_stylesheet_and_script_without_inline_code(client, article):
    html = page(client, article)
    assert re.search(r'<link rel="stylesheet" href="/static/css/comments\.[0-9a-f]+\.css">', html)
    assert re.search(r'<script src="/static/js/comments\.[0-9a-f]+\.js" defer></script>', html)
    assert not re.search(r"<script>(?!\s*$)", html)
    assert not re.search(r"\son[a-z]+=", thread_html(html))


def queries_for(client, article):
    """(cold, warm): the queries of the page with an empty cache, then from the cache."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            page(client, article)
        counts.append(len(captured))
    return tuple(counts)


def test_query_count_does_not_grow_with_comments(
    client, article, make_comment, make_article, django_assert_num_queries
):
    """The article page costs as many queries with 300 approved comments (threaded three
    deep) as with 3."""
    for _ in range(3):
        make_comment()
    few = queries_for(client, article)

    big = make_article(slug="busy")
    top = [make_comment(article=big) for _ in range(100)]
    replies = [make_comment(article=big, parent=c) for c in top]
    for c in replies:
        make_comment(article=big, parent=c)
    assert Comment.objects.approved().filter(article=big).count() == 300
    assert queries_for(client, big) == few == (8, 0)
    assert ">300 Comments</h2>" in page(client, big)


def test_query_count_is_asserted_exactly(
    client, article, make_comment, django_assert_num_queries, django_user_model
):
    """Six: the path's categories (the lookup, the trail and the sections in one), the
    article, its authors, its tags, the "more from" teasers (an untagged article), then
    the comments (one query for the whole thread); after a change, two more for the site's
    schedule (shared by every page), the first of them the policy, read once a request
    (the comments section reuses it).
    A signed-in reader gets the shared page with their own form: 2 queries (the session,
    the user; the form's article is named by its mark in the page)."""
    make_comment(parent=make_comment())
    with django_assert_num_queries(6 + 2):
        page(client, article)
    with django_assert_num_queries(0):
        page(client, article)
    client.force_login(django_user_model.objects.create_user("reader"))
    with django_assert_num_queries(2):
        html = page(client, article)
    assert "csrfmiddlewaretoken" in html and 'value="reader"' in html


@pytest.mark.django_db
def test_a_markup_change_re_renders_the_cached_thread(client, article, make_comment, monkeypatch):
    """The thread fragment's key carries `render.MARKUP_VERSION`: after a change to the
    markup (and its version) a cached thread is assembled again, never served as it was;
    the same version keeps serving the cached fragment."""
    from django.utils.safestring import mark_safe

    from articles import caching, pagecache
    from comments import render

    monkeypatch.setattr(pagecache, "_recent", pagecache._RecentPages(size=0))
    make_comment(body="Kept in the fragment.")
    assert 'class="comment__content"' in page(client, article)
    # A new page (the content version moves) but the same comments: the fragment is reused.
    thread_html = render.thread_html

    def changed(*args):  # the markup, changed
        return mark_safe(thread_html(*args).replace("comment__content", "changed"))

    monkeypatch.setattr(render, "thread_html", changed)
    caching.bump(content=True)
    assert 'class="changed"' not in page(client, article)
    monkeypatch.setattr(render, "MARKUP_VERSION", render.MARKUP_VERSION + "-next")
    caching.bump(content=True)
    html = page(client, article)
    assert 'class="changed"' in html and "Kept in the fragment." in html
