"""Characters XML 1.0 forbids never break a feed, a sitemap or a page.

A word processor pastes U+000B for Shift+Enter (U+000C for a page break, U+0008 as a stray
backspace); one of them in a title or a standfirst made every feed answer 500 and the news
sitemap unparseable. Articles and categories drop them on save; feeds and sitemaps drop
them again on output, for a row that reached the database another way.

Each test runs once per forbidden character, with that character in every text field (one
article, its section and its parent section), and reads every feed and every sitemap.
"""

import importlib
import json
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DataError, connection, migrations, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Category
from articles.xmltext import has_xml_forbidden, xml_safe

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FEEDS = [
    "/feed/",
    "/feed/atom/",
    "/today/feed/",
    "/today/feed/atom/",
    "/today/world/feed/",
    "/today/world/feed/atom/",
]
# Every character XML 1.0 forbids: C0 controls but tab, LF and CR; a lone surrogate;
# the two non-characters U+FFFE and U+FFFF.
FORBIDDEN = [
    *map(chr, range(0x00, 0x09)),
    "\x0b",
    "\x0c",
    *map(chr, range(0x0E, 0x20)),
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
]
BREAKS = "\x0b\x0c"  # line and page breaks: they become a space, words stay apart


def char_id(ch):
    return f"U+{ord(ch):04X}"


forbidden_characters = pytest.mark.parametrize("ch", FORBIDDEN, ids=char_id)


def dirty(ch):
    """The text of each field, with `ch` inside every value."""
    return {
        "article": {
            "title": f"Floods{ch}agreed",
            "standfirst": f"pasted from Word{ch}second line",
            "body": f"<p>Body{ch}text</p>",
            "image_alt": f"A river{ch}in flood",
            "image_caption": f"The river{ch}at noon",
            "meta_description": f"Towns agree{ch}to share",
        },
        "today": {"name": f"To{ch}day", "description": f"Top{ch}stories"},
        "world": {"name": f"World{ch}wide", "description": f"News{ch}from abroad"},
    }


def cleaned(text, ch):
    return text.replace(ch, " " if ch in BREAKS else "")


def storable(ch):
    """Whether the database stores `ch` as it is. Neither database takes a lone surrogate
    (it has no UTF-8 encoding); PostgreSQL refuses NUL in text, SQLite keeps it."""
    if "\ud800" <= ch <= "\udfff":
        return False
    return not (ch == "\x00" and connection.vendor == "postgresql")


def xml_strings(content):
    """Every text and attribute value of an XML document (which must parse)."""
    root = ET.fromstring(content)
    strings = []
    for element in root.iter():
        strings += [element.text or "", element.tail or "", *element.attrib.values()]
    return strings


