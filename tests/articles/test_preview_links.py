"""Preview links: an editor shares a draft, a scheduled article or a revision waiting to
go live with someone without an account; signed, stored, expiring, revocable, never cached,
noindex; the shared article page never shows what a preview shows."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from articles import preview, revisions
from articles.models import Article, PreviewLink, Tag
from tests.articles.revision_helpers import make_person

pytestmark = pytest.mark.django_db

ADD = "/admin/articles/previewlink/add/"


@pytest.fixture
def reader():
    """Someone without an account (no cookies)."""
    return Client()


@pytest.fixture
def draft(make_article):
    return make_article(
        title="Harbour deal", status=Article.Status.DRAFT, body="<p>Draft words here.</p>"
    )


def link_url(response):
    """The address shown on the preview link's admin page."""
    found = re.search(r'id="preview-url" value="http://testserver(/preview/[^"]+)"', response)
    assert found, "no preview address on the page"
    return found.group(1)


def assert_never_cached(response):
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "public" not in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_editor_makes_a_link_and_a_reader_without_an_account_sees_the_draft(
    editor_client, editor, draft, reader
):
    page = editor_client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()
    assert f"{ADD}?article={draft.pk}" in page
    assert 'name="_save"' in editor_client.get(f"{ADD}?article={draft.pk}").content.decode()
    response = editor_client.post(ADD, {"article": draft.pk, "revision_id": "", "hours": "48"})
    link = PreviewLink.objects.get()
    assert response["Location"] == f"/admin/articles/previewlink/{link.pk}/change/"
    assert (link.article, link.created_by, link.revision_id, link.revoked_at) == (
        draft,
        editor,
        None,
        None,
    )
    assert abs(link.expires_at - (timezone.now() + timedelta(hours=48))) < timedelta(minutes=1)
    url = link_url(editor_client.get(response["Location"]).content.decode())

    shown = reader.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Draft words here." in html and "Harbour deal" in html
    assert 'class="preview-banner"' in html and "<strong>Preview</strong>" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert_never_cached(shown)
    assert not shown.cookies
    # The draft itself stays a 404 for the public.
    assert reader.get(draft.get_absolute_url()).status_code == 404


def test_the_default_length_is_the_setting(settings, draft, editor):
    settings.PREVIEW_LINK_HOURS = 5
    link = preview.create(draft, editor)
    assert abs(link.expires_at - (timezone.now() + timedelta(hours=5))) < timedelta(minutes=1)


