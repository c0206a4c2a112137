"""What search engines and link previews read: JSON-LD, Open Graph, Twitter cards,
meta descriptions, one <h1> per page."""

import json
import re

import pytest
from django.utils import timezone


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {block["@type"]: block for block in map(json.loads, blocks)}


def meta(html, key):
    """The content of <meta property|name="key">."""
    found = re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert len(found) <= 1, key
    return found[0] if found else None


@pytest.fixture
def article(make_article, editor, image_upload):
    published = timezone.now() - timezone.timedelta(hours=5)
    article = make_article(
        title="Delta towns agree",
        standfirst="Eleven towns will pool money.",
        published_at=published,
        image=image_upload(2000, 1000),
        image_alt="A river",
    )
    article.authors.add(editor)
    return article


def test_news_article_jsonld_carries_headline_image_dates_author_and_section(client, article):
    data = jsonld(client.get(article.get_absolute_url()).content.decode())["NewsArticle"]
    article.refresh_from_db()
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Delta towns agree"
    assert data["description"] == "Eleven towns will pool money."
    assert data["datePublished"] == article.published_at.isoformat()
    assert data["dateModified"] == article.updated_at.isoformat()
    assert data["author"] == [{"@type": "Person", "name": "Ed Itor"}]
    assert data["articleSection"] == "Today › World"
    assert data["publisher"]["name"] == "The Newsroom"
    assert data["mainEntityOfPage"] == f"http://testserver{article.get_absolute_url()}"
    widths = [r["width"] for r in reversed(article.image_renditions)]
    assert [re.search(r"-(\d+)w\.jpg$", url)[1] for url in data["image"]] == [
        str(w) for w in widths
    ]
    assert all(url.startswith("http://testserver/media/renditions/") for url in data["image"])


def test_breadcrumb_jsonld_on_category_pages(client, world):
    data = jsonld(client.get("/today/world/").content.decode())["BreadcrumbList"]
    assert [(i["position"], i["name"], i["item"]) for i in data["itemListElement"]] == [
        (1, "Home", "http://testserver/"),
        (2, "Today", "http://testserver/today/"),
        (3, "World", "http://testserver/today/world/"),
    ]


def test_article_open_graph_and_twitter_card(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"http://testserver{article.get_absolute_url()}"
    largest = article.image_renditions[-1]["name"]
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == "Delta towns agree"
    assert meta(html, "og:url") == url
    assert meta(html, "og:description") == "Eleven towns will pool money."
    assert meta(html, "og:image") == f"http://testserver/media/{largest}"
    assert meta(html, "og:image:alt") == "A river"
    assert meta(html, "og:site_name") == "The Newsroom"
    assert meta(html, "article:section") == "World"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:title") == "Delta towns agree"
    assert meta(html, "description") == "Eleven towns will pool money."


def test_meta_description_prefers_the_editors_text(client, make_article):
    article = make_article(standfirst="Standfirst.", meta_description="For search engines.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert meta(html, "description") == "For search engines."
    assert meta(html, "og:description") == "For search engines."


def test_an_article_without_image_gets_a_small_card(client, make_article):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "og:image") is None
    assert "image" not in jsonld(html)["NewsArticle"]


def test_front_and_category_pages_describe_themselves(client, world, make_article):
    make_article()
    front = client.get("/").content.decode()
    assert meta(front, "description")
    assert meta(front, "og:type") == "website"
    section = client.get("/today/world/").content.decode()
    assert meta(section, "og:title") == "World"
    world.description = "Reports from abroad."
    world.save()
    assert meta(client.get("/today/world/").content.decode(), "description") == (
        "Reports from abroad."
    )


@pytest.mark.parametrize(
    "url", ["/", "/today/", "/today/world/", "ARTICLE", "/search/?q=delta", "/search/", "/nope/"]
)
def test_one_h1_per_page(client, article, url):
    if url == "ARTICLE":
        url = article.get_absolute_url()
    html = client.get(url).content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1, url