def sitemap_urls(client):
    """/sitemap.xml and every part it lists, then the news sitemap."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    parts = [urlparse(loc.text).path for loc in ET.fromstring(response.content).iter(f"{SM}loc")]
    assert parts == [
        "/sitemap-pages.xml",
        "/sitemap-sections.xml",
        "/sitemap-articles.xml",
        "/sitemap-authors.xml",
        "/sitemap-tags.xml",
    ]
    return ["/sitemap.xml", *parts, "/sitemap-news.xml"]


def assert_every_feed_and_sitemap_parses(client, article, expected):
    """Each feed and sitemap answers 200 with XML that parses and holds the texts cleaned."""
    texts = {}
    for url in FEEDS + sitemap_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = " | ".join(xml_strings(response.content))
    a, today, world = expected["article"], expected["today"], expected["world"]
    for url in FEEDS:
        assert a["title"] in texts[url], url
        assert a["standfirst"] in texts[url], url
        assert world["name"] in texts[url], url  # the item's category
    for url in ["/today/feed/", "/today/feed/atom/"]:
        assert f"{today['name']} · " in texts[url]
        assert today["description"] in texts[url]
    for url in ["/today/world/feed/", "/today/world/feed/atom/"]:
        assert f"{world['name']} · " in texts[url]
        assert world["description"] in texts[url]
    assert a["title"] in texts["/sitemap-news.xml"]
    assert article.get_absolute_url() in texts["/sitemap-articles.xml"]
    assert "/today/world/" in texts["/sitemap-sections.xml"]


def assert_article_page_renders(client, article, expected):
    """The HTML page: 200, its <title>, meta description and JSON-LD hold the clean text."""
    a = expected["article"]
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{a['title']} · " in html
    assert f'<meta name="description" content="{a["meta_description"]}">' in html
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    news, breadcrumb = (json.loads(block) for block in blocks)
    assert news["headline"] == a["title"]
    assert news["description"] == a["meta_description"]
    assert news["articleSection"] == f"{expected['today']['name']} › {expected['world']['name']}"
    assert [item["name"] for item in breadcrumb["itemListElement"]][1:] == [
        expected["today"]["name"],
        expected["world"]["name"],
        a["title"],
    ]


@pytest.fixture
def make_site(db):
    """`today › world` and one published article in it, with the given field values."""

    def make(values):
        today = Category.objects.create(slug="today", **values["today"])
        world = Category.objects.create(slug="world", parent=today, **values["world"])
        return Article.objects.create(
            slug="floods", category=world, status=Article.Status.PUBLISHED, **values["article"]
        )

    return make


def expected_values(ch):
    return {
        key: {field: cleaned(text, ch) for field, text in fields.items()}
        for key, fields in dirty(ch).items()
    }


@forbidden_characters
def test_saved_text_loses_the_character_and_every_feed_and_sitemap_parses(client, make_site, ch):
    article = make_site(dirty(ch))
    expected = expected_values(ch)

    article.refresh_from_db()
    for field, value in expected["article"].items():
        assert getattr(article, field) == value, field
    assert article.body_text == cleaned(f"Body{ch}text", ch)
    for key in ["today", "world"]:
        category = Category.objects.get(slug=key)
        assert category.name == expected[key]["name"]
        assert category.description == expected[key]["description"]

    assert_every_feed_and_sitemap_parses(client, article, expected)
    assert_article_page_renders(client, article, expected)


@forbidden_characters
def test_a_row_updated_around_save_still_gives_parseable_feeds_and_sitemaps(client, make_site, ch):
    """`.update()` (or raw SQL, an import, a restore) skips save(): the feeds and sitemaps
    drop the character on output. The author's name (a user, not an article field) too."""
    if not storable(ch):
        pytest.skip(f"{connection.vendor} cannot store {char_id(ch)}")
    clean_text = {key: {f: "x" for f in fields} for key, fields in dirty(ch).items()}
    article = make_site(clean_text)
    author = get_user_model().objects.create_user("ed", first_name="Ed", last_name="Itor")
    article.authors.add(author)

    values = dirty(ch)
    Article.objects.filter(pk=article.pk).update(**values["article"])
    for key in ["today", "world"]:
        Category.objects.filter(slug=key).update(**values[key])
    get_user_model().objects.filter(pk=author.pk).update(first_name=f"E{ch}d")
    article = Article.objects.get(pk=article.pk)
    assert article.title == values["article"]["title"]  # stored as it came

    assert_every_feed_and_sitemap_parses(client, article, expected_values(ch))
    for url in FEEDS:
        assert cleaned(f"E{ch}d Itor", ch) in " | ".join(xml_strings(client.get(url).content))

    # HTML pages are not XML: they render the text as stored, and their JSON-LD (json.dumps
    # escapes control characters) still parses.
    for url in [article.get_absolute_url(), "/today/world/", "/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            data = json.loads(block)
            if data["@type"] == "NewsArticle":
                assert data["headline"] == values["article"]["title"]


def test_the_admin_saves_the_cleaned_text_without_an_error(editor_client, world):
    """Pasted from a word processor: saved without the characters, no form error."""
    response = editor_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Floods\x0bagreed",
            "slug": "floods",
            "category": world.pk,
            "standfirst": "pasted from Word\x0bsecond\x08 line",
            "body": "<p>Body\x01text</p>",
            "image_caption": "The river\x0cat noon",
            "status": "draft",
            "published_at_0": "2026-05-01",
            "published_at_1": "12:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="floods")
    assert article.title == "Floods agreed"
    assert article.standfirst == "pasted from Word second line"
    assert article.body == "<p>Bodytext</p>"
    assert article.image_caption == "The river at noon"
    change = editor_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert 'value="Floods agreed"' in change.content.decode()


def test_full_clean_cleans_before_it_validates(world, image_upload):
    """An alt text of nothing but control characters is no alt text."""
    article = Article(
        title="T\x08", slug="t", category=world, image=image_upload(), image_alt="\x01\x02"
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert list(error.value.message_dict) == ["image_alt"]
    assert article.title == "T"
    category = Category(slug="opinion", name="Opin\x0bion", description="\x1fViews")
    category.full_clean()
    assert (category.name, category.description) == ("Opin ion", "Views")


@pytest.mark.parametrize(
    "text,expected",
    [
        (None, None),
        ("", ""),
        ("Tab\tLF\nCR\r stay", "Tab\tLF\nCR\r stay"),
        ("line\x0bbreak\x0cpage", "line break page"),
        ("back\x08space\x00nul\x1fus", "backspacenulus"),
        ("lone\ud800\udfffsurrogates", "lonesurrogates"),
        ("non\ufffechar\uffffacters", "noncharacters"),
        ("\x7f\x85\u2028 and 😀 are allowed", "\x7f\x85\u2028 and 😀 are allowed"),
    ],
)
def test_xml_safe(text, expected):
    assert xml_safe(text) == expected
    assert has_xml_forbidden(text) == (text != expected)


@forbidden_characters
def test_a_slug_updated_around_save_gives_percent_encoded_links(client, make_site, ch):
    """Slugs and paths are never cleaned for XML: they reach feeds and sitemaps only as
    URLs, which reverse() percent-encodes."""
    if not storable(ch):
        pytest.skip(f"{connection.vendor} cannot store {char_id(ch)}")
    article = make_site({key: {f: "x" for f in fields} for key, fields in dirty(ch).items()})
    Article.objects.filter(pk=article.pk).update(slug=f"flo{ch}ods")
    Category.objects.filter(slug="world").update(slug=f"wor{ch}ld", path=f"today/wor{ch}ld")
    article = Article.objects.select_related("category").get(pk=article.pk)
    url = article.get_absolute_url()
    assert ch not in url and "%" in url
    for feed in ["/feed/", "/feed/atom/", "/today/feed/", "/today/feed/atom/"]:
        assert any(url in s for s in xml_strings(client.get(feed).content)), feed
    for sitemap in ["/sitemap-sections.xml", "/sitemap-articles.xml", "/sitemap-news.xml"]:
        response = client.get(sitemap)
        assert response.status_code == 200
        xml_strings(response.content)


migration = importlib.import_module("articles.migrations.0004_drop_xml_forbidden_characters")


@forbidden_characters
def test_the_migration_cleans_only_the_rows_holding_one(make_site, ch):
    """Rows saved before the fix: the text fields are cleaned, one UPDATE a dirty row, the
    clean rows untouched; slugs and paths are left as they are (they are URLs)."""
    if not storable(ch):
        pytest.skip(f"{connection.vendor} cannot store {char_id(ch)}")
    article = make_site({key: {f: "x" for f in fields} for key, fields in dirty(ch).items()})
    bystander = Article.objects.create(
        slug="bystander", category=article.category, title="Clean", standfirst="Clean too"
    )
    values = dirty(ch)
    Article.objects.filter(pk=article.pk).update(
        **values["article"], body_text=f"Body{ch}text", slug=f"flo{ch}ods"
    )
    Category.objects.filter(slug="world").update(**values["world"])
    before = Article.objects.get(pk=article.pk).updated_at
    # The database's regex finds exactly the dirty rows.
    pattern = migration.PATTERNS[connection.vendor]
    assert list(Article.objects.filter(standfirst__regex=pattern)) == [article]
    assert list(Category.objects.filter(name__regex=pattern).values_list("slug", flat=True)) == [
        "world"
    ]

    with CaptureQueriesContext(connection) as queries:
        migration.drop_forbidden_characters(django_apps, SimpleNamespace(connection=connection))
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2  # the article and World; not Today, not the bystander

    expected = expected_values(ch)
    article = Article.objects.get(pk=article.pk)
    for field, value in expected["article"].items():
        assert getattr(article, field) == value, field
    assert article.body_text == cleaned(f"Body{ch}text", ch)
    assert article.slug == f"flo{ch}ods"
    assert article.updated_at == before
    world = Category.objects.get(pk=article.category_id)
    assert (world.name, world.description) == (
        expected["world"]["name"],
        expected["world"]["description"],
    )
    bystander.refresh_from_db()
    assert (bystander.title, bystander.standfirst) == ("Clean", "Clean too")


def test_the_migration_reverses_as_a_no_op():
    (operation,) = migration.Migration.operations
    assert operation.reversible
    assert operation.reverse_code is migrations.RunPython.noop


@forbidden_characters
def test_what_the_database_stores(make_site, ch):
    """What `storable()` assumes: a row updated around save() keeps the character, or the
    database refuses it outright (a lone surrogate anywhere, NUL on PostgreSQL)."""
    article = make_site({key: {f: "x" for f in fields} for key, fields in dirty(ch).items()})
    rows = Article.objects.filter(pk=article.pk)
    if storable(ch):
        rows.update(title=f"a{ch}b")
        assert Article.objects.get(pk=article.pk).title == f"a{ch}b"
    else:
        # UnicodeEncodeError for a surrogate; psycopg's DataError for NUL.
        with pytest.raises((UnicodeEncodeError, DataError)), transaction.atomic():
            rows.update(title=f"a{ch}b")
