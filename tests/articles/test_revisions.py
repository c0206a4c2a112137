"""Revisions: every save keeps one, any two compare as text, a revision restores (as a new
revision), and a save based on an older revision than the stored one is refused."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles import revisions
from articles.models import Article, Category, RevisionState
from comments import schedule
from tests.articles.revision_helpers import CHANGE, HISTORY, form_data, make_person

State = RevisionState.State


def test_every_save_keeps_a_revision_with_who_and_what(editor_client, editor, make_article):
    article = make_article(title="First title")
    assert article.history.count() == 1
    page = editor_client.get(CHANGE.format(article.pk))
    editor_client.post(CHANGE.format(article.pk), form_data(page, title="Second title"))
    newest = article.history.latest("history_id")
    assert newest.title == "Second title"
    assert newest.history_user == editor
    assert newest.revision_state == State.SAVED
    assert article.history.count() == 2


def test_a_save_that_changes_only_the_title_records_only_the_title(editor_client, make_article):
    """The form shows the publish time to the second; leaving it as it was is no change."""
    article = make_article(title="One")
    page = editor_client.get(CHANGE.format(article.pk))
    editor_client.post(CHANGE.format(article.pk), form_data(page, title="Two"))
    old, new = article.history.order_by("history_id")
    assert [d.name for d in revisions.compare(old, new)] == ["title"]
    assert new.published_at == old.published_at


def test_categories_keep_revisions_and_compare(editor_client, world):
    url = f"/admin/articles/category/{world.pk}/change/"
    page = editor_client.get(url)
    response = editor_client.post(url, form_data(page, description="News from abroad."))
    assert response.status_code == 302
    old, new = world.history.order_by("history_id")
    compare = editor_client.get(
        f"/admin/articles/category/{world.pk}/history/compare/",
        {"a": old.history_id, "b": new.history_id},
    )
    assert "<ins>News from abroad.</ins>" in compare.content.decode()
    history = editor_client.get(f"/admin/articles/category/{world.pk}/history/")
    assert "Restore this revision" in history.content.decode()


def test_the_diff_reads_the_body_as_text(make_article):
    article = make_article(body="<h2>Storm</h2><p>Winds of <b>90</b> km/h.</p>")
    article.body = "<h2>Storm</h2><p>Winds of <b>120</b> km/h &amp; rain.</p>"
    article.save()
    old, new = article.history.order_by("history_id")
    (diff,) = revisions.compare(old, new)
    assert diff.label == "body"
    assert diff.old == "Storm\nWinds of 90 km/h."
    assert diff.new == "Storm\nWinds of 120 km/h & rain."
    assert ("del", "90") in diff.chunks and ("ins", "120") in diff.chunks


def test_comparing_needs_two_revisions_of_this_article(editor_client, make_article):
    article, other = make_article(), make_article()
    url = f"/admin/articles/article/{article.pk}/history/compare/"
    mine = article.history.get().history_id
    response = editor_client.get(url, {"a": mine, "b": "x"}, follow=True)
    assert "Choose two different revisions" in response.content.decode()
    theirs = other.history.get().history_id
    assert editor_client.get(url, {"a": mine, "b": theirs}).status_code == 404


def test_restoring_a_revision_is_a_new_revision(editor_client, make_article):
    article = make_article(title="Original", body="<p>First text.</p>")
    first = article.history.get()
    article.title, article.body = "Rewritten", "<p>Second text.</p>"
    article.save()
    page = editor_client.get(CHANGE.format(article.pk) + f"?_restore={first.history_id}")
    assert page.context["adminform"].form["title"].value() == "Original"
    assert f"The form holds revision #{first.history_id}" in page.content.decode()
    response = editor_client.post(
        CHANGE.format(article.pk) + f"?_restore={first.history_id}", form_data(page)
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("Original", "<p>First text.</p>")
    newest = article.history.latest("history_id")
    assert newest.history_change_reason == f"Restored revision #{first.history_id}"
    assert article.history.count() == 3


def test_restoring_a_revision_whose_category_is_gone_asks_for_one(
    editor_client, make_article, make_category, world
):
    old_home = make_category("lost")
    article = make_article(category=old_home, title="Wanderer")
    first = article.history.get()
    article.category = world
    article.save()
    old_home.delete()

    url = CHANGE.format(article.pk) + f"?_restore={first.history_id}"
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "no longer exists: choose one" in page.content.decode()
    refused = editor_client.post(url, form_data(page, category=None))
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert refused.context["adminform"].form["title"].value() == "Wanderer"
    response = editor_client.post(url, form_data(page, category=world.pk))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.category == world


def test_a_stale_save_is_refused_with_the_other_changes_and_keeps_the_text(make_article, editor):
    article = make_article(title="Budget", body="<p>The council met.</p>")
    other = make_person("olga", "Editors")
    mine, theirs = Client(), Client()
    mine.force_login(editor)
    theirs.force_login(other)

    my_page = mine.get(CHANGE.format(article.pk))
    their_page = theirs.get(CHANGE.format(article.pk))
    theirs.post(
        CHANGE.format(article.pk),
        form_data(their_page, body="<p>The council met and voted.</p>"),
    )

    mine_text = "<p>The council met on Tuesday.</p>"
    refused = mine.post(CHANGE.format(article.pk), form_data(my_page, body=mine_text))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Olga saved this article at" in html
    assert "met<ins> and voted</ins>." in html
    assert refused.context["adminform"].form["body"].value() == mine_text
    article.refresh_from_db()
    assert article.body == "<p>The council met and voted.</p>"

    # Seen: saving again replaces theirs (the form is now based on their revision).
    again = mine.post(CHANGE.format(article.pk), form_data(refused))
    assert again.status_code == 302
    article.refresh_from_db()
    assert article.body == mine_text


def test_a_form_without_its_revision_is_refused(editor_client, make_article):
    article = make_article(title="Kept")
    page = editor_client.get(CHANGE.format(article.pk))
    response = editor_client.post(
        CHANGE.format(article.pk), form_data(page, title="Changed", base_revision=None)
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "Kept"


@pytest.fixture
def proposal(make_article):
    """A published article and a writer's revision of it waiting in review."""
    article = make_article(title="Live", body="<p>Old words.</p>")
    article.body = "<p>New words.</p>"
    record = revisions.propose(article, make_person("wendy", "Writers"))
    return Article.objects.get(pk=article.pk), record


