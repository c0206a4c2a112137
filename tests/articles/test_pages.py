"""The front page's sections, the section pages' lead, the masthead, and the error pages."""

import re

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error


def ago(hours):
    return timezone.now() - timezone.timedelta(hours=hours)


def test_front_page_sections_follow_the_tree_with_featured_then_latest(
    client, make_category, make_article
):
    """Each top-level section shows its (and its subsections') articles: featured first."""
    news = make_category("news", position=0)
    world = make_category("world", parent=news)
    opinion = make_category("opinion", position=1)
    make_category("empty", position=2)
    lead = make_article(category=world, title="Lead", featured=1)
    old_featured = make_article(
        category=world, title="Old featured", featured=2, published_at=ago(90)
    )
    newest = make_article(category=news, title="Newest", published_at=ago(0.5))
    column = make_article(category=opinion, title="Column")
    context = client.get("/").context  # the next request would come from the page cache
    assert [(root.slug, articles) for root, articles in context["sections"]] == [
        ("news", [old_featured, newest]),  # the lead is on top of the page, not repeated
        ("opinion", [column]),
    ]
    assert context["lead"] == lead


def test_front_page_section_size_is_capped(client, make_article, world):
    for i in range(8):
        make_article(published_at=ago(i + 1))
    ((_root, articles),) = client.get("/").context["sections"]
    assert len(articles) == 5


def build_newsroom(make_category, make_article, prefix, roots, per_root, depth):
    for r in range(roots):
        parent = make_category(f"{prefix}{r}", position=r)
        for d in range(depth - 1):
            parent = make_category(f"level{d}", parent=parent)
        for _ in range(per_root):
            make_article(category=parent)


def test_front_page_queries_do_not_grow(
    client, make_category, make_article, django_assert_num_queries
):
    """Section leaders with the lead among them (+authors), latest, masthead (which gives
    the sections): 4 queries for 1 section of 2 articles and for 5 sections of 6 articles,
    3 deep (were 8), plus 2 for the site's schedule after a change (the policy, one
    aggregate; shared by every page until the next change). From the page cache: none."""
    build_newsroom(make_category, make_article, "a", roots=1, per_root=2, depth=1)
    with django_assert_num_queries(4 + 2):
        response = client.get("/")
    assert len(response.context["sections"]) == 1
    with django_assert_num_queries(0):
        client.get("/")
    build_newsroom(make_category, make_article, "b", roots=5, per_root=6, depth=3)
    with django_assert_num_queries(4 + 2):
        response = client.get("/")
    assert len(response.context["sections"]) == 6
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_category_page_leads_with_its_featured_article(client, world, make_article):
    make_article(title="Newest", published_at=ago(1))
    featured = make_article(title="Featured", featured=1, published_at=ago(48))
    response = client.get("/today/world/")
    assert response.context["lead"] == featured
    assert [a.title for a in response.context["articles"]] == ["Newest"]
    second = client.get("/today/world/?page=1")
    assert second.context["lead"] == featured


def test_masthead_lists_the_sections_and_marks_the_current_one(client, world, make_category):
    make_category("opinion", position=5)
    html = client.get("/today/world/").content.decode()
    nav = html.split('aria-label="Sections"')[1].split("</nav>")[0]
    assert nav.index(">Today<") < nav.index(">World<") < nav.index(">Opinion<")
    assert 'href="/today/world/" class="is-active" aria-current="page">World</a>' in nav
    assert 'href="/today/" class="is-active">Today</a>' in nav


def test_404_page_is_in_the_sites_style(client, world):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'aria-label="Sections"' in html  # the site's masthead
    assert 'role="search"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_500_page_renders_without_the_database():
    """Django's server_error renders 500.html with no context processors; no database
    access is allowed in this test (no db fixture), so any query would fail it."""
    request = RequestFactory().get("/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "The Newsroom" in html
    assert "/static/css/site." in html


@pytest.mark.parametrize("url", ["/", "/today/world/", "/search/?q=x", "/nope/"])
def test_pages_have_landmarks_and_a_skip_link(client, make_article, url):
    make_article()
    html = client.get(url).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert '<label class="visually-hidden" for="masthead-q">' in html


def test_pages_are_ready_for_a_strict_csp(client, make_article, image_upload):
    """No inline script but JSON-LD data (scripts only as same-origin files), no inline
    styles or event handlers, nothing loaded from another host (a later issue adds a strict
    Content-Security-Policy)."""
    article = make_article(image=image_upload(), image_alt="Picture")
    for url in ["/", "/today/", article.get_absolute_url(), "/search/?q=article", "/nope/"]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script[^>]*>", html)
        for tag in scripts:
            assert tag == '<script type="application/ld+json">' or re.fullmatch(
                r'<script src="/static/[^"]+\.js" defer>', tag
            ), (url, tag)
        assert not re.search(r"\sstyle=|\son[a-z]+=", html), url
        # Loaded resources (src=, <link href=>) come from this host; plain links may leave.
        foreign = r'src="(?:https?:)?//|<link rel="(?:stylesheet|icon)"[^>]+href="(?:https?:)?//'
        assert not re.search(foreign, html), url
