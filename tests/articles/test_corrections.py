"""Corrections and updates: appended by an editor to a published article, a revision of
it, shown on its page (top or bottom), in its JSON-LD, on /corrections/ and its feed;
never a stale page after one."""

import importlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from articles import corrections
from articles.models import Article, Category, Correction

pytestmark = pytest.mark.django_db

ADD = "/admin/articles/correction/add/"


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {block["@type"]: block for block in map(json.loads, blocks)}


def note(article, text="<p>We misspelt the mayor’s name.</p>", kind="correction", **fields):
    return corrections.save_note(Correction(article=article, kind=kind, note=text, **fields))


def admin_post(client, article, text, kind="correction"):
    now = timezone.localtime()
    return client.post(
        ADD,
        {
            "article": article.pk,
            "kind": kind,
            "note": text,
            "published_at_0": now.strftime("%Y-%m-%d"),
            "published_at_1": now.strftime("%H:%M:%S"),
        },
    )


def test_an_editor_appends_a_correction_which_is_a_revision(editor_client, editor, make_article):
    article = make_article(title="Delta towns agree")
    before = article.updated_at
    response = admin_post(editor_client, article, "<p>The plan covers <b>eleven</b> towns.</p>")
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.article, correction.kind, correction.created_by) == (
        article,
        "correction",
        editor,
    )
    article.refresh_from_db()
    assert article.updated_at > before
    latest = article.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Correction added"
    assert latest.history_user == editor


def test_the_article_form_links_to_adding_a_note(editor_client, make_article):
    article = make_article()
    page = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert f"{ADD}?article={article.pk}" in page
    form = editor_client.get(f"{ADD}?article={article.pk}")
    assert form.context["adminform"].form.initial["article"] == str(article.pk)


def test_a_draft_gets_no_correction_and_the_note_is_kept(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    response = admin_post(editor_client, draft, "<p>Keep these words.</p>")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Corrections and updates go on published articles" in page
    assert "Keep these words." in page
    assert not Correction.objects.exists()


def test_an_empty_note_is_refused_with_a_message(editor_client, make_article):
    response = admin_post(editor_client, make_article(), "<p> </p>")
    assert response.status_code == 200
    assert "Write the note readers will see." in response.content.decode()


def test_a_writer_cannot_add_a_correction(client, make_article):
    from tests.articles.revision_helpers import make_person

    client.force_login(make_person("wri", "Writers"))
    assert admin_post(client, make_article(), "<p>x</p>").status_code == 403
    assert not Correction.objects.exists()


def test_markup_is_sanitised_like_article_bodies(make_article):
    correction = note(
        make_article(),
        '<p onclick="x()">A <strong>bold</strong> <b>b</b> <a href="javascript:alert(1)">link</a>'
        '<script>alert(2)</script> <a href="https://example.org/x">source</a></p>',
    )
    assert "<script" not in correction.note and "onclick" not in correction.note
    assert "javascript:" not in correction.note
    assert "<strong>bold</strong>" in correction.note and "<b>" not in correction.note
    assert 'href="https://example.org/x"' in correction.note
    assert correction.note_text.startswith("A bold b link")


@pytest.mark.parametrize("position", ["bottom", "top"])
def test_the_note_shows_where_the_setting_puts_it(client, settings, make_article, position):
    settings.CORRECTIONS_POSITION = position
    article = make_article(body="<p>The body paragraph.</p>")
    note(article, "<p>An earlier version misnamed the river.</p>")
    page = client.get(article.get_absolute_url()).content.decode()
    body = page.index("The body paragraph.")
    shown = page.index(f'id="correction-{Correction.objects.get().pk}"')
    assert (shown < body) if position == "top" else (shown > body)
    assert "misnamed the river" in page[shown:]
    assert "corrections__heading" in page


def test_jsonld_carries_the_correction_and_the_modified_time(client, make_article):
    article = make_article()
    note(article, "<p>Eleven towns, not ten.</p>")
    note(article, "<p>The council has since voted.</p>", kind="update")
    article.refresh_from_db()
    data = jsonld(client.get(article.get_absolute_url()).content.decode())["NewsArticle"]
    assert data["dateModified"] == article.updated_at.isoformat()
    correction = Correction.objects.get(kind="correction")
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Eleven towns, not ten.",
            "datePublished": correction.published_at.isoformat(),
        }
    ]


def test_no_correction_no_jsonld_property(client, make_article):
    article = make_article()
    data = jsonld(client.get(article.get_absolute_url()).content.decode())["NewsArticle"]
    assert "correction" not in data


