"""An article's authors and tags in its revisions: every save keeps the ones it sets (the
admin's too, which sets them after the save), the diff shows byline and tag changes, a
restore brings them back (naming the ones gone), the stale check sees a change of only
tags, a workflow step from the form is one revision, and revisions made before they were
kept say "not recorded"."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from articles import revisions
from articles.models import Article, RevisionState, Tag
from tests.articles.revision_helpers import CHANGE, form_data, make_person

State = RevisionState.State
COMPARE = "/admin/articles/article/{}/history/compare/"


@pytest.fixture
def ana(db):
    return get_user_model().objects.create_user("ana", first_name="Ana", last_name="Ruiz")


@pytest.fixture
def tom(db):
    return get_user_model().objects.create_user("tom", first_name="Tom", last_name="Ito")


@pytest.fixture
def budget(db):
    return Tag.objects.create(name="budget", slug="budget")


@pytest.fixture
def elections(db):
    return Tag.objects.create(name="elections", slug="elections")


@pytest.fixture
def story(make_article, ana, budget):
    """An article by Ana tagged "budget", its newest revision recording them."""
    article = make_article(title="Council votes")
    article.authors.add(ana)
    article.tags.add(budget)
    article.save()
    return article


def newest(article):
    return article.history.latest("history_id")


def test_a_save_outside_the_admin_records_the_stored_authors_and_tags(story, ana, budget):
    first, second = story.history.order_by("history_id")
    assert (first.author_ids, first.tag_ids) == ([], [])  # created before they were added
    assert (second.author_ids, second.tag_ids) == ([ana.pk], [budget.pk])


def test_the_admin_save_records_the_new_authors_and_tags_in_one_revision(
    editor_client, story, ana, tom, elections
):
    before = story.history.count()
    page = editor_client.get(CHANGE.format(story.pk))
    response = editor_client.post(
        CHANGE.format(story.pk), form_data(page, authors=[tom.pk, ana.pk], tags=[elections.pk])
    )
    assert response.status_code == 302
    assert story.history.count() == before + 1
    record = newest(story)
    assert record.author_ids == sorted([ana.pk, tom.pk])
    assert record.tag_ids == [elections.pk]
    assert set(story.authors.all()) == {ana, tom}


def test_the_diff_shows_byline_and_tag_changes(editor_client, story, tom, elections):
    old = newest(story)
    story.authors.add(tom)
    story.tags.set([elections])
    story.save()
    new = newest(story)
    authors, tags = revisions.compare(old, new)
    assert (authors.label, authors.old, authors.new) == ("authors", "Ana Ruiz", "Ana Ruiz, Tom Ito")
    assert (tags.label, tags.old, tags.new) == ("tags", "budget", "elections")
    assert tags.chunks == [("same", "+"), ("ins", "elections"), ("same", " −"), ("del", "budget")]

    page = editor_client.get(COMPARE.format(story.pk), {"a": old.history_id, "b": new.history_id})
    html = page.content.decode()
    assert "Ana Ruiz → Ana Ruiz, <ins>Tom Ito</ins>" in html
    assert "+<ins>elections</ins> −<del>budget</del>" in html


def test_an_author_taken_off_is_struck_out_of_the_old_byline(story, ana, tom):
    story.authors.set([ana, tom])
    story.save()
    old = newest(story)
    story.authors.set([tom])
    story.save()
    (authors,) = revisions.compare(old, newest(story))
    assert authors.chunks == [
        ("del", "Ana Ruiz"),
        ("same", ", "),
        ("same", "Tom Ito"),
        ("same", " → "),
        ("same", "Tom Ito"),
    ]


def test_restoring_brings_the_authors_and_tags_back(editor_client, story, ana, tom, elections):
    first = newest(story)
    story.authors.set([tom])
    story.tags.set([elections])
    story.save()
    url = CHANGE.format(story.pk) + f"?_restore={first.history_id}"
    page = editor_client.get(url)
    form = page.context["adminform"].form
    assert [int(pk) for pk in form["authors"].value()] == [ana.pk]
    response = editor_client.post(url, form_data(page))
    assert response.status_code == 302
    assert list(story.authors.all()) == [ana]
    assert [t.name for t in story.tags.all()] == ["budget"]
    record = newest(story)
    assert record.history_change_reason == f"Restored revision #{first.history_id}"
    assert (record.author_ids, record.tag_ids) == (first.author_ids, first.tag_ids)


def test_restoring_a_revision_naming_a_deleted_author_and_tag_restores_the_rest(
    editor_client, story, ana, tom, budget, elections
):
    story.authors.add(tom)
    story.tags.add(elections)
    story.title = "Council votes again"
    story.save()
    both = newest(story)
    story.authors.set([ana])
    story.tags.set([budget])
    story.title = "Later title"
    story.save()
    tom_id, elections_id = tom.pk, elections.pk
    tom.delete()
    elections.delete()

    url = CHANGE.format(story.pk) + f"?_restore={both.history_id}"
    page = editor_client.get(url)
    assert page.status_code == 200
    said = [str(m) for m in page.context["messages"]]
    assert f"This revision named authors that no longer exist (#{tom_id})" in " ".join(said)
    assert f"This revision named tags that no longer exist (#{elections_id})" in " ".join(said)
    response = editor_client.post(url, form_data(page))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Council votes again"
    assert list(story.authors.all()) == [ana]
    assert list(story.tags.all()) == [budget]

    # The diff names them as gone, not as an error.
    (authors, tags) = [
        d
        for d in revisions.compare(story.history.earliest("history_id"), both)
        if d.name in ("authors", "tags")
    ]
    assert f"(deleted author #{tom_id})" in authors.new
    assert f"(deleted tag #{elections_id})" in tags.new


def test_a_change_of_only_tags_by_someone_else_makes_a_save_stale(story, editor, elections, budget):
    other = make_person("olga", "Editors")
    mine, theirs = Client(), Client()
    mine.force_login(editor)
    theirs.force_login(other)
    my_page = mine.get(CHANGE.format(story.pk))
    their_page = theirs.get(CHANGE.format(story.pk))
    response = theirs.post(
        CHANGE.format(story.pk), form_data(their_page, tags=[budget.pk, elections.pk])
    )
    assert response.status_code == 302

    refused = mine.post(CHANGE.format(story.pk), form_data(my_page, title="My title"))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Olga saved this article at" in html
    assert "+<ins>elections</ins>" in html
    story.refresh_from_db()
    assert story.title == "Council votes"
    again = mine.post(CHANGE.format(story.pk), form_data(refused))
    assert again.status_code == 302


def test_a_workflow_step_from_the_form_is_one_revision(editor_client, story, tom, elections):
    Article.objects.filter(pk=story.pk).update(status=Article.Status.IN_REVIEW)
    before = story.history.count()
    page = editor_client.get(CHANGE.format(story.pk))
    response = editor_client.post(
        CHANGE.format(story.pk),
        form_data(
            page, title="Council votes: the result", tags=[elections.pk], _workflow="publish"
        ),
    )
    assert response.status_code == 302
    assert story.history.count() == before + 1
    record = newest(story)
    assert record.history_change_reason == "Published"
    assert record.status == Article.Status.PUBLISHED
    assert record.title == "Council votes: the result"
    assert record.tag_ids == [elections.pk]
    story.refresh_from_db()
    assert story.is_published


def test_a_refused_step_from_the_form_saves_the_form_once_and_says_why(editor_client, story):
    past = timezone.now() - timedelta(days=3)
    Article.objects.filter(pk=story.pk).update(
        status=Article.Status.DRAFT, published_at=past - timedelta(days=1), unpublish_at=past
    )
    before = story.history.count()
    page = editor_client.get(CHANGE.format(story.pk))
    response = editor_client.post(
        CHANGE.format(story.pk),
        form_data(page, title="Kept title", _workflow="publish"),
        follow=True,
    )
    assert "The unpublish time must be after the publish time." in response.content.decode()
    assert story.history.count() == before + 1
    story.refresh_from_db()
    assert (story.title, story.status) == ("Kept title", Article.Status.DRAFT)
    assert story.published_at == past - timedelta(days=1)  # the step changed nothing
    assert newest(story).history_change_reason is None


def test_revisions_made_before_say_not_recorded(editor_client, story, ana, tom):
    story.history.update(author_ids=None, tag_ids=None)  # as the migration leaves them
    old = newest(story)
    story.authors.set([tom])
    story.save()
    new = newest(story)
    diffs = {d.name: d for d in revisions.compare(old, new)}
    assert diffs["authors"].chunks == [] and diffs["tags"].chunks == []
    assert diffs["authors"].note.startswith(f"not recorded in revision #{old.history_id}")
    page = editor_client.get(COMPARE.format(story.pk), {"a": old.history_id, "b": new.history_id})
    assert "Not recorded in revision" in page.content.decode()
    assert revisions.compare(old, story.history.earliest("history_id")) == []

    url = CHANGE.format(story.pk) + f"?_restore={old.history_id}"
    page = editor_client.get(url)
    said = " ".join(str(m) for m in page.context["messages"])
    assert "does not record its authors and tags" in said
    editor_client.post(url, form_data(page))
    assert list(story.authors.all()) == [tom]  # the current ones kept


def test_a_writers_proposal_keeps_her_tags_until_it_goes_live(story, editor, elections, budget):
    writer = make_person("wendy", "Writers")
    story.authors.add(writer)
    story.status = Article.Status.PUBLISHED
    story.save()
    wendy = Client()
    wendy.force_login(writer)
    page = wendy.get(CHANGE.format(story.pk))
    wendy.post(CHANGE.format(story.pk), form_data(page, tags=[elections.pk]))
    assert list(story.tags.all()) == [budget]  # the live article's stay
    proposal = story.history.get(revision_state=State.IN_REVIEW)
    assert proposal.tag_ids == [elections.pk]

    revisions.apply(proposal, editor)
    assert list(story.tags.all()) == [elections]
    assert newest(story).tag_ids == [elections.pk]


def test_a_restore_saved_with_a_step_says_both_in_its_one_revision(editor_client, story):
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT)
    first = story.history.earliest("history_id")
    before = story.history.count()
    url = CHANGE.format(story.pk) + f"?_restore={first.history_id}"
    page = editor_client.get(url)
    response = editor_client.post(url, form_data(page, status="draft", _workflow="submit"))
    assert response.status_code == 302
    assert story.history.count() == before + 1
    assert newest(story).history_change_reason == (
        f"Restored revision #{first.history_id}; Submitted for review"
    )
