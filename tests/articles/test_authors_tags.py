"""Author pages, tags, "Related", their feeds, sitemaps, cache and admin."""

import importlib
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.authors import AuthorView
from articles.models import Article, Author, Tag
from articles.profileadmin import PHOTO_MAX_BYTES, AuthorForm
from articles.tags import TagView
from tests.articles.revision_helpers import make_person

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {block["@type"]: block for block in map(json.loads, blocks)}


@pytest.fixture
def writer(db):
    return get_user_model().objects.create_user("tb", first_name="Tomas", last_name="Brandt")


@pytest.fixture
def author(writer):
    return Author.objects.create(
        user=writer,
        name="Tomas Brandt",
        slug="tomas-brandt",
        role="Transport reporter",
        bio='<p>Rides <em>night trains</em>.<script>alert(1)</script><img src=x onerror="x"></p>',
    )


@pytest.fixture
def writer_client(db):
    from django.test import Client

    client = Client()
    client.force_login(make_person("wendy", "Writers"))
    return client


def by(writer, article):
    article.authors.add(writer)
    return article


# --- the author page ------------------------------------------------------------------


def test_author_page_shows_the_profile_and_only_published_articles(
    client, author, writer, make_article
):
    by(writer, make_article(title="Night trains return"))
    by(writer, make_article(title="Unfinished draft", status=Article.Status.DRAFT))
    make_article(title="Someone else's story")
    response = client.get("/author/tomas-brandt/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tomas Brandt</h1>" in html
    assert "Transport reporter" in html
    assert "Night trains return" in html
    assert "Unfinished draft" not in html and "Someone else" not in html
    assert "<em>night trains</em>" in html  # the bio's markup, sanitised
    assert "<script>alert" not in html and "onerror" not in html
    assert 'href="/author/tomas-brandt/feed/"' in html
    person = jsonld(html)["Person"]
    assert person["name"] == "Tomas Brandt"
    assert person["jobTitle"] == "Transport reporter"
    assert person["url"] == "http://testserver/author/tomas-brandt/"


def test_the_bio_is_sanitised_when_saved(author):
    author.refresh_from_db()
    assert "<script" not in author.bio and "onerror" not in author.bio
    assert "<em>night trains</em>" in author.bio


def test_an_author_with_no_published_article_has_no_page(client, author, writer, make_article):
    assert client.get("/author/tomas-brandt/").status_code == 404
    assert client.get("/author/tomas-brandt/feed/").status_code == 404
    draft = by(writer, make_article(status=Article.Status.DRAFT))
    assert client.get("/author/tomas-brandt/").status_code == 404
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert client.get("/author/tomas-brandt/").status_code == 200
    assert client.get("/author/nobody/").status_code == 404


def test_author_page_is_paginated_like_a_section(client, author, writer, make_article, monkeypatch):
    monkeypatch.setattr(AuthorView, "paginate_by", 2)
    for n in range(5):
        by(writer, make_article(title=f"Story {n}"))
    pages = [client.get("/author/tomas-brandt/", {"page": p}) for p in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [p.content.decode().count('class="card card--row"') for p in pages] == [2, 2, 1]
    assert 'rel="next" href="?page=2"' in pages[0].content.decode()
    assert client.get("/author/tomas-brandt/", {"page": 4}).status_code == 404


def test_author_page_queries_do_not_grow(
    client, author, writer, make_article, django_assert_num_queries
):
    for _ in range(2):
        by(writer, make_article())
    # the author (with the "has a published article" test), count, page of articles, their
    # authors (+profiles), sections; + the site's schedule (the policy, one aggregate)
    with django_assert_num_queries(5 + 2):
        assert client.get("/author/tomas-brandt/").status_code == 200
    with django_assert_num_queries(0):  # from the page cache
        assert client.get("/author/tomas-brandt/").status_code == 200
    for _ in range(15):
        by(writer, make_article())
    with django_assert_num_queries(5 + 2):
        assert client.get("/author/tomas-brandt/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/author/tomas-brandt/").status_code == 200


# --- bylines and JSON-LD on the article page --------------------------------------------


def test_bylines_link_to_author_pages_and_name_the_person(client, author, writer, make_article):
    other = get_user_model().objects.create_user("np", first_name="No", last_name="Profile")
    article = make_article()
    article.authors.add(writer, other)
    html = client.get(article.get_absolute_url()).content.decode()
    byline = html.split('class="article__byline">')[1].split("</p>")[0]
    assert '<a class="article__author" href="/author/tomas-brandt/" rel="author">' in byline
    assert "Tomas Brandt</a>" in byline and "No Profile" in byline
    authors = jsonld(html)["NewsArticle"]["author"]
    assert {"@type": "Person", "name": "No Profile"} in authors
    profiled = next(a for a in authors if a["name"] == "Tomas Brandt")
    assert profiled["url"] == "http://testserver/author/tomas-brandt/"
    assert profiled["jobTitle"] == "Transport reporter"


def test_the_profile_name_is_the_byline_in_feeds_and_cards(client, author, writer, make_article):
    author.name = "T. Brandt"
    author.save()
    by(writer, make_article(title="Signed"))
    feed = client.get("/feed/").content.decode()
    assert "T. Brandt" in feed
    section = client.get("/today/world/").content.decode()
    # On a card the byline links to the author's page too.
    assert (
        '<span class="card__byline"><a class="card__author" href="/author/tomas-brandt/"'
        ' rel="author">T. Brandt</a></span>'
    ) in section


# --- data migration ---------------------------------------------------------------------


def test_todays_bylines_become_profiles(make_article, make_category):
    migration = importlib.import_module("articles.migrations.0009_bylines_to_authors")
    User = get_user_model()
    make_category("maria-lindqvist")  # a section's address is never an author's slug
    maria = User.objects.create_user("ml", first_name="Maria", last_name="Lindqvist")
    twin = User.objects.create_user("ml2", first_name="Maria", last_name="Lindqvist")
    plain = User.objects.create_user("feed")  # no full name; a reserved word
    User.objects.create_user("reader")  # signs nothing
    for user in (maria, twin, plain):
        make_article().authors.add(user)
    migration.bylines_to_profiles(apps, None)
    migration.bylines_to_profiles(apps, None)  # a second run adds nothing
    profiles = {a.user.username: (a.name, a.slug) for a in Author.objects.select_related("user")}
    assert profiles == {
        "ml": ("Maria Lindqvist", "maria-lindqvist-2"),
        "ml2": ("Maria Lindqvist", "maria-lindqvist-3"),
        "feed": ("feed", "feed-2"),
    }


# --- tags and "Related" -----------------------------------------------------------------


@pytest.fixture
def tags(db):
    return {
        name: Tag.objects.create(name=name, slug=name.lower())
        for name in ("Climate", "Rail", "Food")
    }


def test_tag_page_lists_published_articles_with_the_tag(client, tags, make_article):
    make_article(title="Floods").tags.add(tags["Climate"])
    make_article(title="Hidden", status=Article.Status.DRAFT).tags.add(tags["Climate"])
    make_article(title="Untagged")
    html = client.get("/tag/climate/").content.decode()
    assert "<h1>Climate</h1>" in html and "Floods" in html
    assert "Hidden" not in html and "Untagged" not in html
    assert client.get("/tag/rail/").status_code == 404  # on no published article
    assert client.get("/tag/rail/feed/").status_code == 404
    assert client.get("/tag/nothing/").status_code == 404


def test_tag_page_is_paginated_and_its_queries_do_not_grow(
    client, tags, make_article, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(TagView, "paginate_by", 2)
    for _ in range(3):
        make_article().tags.add(tags["Climate"])
    assert client.get("/tag/climate/", {"page": 2}).content.decode().count("card--row") == 1
    client.get("/")  # the schedule, computed once
    # the tag, count, page of articles, their authors (+profiles), sections
    with django_assert_num_queries(5):
        assert client.get("/tag/climate/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/tag/climate/").status_code == 200
    for _ in range(10):
        make_article().tags.add(tags["Climate"])
    client.get("/")
    with django_assert_num_queries(5):
        assert client.get("/tag/climate/").status_code == 200


def test_article_shows_its_tags_and_related_articles_by_shared_tags(
    client, tags, make_article, make_category
):
    opinion = make_category("opinion")
    article = make_article(title="Night trains")
    article.tags.add(tags["Climate"], tags["Rail"])
    one = make_article(title="Shares one", category=opinion)
    one.tags.add(tags["Climate"])
    two = make_article(title="Shares two", category=opinion)
    two.tags.add(tags["Climate"], tags["Rail"])
    make_article(title="Same section, no tag")
    make_article(title="Other tag").tags.add(tags["Food"])
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="/tag/climate/" rel="tag">Climate</a>' in html
    more = html.split('id="more-heading"')[1]
    assert more.startswith(' class="rule-heading">Related</h2>')
    titles = re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', more)
    assert titles == ["Shares two", "Shares one"]  # the most shared tags first


def test_related_falls_back_to_the_section(client, tags, make_article):
    alone = make_article(title="Alone")
    alone.tags.add(tags["Food"])
    make_article(title="Neighbour")
    for article in (alone, make_article(title="Untagged")):
        more = client.get(article.get_absolute_url()).content.decode().split('id="more-heading"')[1]
        assert "More from" in more.split("</h2>")[0]
        assert "Neighbour" in more


def test_a_slug_that_is_a_section_address_is_refused(make_category, writer):
    make_category("culture")
    for obj in (Tag(name="Culture", slug="culture"), Author(name="C", slug="Culture")):
        with pytest.raises(ValidationError) as error:
            obj.full_clean()
        assert "the address of a section (/" in str(error.value.message_dict["slug"])
    with pytest.raises(ValidationError) as error:
        Tag(name="Feeds", slug="feed").full_clean()
    assert "used by a fixed page" in str(error.value.message_dict["slug"])


def test_the_admin_refuses_a_section_slug_and_keeps_what_was_typed(editor_client, make_category):
    make_category("culture")
    response = editor_client.post(
        "/admin/articles/tag/add/", {"name": "Arts and culture", "slug": "culture"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is the address of a section (/culture/)" in html
    assert 'value="Arts and culture"' in html
    assert not Tag.objects.exists()


def test_article_admin_autocompletes_tags(editor_client, tags, make_article, writer_client):
    article = make_article()
    form = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert re.search(r'<select name="tags"[^>]*class="admin-autocomplete"', form)
    found = editor_client.get(
        "/admin/autocomplete/",
        {"term": "cli", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Climate"]
    # A writer chooses among the tags too (view_tag), but makes none.
    found = writer_client.get(
        "/admin/autocomplete/",
        {"term": "ra", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert [r["text"] for r in found.json()["results"]] == ["Rail"]
    assert writer_client.get("/admin/articles/tag/add/").status_code == 403


# --- the photo --------------------------------------------------------------------------


def form_with(photo):
    data = {"name": "Ines Carvalho", "slug": "ines-carvalho", "role": "Science"}
    return AuthorForm(data=data, files={"photo": photo})


def test_a_photo_gets_renditions_and_shows_on_the_page(
    client, media_root, image_upload, writer, make_article
):
    form = form_with(image_upload(800, 800, name="ines.png"))
    assert form.is_valid(), form.errors
    author = form.save(commit=False)
    author.user = writer
    author.save()
    assert [r["width"] for r in author.photo_renditions] == [160, 320]
    by(writer, make_article())
    html = client.get("/author/ines-carvalho/").content.decode()
    assert 'class="author-header__photo"' in html and "320w" in html
    assert jsonld(html)["Person"]["image"].endswith("-320w.jpg")


def test_a_file_that_is_not_an_image_is_refused_with_a_message(db):
    form = form_with(SimpleUploadedFile("cv.jpg", b"%PDF-1.4 not a picture"))
    assert not form.is_valid()
    assert "Upload a valid image" in form.errors["photo"][0]
    assert form.data["name"] == "Ines Carvalho"  # what was typed stays in the form


def test_a_50_mb_file_is_refused_with_a_message_before_it_is_decoded(db, image_upload):
    small = image_upload(10, 10).read()
    huge = SimpleUploadedFile("huge.jpg", small + b"\0" * (50 * 1024 * 1024 - len(small)))
    assert huge.size > PHOTO_MAX_BYTES
    form = form_with(huge)
    assert not form.is_valid()
    assert form.errors["photo"] == ["This file is 50.0\xa0MB; a photo may be at most 10.0\xa0MB."]


def test_the_admin_shows_the_photo_refusal(editor_client):
    response = editor_client.post(
        "/admin/articles/author/add/",
        {
            "name": "Lena Petrovic",
            "slug": "lena-petrovic",
            "photo": SimpleUploadedFile("x.jpg", b"not an image"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Upload a valid image" in html and 'value="Lena Petrovic"' in html
    assert not Author.objects.exists()


# --- feeds ------------------------------------------------------------------------------


def test_author_and_tag_feeds_list_their_articles(client, author, writer, tags, make_article):
    by(writer, make_article(title="By him")).tags.add(tags["Climate"])
    make_article(title="Not his")
    author_feed = ET.fromstring(client.get("/author/tomas-brandt/feed/").content)
    titles = [t.text for t in author_feed.iter("title")]
    assert titles == [f"Tomas Brandt · {settings.SITE_NAME}", "By him"]
    assert author_feed.find("channel/description").text.startswith("Rides night trains")
    tag_feed = ET.fromstring(client.get("/tag/climate/feed/").content)
    assert [t.text for t in tag_feed.iter("title")][1:] == ["By him"]
    assert client.get("/tag/climate/feed/atom/").status_code == 200
    assert client.get("/author/tomas-brandt/feed/atom/").status_code == 200


@pytest.mark.parametrize("ch", ["\x0b", "\x02", "\ufffe"])
def test_bios_and_tag_names_changed_behind_save_still_give_parseable_feeds(
    client, author, writer, tags, make_article, ch
):
    by(writer, make_article()).tags.add(tags["Climate"])
    assert Author(name=f"A{ch}B").name != "AB"
    Author.objects.filter(pk=author.pk).update(name=f"Tomas{ch}Brandt", bio=f"<p>Bio{ch}.</p>")
    Tag.objects.filter(pk=tags["Climate"].pk).update(name=f"Cli{ch}mate")
    for url in ["/author/tomas-brandt/feed/", "/tag/climate/feed/", "/feed/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        ET.fromstring(response.content)  # parses
        assert ch not in response.content.decode()


def test_saving_drops_xml_forbidden_characters(writer):
    tag = Tag.objects.create(name="Cli\x0bmate", slug="climate")
    author = Author.objects.create(user=writer, name="A\x02B", slug="ab", role="R\x0bole")
    assert (tag.name, author.name, author.role) == ("Cli mate", "AB", "R ole")


# --- sitemaps ---------------------------------------------------------------------------


def test_sitemaps_list_public_authors_and_tags_only(client, author, writer, tags, make_article):
    by(writer, make_article()).tags.add(tags["Climate"])
    make_article(status=Article.Status.DRAFT).tags.add(tags["Rail"])
    Author.objects.create(name="Nobody yet", slug="nobody-yet")

    def listed(part):
        root = ET.fromstring(client.get(f"/sitemap-{part}.xml").content)
        return [loc.text for loc in root.iter(f"{SM}loc")]

    assert [urlparse(u).path for u in listed("authors")] == ["/author/tomas-brandt/"]
    assert [urlparse(u).path for u in listed("tags")] == ["/tag/climate/"]


# --- no stale page ----------------------------------------------------------------------


def test_editing_an_author_updates_every_cached_page_at_once(client, author, writer, make_article):
    article = by(writer, make_article())
    urls = ["/author/tomas-brandt/", article.get_absolute_url(), "/author/tomas-brandt/feed/"]
    for url in urls:
        assert "Tomas Brandt" in client.get(url).content.decode()
    author.name = "Tomas B. Brandt"
    author.role = "Rail correspondent"
    author.save()
    for url in urls:
        assert "Tomas B. Brandt" in client.get(url).content.decode(), url
    assert "Rail correspondent" in client.get(urls[0]).content.decode()
    author.delete()
    assert client.get(urls[0]).status_code == 404
    html = client.get(article.get_absolute_url()).content.decode()
    assert "/author/tomas-brandt/" not in html and "Tomas Brandt" in html


def test_editing_a_tag_or_an_articles_tags_updates_cached_pages(client, tags, make_article):
    article = make_article(title="Floods")
    article.tags.add(tags["Climate"])
    other = make_article(title="Drought")
    assert "Drought" not in client.get("/tag/climate/").content.decode()
    assert "Climate" in client.get(article.get_absolute_url()).content.decode()
    other.tags.add(tags["Climate"])  # an article's tags changed
    assert "Drought" in client.get("/tag/climate/").content.decode()
    tags["Climate"].name = "Climate change"
    tags["Climate"].save()  # a tag renamed
    assert "<h1>Climate change</h1>" in client.get("/tag/climate/").content.decode()
    assert ">Climate change</a>" in client.get(article.get_absolute_url()).content.decode()
    article.tags.remove(tags["Climate"])
    assert "Floods" not in client.get("/tag/climate/").content.decode()
    assert ">Climate change</a>" not in client.get(article.get_absolute_url()).content.decode()
    tags["Climate"].delete()
    assert client.get("/tag/climate/").status_code == 404


def test_the_demo_has_authors_with_photos_and_tagged_articles(client, db, media_root):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # safe to repeat
    assert Author.objects.count() == 6 and all(a.photo_renditions for a in Author.objects.all())
    # The editor signs only the unpublished demo pieces: her profile has no page yet.
    assert Author.objects.public().count() == 5
    assert client.get("/author/maria-lindqvist/").status_code == 404
    html = client.get("/author/tomas-brandt/").content.decode()
    assert "<h1>Tomas Brandt</h1>" in html and "night train" in html
    assert "Night trains return" in client.get("/tag/rail/").content.decode()
    assert client.get("/tag/climate/feed/").status_code == 200