def test_no_stale_page_after_a_note_is_added_changed_or_removed(editor_client, make_article):
    client = Client()  # a reader without cookies, beside the signed-in editor
    article = make_article()
    url = article.get_absolute_url()
    assert "Eleven towns" not in client.get(url).content.decode()
    assert "Eleven towns" not in client.get("/corrections/").content.decode()
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    admin_post(editor_client, article, "<p>Eleven towns, not ten.</p>")
    for page in (url, "/corrections/", "/corrections/feed/"):
        assert "Eleven towns" in client.get(page).content.decode(), page
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200

    correction = Correction.objects.get()
    correction.note = "<p>Twelve towns, in fact.</p>"
    corrections.save_note(correction)
    assert "Twelve towns" in client.get(url).content.decode()
    assert "Twelve towns" in client.get("/corrections/").content.decode()

    response = editor_client.post(
        f"/admin/articles/correction/{correction.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert "Twelve towns" not in client.get(url).content.decode()
    assert "Twelve towns" not in client.get("/corrections/").content.decode()
    assert article.history.order_by("-history_id").first().history_change_reason == (
        "Correction removed"
    )


def test_corrections_page_lists_newest_first_published_only_and_pages(
    client, make_article, settings
):
    now = timezone.now()
    article = make_article(title="Bridge story")
    draft = make_article(title="Hidden draft", status=Article.Status.DRAFT)
    Correction.objects.create(article=draft, kind="update", note="<p>Never shown.</p>")
    for n in range(21):
        note(article, f"<p>Note number {n}.</p>", published_at=now - timedelta(minutes=n))
    page = client.get("/corrections/").content.decode()
    assert "Never shown." not in page
    assert page.index("Note number 0.") < page.index("Note number 1.")
    assert "Note number 20." not in page
    assert 'rel="next"' in page
    second = client.get("/corrections/?page=2").content.decode()
    assert "Note number 20." in second and "Note number 0." not in second
    assert client.get("/corrections/?page=3").status_code == 404
    article.status = Article.Status.DRAFT
    article.save()
    assert "Note number" not in client.get("/corrections/").content.decode()


def test_corrections_page_queries_cold_and_warm(
    client, make_article, make_category, django_assert_num_queries
):
    def fill(start, count):
        for n in range(start, start + count):
            category = make_category(f"section-{n}")
            note(make_article(category=category), f"<p>Fix {n}.</p>")

    fill(0, 3)
    # Cold: the schedule (2), the count, the page of notes with their articles and
    # categories, the masthead's sections.
    with django_assert_num_queries(2 + 3):
        assert client.get("/corrections/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/corrections/").status_code == 200
    fill(3, 10)
    with django_assert_num_queries(2 + 3):
        client.get("/corrections/")
    with django_assert_num_queries(0):
        client.get("/corrections/")


def test_the_article_page_costs_one_query_more_with_notes_only(
    client, make_article, django_assert_num_queries
):
    plain, noted = make_article(), make_article()
    note(noted)
    note(noted, kind="update")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/")  # the schedule is cached: both pages below pay the same for it
    with CaptureQueriesContext(connection) as without:
        client.get(plain.get_absolute_url())
    with CaptureQueriesContext(connection) as with_notes:
        client.get(noted.get_absolute_url())
    assert len(with_notes) == len(without) + 1


def test_the_feed_is_xml_safe_and_newest_first(client, make_article):
    article = make_article(title="Flood plan")
    older = note(article, "<p>First fix.</p>", published_at=timezone.now() - timedelta(days=1))
    newer = note(article, "<p>Second fix &amp; more.</p>", kind="update")
    # A row changed without save(): a character XML forbids must not break the feed.
    Correction.objects.filter(pk=older.pk).update(note_text="First\x0bfix.")
    response = client.get("/corrections/feed/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["Update: Flood plan", "Correction: Flood plan"]
    assert items[0].findtext("description") == "Second fix & more."
    assert items[1].findtext("description") == "First fix."
    assert items[0].findtext("link").endswith(f"{article.get_absolute_url()}#correction-{newer.pk}")


def test_corrections_is_a_reserved_slug(make_category):
    category = Category(name="Corrections", slug="corrections")
    with pytest.raises(ValidationError) as raised:
        category.full_clean()
    assert "fixed page" in str(raised.value)


migration = importlib.import_module("articles.migrations.0011_rename_corrections_category")


def test_the_migration_renames_a_corrections_category_and_leaves_redirects(
    client, make_category, make_article
):
    # Stored before the slug was reserved (save() does not validate).
    old = make_category("corrections")
    child = make_category("local", parent=old)
    make_category("corrections-2")  # taken: the next number is used
    nested = make_category("corrections", parent=make_category("news"))
    article = make_article(category=child, slug="council-vote")
    migration.rename(django_apps, None)

    old.refresh_from_db()
    child.refresh_from_db()
    nested.refresh_from_db()
    assert (old.slug, old.path) == ("corrections-3", "corrections-3")
    assert child.path == "corrections-3/local"
    assert (nested.slug, nested.path) == ("corrections-2", "news/corrections-2")
    redirects = dict(Redirect.objects.values_list("old_path", "new_path"))
    assert redirects["/corrections/local/"] == "/corrections-3/local/"
    assert redirects["/news/corrections/"] == "/news/corrections-2/"
    assert old.history.first().history_change_reason.startswith("Renamed")
    # The fixed page answers at /corrections/; the old addresses lead to the new ones.
    assert client.get("/corrections/").templates[0].name == "articles/corrections.html"
    assert client.get("/corrections/local/")["Location"] == "/corrections-3/local/"
    assert client.get(article.get_absolute_url()).status_code == 200


def test_every_page_links_to_the_corrections_page(client, make_article):
    for url in ("/", make_article().get_absolute_url()):
        assert '<a href="/corrections/">Corrections</a>' in client.get(url).content.decode()