def test_a_scheduled_revision_goes_live_within_a_minute_of_its_time(
    client, editor_client, proposal
):
    article, record = proposal
    start = timezone.now().replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        at = timezone.localtime(start + timedelta(minutes=10))
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/history/{record.history_id}/publish/",
            {"at": at.strftime("%Y-%m-%dT%H:%M")},
        )
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.revision_state == State.SCHEDULED
        assert "Old words." in client.get(article.get_absolute_url()).content.decode()

        clock.shift(timedelta(minutes=9))
        assert "revisions" in schedule.run_due()
        article.refresh_from_db()
        assert article.body == "<p>Old words.</p>"

        clock.shift(timedelta(minutes=1))  # its time, in the next minute's slot
        assert "revisions" in schedule.run_due()
        article.refresh_from_db()
        assert article.body == "<p>New words.</p>"
        record.refresh_from_db()
        assert record.revision_state == State.APPLIED
        # A normal save: a new revision, and the page shows the new text at once.
        assert article.history.latest("history_id").revision_state == State.SAVED
        assert "New words." in client.get(article.get_absolute_url()).content.decode()


def test_a_scheduled_revision_of_a_deleted_article_is_dropped_and_logged(proposal, caplog):
    article, record = proposal
    article_id = article.pk
    revisions.schedule(record, timezone.now() - timedelta(seconds=1))
    article.delete()
    with caplog.at_level(logging.WARNING, logger="articles.revisions"):
        assert revisions.apply_due() == []
    record.refresh_from_db()
    assert record.revision_state == State.DROPPED
    assert f"of article {article_id} dropped: the article no longer exists" in caplog.text


def test_a_revision_is_applied_once(proposal, editor):
    article, record = proposal
    assert revisions.apply(record, editor) is not None
    assert revisions.apply(record, editor) is None  # a second scheduler, a double click
    assert article.history.filter(revision_state=State.SAVED).count() == 2


def test_category_revision_restores(editor_client, make_category):
    sport = make_category("sport", name="Sport")
    first = sport.history.get()
    sport.name = "Sports"
    sport.save()
    url = f"/admin/articles/category/{sport.pk}/change/?_restore={first.history_id}"
    page = editor_client.get(url)
    assert editor_client.post(url, form_data(page)).status_code == 302
    assert Category.objects.get(pk=sport.pk).name == "Sport"


def test_history_page_lists_revisions(editor_client, make_article):
    article = make_article()
    article.save()
    page = editor_client.get(HISTORY.format(article.pk))
    assert page.status_code == 200
    assert page.content.decode().count('name="a"') == 2