def test_revoked_and_expired_links_are_gone_with_a_clear_page(editor_client, editor, draft, reader):
    link = preview.create(draft, editor)
    url = preview.url(link)
    assert reader.get(url).status_code == 200
    response = editor_client.post(
        f"/admin/articles/previewlink/{link.pk}/change/", {"_revoke": "1"}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    gone = reader.get(url)
    assert gone.status_code == 410
    assert "This preview link was withdrawn by the newsroom." in gone.content.decode()
    assert "Draft words here." not in gone.content.decode()
    assert_never_cached(gone)

    other = preview.create(draft, editor, hours=48)
    with time_machine.travel(timezone.now() + timedelta(hours=48, seconds=1)):
        expired = reader.get(preview.url(other))
    assert expired.status_code == 410
    assert "This preview link has expired." in expired.content.decode()


def test_the_revoke_action_revokes_the_selected_links(editor_client, editor, draft):
    links = [preview.create(draft, editor) for _ in range(2)]
    response = editor_client.post(
        "/admin/articles/previewlink/",
        {"action": "revoke", "_selected_action": [links[0].pk]},
    )
    assert response.status_code == 302
    assert [PreviewLink.objects.get(pk=k.pk).revoked_at is not None for k in links] == [
        True,
        False,
    ]


def test_tampered_and_unknown_tokens_are_404(editor, draft, reader):
    url = preview.url(preview.create(draft, editor))
    token = url.split("/")[2]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert reader.get(f"/preview/{tampered}/").status_code == 404
    assert reader.get("/preview/not-a-token/").status_code == 404
    unknown = signing.dumps(str(uuid.uuid4()), salt=preview.SALT)
    assert reader.get(f"/preview/{unknown}/").status_code == 404
    # Signed for something else (another salt): not a preview token.
    assert reader.get(f"/preview/{signing.dumps(url.split('/')[2])}/").status_code == 404


def test_a_scheduled_article_previews_with_its_time(make_article, editor, reader):
    at = timezone.now() + timedelta(days=1)
    article = make_article(title="Embargoed", published_at=at)
    html = reader.get(preview.url(preview.create(article, editor))).content.decode()
    assert "this article is scheduled for" in html and "Embargoed" in html


def test_a_revision_preview_never_reaches_the_shared_article_page(
    make_article, editor, reader, settings
):
    article = make_article(title="Live title", body="<p>The live words.</p>")
    url = article.get_absolute_url()
    assert "The live words." in reader.get(url).content.decode()  # the shared page cached
    writer = make_person("wri", "Writers")
    article.title, article.body = "Proposed title", "<p>The proposed words.</p>"
    record = revisions.propose(article, writer)
    article.refresh_from_db()
    revisions.schedule(record, timezone.now() + timedelta(days=1))
    link = preview.create(article, editor, revision_id=record.history_id)

    shown = reader.get(preview.url(link))
    html = shown.content.decode()
    assert "The proposed words." in html and "Proposed title" in html
    assert "The live words." not in html
    assert "not published yet" in html
    assert_never_cached(shown)

    for _ in range(2):  # the cached page, and a fresh render of it
        page = reader.get(url)
        assert page.status_code == 200
        assert "The proposed words." not in page.content.decode()
        assert "Preview" not in page.content.decode()
        assert "public" in page["Cache-Control"]
        from django.core.cache import cache

        cache.clear()

    # Once the revision has gone live, the link has nothing left to show.
    revisions.apply(record)
    gone = reader.get(preview.url(link))
    assert gone.status_code == 410
    assert "has gone live or was withdrawn" in gone.content.decode()


def test_links_that_make_no_sense_are_refused_with_the_input_kept(
    editor_client, make_article, draft
):
    published = make_article(title="Already out")
    response = editor_client.post(ADD, {"article": published.pk, "revision_id": "", "hours": "6"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This article is public: send its address instead of a preview link." in page
    assert 'value="6"' in page
    response = editor_client.post(ADD, {"article": draft.pk, "revision_id": "999", "hours": "6"})
    assert "Revision #999 of this article is not waiting to go live" in response.content.decode()
    assert 'value="999"' in response.content.decode()
    response = editor_client.post(ADD, {"article": draft.pk, "revision_id": "", "hours": "0"})
    assert response.status_code == 200
    assert not PreviewLink.objects.exists()


def test_a_writer_cannot_make_links(client, draft):
    client.force_login(make_person("wri", "Writers"))
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"article": draft.pk, "hours": "5"}).status_code == 403
    assert not PreviewLink.objects.exists()


def test_the_article_form_offers_a_link_for_each_waiting_revision(editor_client, make_article):
    article = make_article()
    writer = make_person("wri", "Writers")
    article.title = "Changed"
    record = revisions.propose(article, writer)
    page = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert f"{ADD}?article={article.pk}&amp;revision_id={record.history_id}" in page
    # A published article gets no link to itself.
    assert f'{ADD}?article={article.pk}"' not in page


def test_a_revision_preview_shows_the_revisions_tags_and_byline(make_article, editor, reader):
    article = make_article(title="Harbour", status=Article.Status.DRAFT)
    budget = Tag.objects.create(name="budget", slug="budget")
    elections = Tag.objects.create(name="elections", slug="elections")
    ana = make_person("ana", "Writers")
    article.tags.add(budget)
    article.authors.add(editor)
    revisions.set_pending_m2m(article, [ana], [elections])
    record = revisions.propose(article, editor)
    link = preview.create(article, editor, revision_id=record.history_id)

    html = reader.get(preview.url(link)).content.decode()
    assert 'rel="tag">elections</a>' in html and 'rel="tag">budget</a>' not in html
    assert "Ana" in html
