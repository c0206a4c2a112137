"""The review workflow through the admin, as its people use it: a writer submits, an
editor requests changes, the writer revises, the editor compares two revisions and
publishes; a writer's edit of a published article waits in review; forged steps are 403s."""

import pytest
from django.core import mail
from django.utils import timezone

from articles.models import Article, RevisionState
from tests.articles.revision_helpers import CHANGE, HISTORY, form_data, make_person

State = RevisionState.State


@pytest.fixture
def writer(db):
    return make_person("wendy", "Writers")


@pytest.fixture
def editor_person(db):
    return make_person("edna", "Editors")


def client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


def test_the_whole_flow(client, django_user_model, writer, editor_person, world):
    from django.test import Client

    wendy, edna = client_for(Client, writer), client_for(Client, editor_person)

    # The writer writes and submits; she cannot set the status herself.
    add = wendy.get("/admin/articles/article/add/")
    assert 'name="status"' not in add.content.decode()
    data = form_data(
        add,
        title="Harbour bridge opens",
        slug="harbour-bridge",
        category=world.pk,
        authors=[writer.pk],
        body="<p>The bridge opened on Monday.</p><p>Crowds came.</p>",
        _workflow="submit",
    )
    response = wendy.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="harbour-bridge")
    assert article.status == Article.Status.IN_REVIEW
    assert [m.to for m in mail.outbox] == [["edna@example.com"]]
    assert "Submitted for review: Harbour bridge opens" in mail.outbox[0].subject

    # The editor sends it back with a note; without a note she is asked for one.
    page = edna.get(CHANGE.format(article.pk))
    assert "Request changes" in page.content.decode()
    refused = edna.post(CHANGE.format(article.pk), form_data(page, _workflow="request_changes"))
    assert refused.status_code == 200
    assert "Say what should change" in refused.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    response = edna.post(
        CHANGE.format(article.pk),
        form_data(page, _workflow="request_changes", change_request="Name the engineer."),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert mail.outbox[-1].to == ["wendy@example.com"]
    assert "Name the engineer." in mail.outbox[-1].body

    # The writer sees the note, revises and submits again.
    page = wendy.get(CHANGE.format(article.pk))
    assert "Name the engineer." in page.content.decode()
    response = wendy.post(
        CHANGE.format(article.pk),
        form_data(
            page,
            body="<p>The bridge, designed by Ada Brunel, opened on Monday.</p><p>Crowds came.</p>",
            _workflow="submit",
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW

    # The editor compares the first submission with the revision.
    history = edna.get(HISTORY.format(article.pk))
    assert history.status_code == 200
    records = list(article.history.order_by("history_id"))
    first = next(r for r in records if r.history_change_reason == "Submitted for review")
    last = records[-1]
    compare = edna.get(
        f"/admin/articles/article/{article.pk}/history/compare/",
        {"a": first.history_id, "b": last.history_id},
    )
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "The bridge<ins>, designed by Ada Brunel,</ins> opened" in html
    assert "&lt;p&gt;" not in html and "<p>The bridge" not in html  # text, not markup

    # And publishes it.
    page = edna.get(CHANGE.format(article.pk))
    response = edna.post(CHANGE.format(article.pk), form_data(page, _workflow="publish"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_published
    assert mail.outbox[-1].to == ["wendy@example.com"]
    assert "Published" in mail.outbox[-1].subject
    reasons = list(article.history.values_list("history_change_reason", flat=True))
    assert {"Submitted for review", "Changes requested: Name the engineer.", "Published"} <= set(
        reasons
    )


def test_a_writers_edit_of_a_published_article_waits_for_review(
    client, writer, editor_person, make_article
):
    from django.test import Client

    article = make_article(title="Live story", body="<p>Old words.</p>")
    article.authors.add(writer)
    wendy, edna = client_for(Client, writer), client_for(Client, editor_person)

    page = wendy.get(CHANGE.format(article.pk))
    response = wendy.post(CHANGE.format(article.pk), form_data(page, body="<p>New words.</p>"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>Old words.</p>"  # the live text stays
    assert "Old words." in client.get(article.get_absolute_url()).content.decode()
    proposal = article.history.get(revision_state=State.IN_REVIEW)
    assert proposal.body == "<p>New words.</p>"
    assert mail.outbox[-1].to == ["edna@example.com"]
    waiting = wendy.get(CHANGE.format(article.pk)).content.decode()
    assert "Changes waiting to go live" in waiting
    # She can go on from her revision (the form filled with it), not from the live text.
    assert f'href="?_restore={proposal.history_id}"' in waiting
    again = wendy.get(CHANGE.format(article.pk) + f"?_restore={proposal.history_id}")
    assert again.context["adminform"].form["body"].value() == "<p>New words.</p>"
    wendy.post(
        CHANGE.format(article.pk) + f"?_restore={proposal.history_id}",
        form_data(again, body="<p>Newer words.</p>"),
    )
    proposal.refresh_from_db()
    assert proposal.revision_state == State.DROPPED  # replaced by her newer one
    proposal = article.history.get(revision_state=State.IN_REVIEW)
    assert proposal.body == "<p>Newer words.</p>"

    # The editor sees it waiting, compares it with the live revision and publishes it.
    assert "change waiting" in edna.get("/admin/articles/article/").content.decode()
    live = article.history.filter(revision_state=State.SAVED).latest("history_id")
    compare = edna.get(
        f"/admin/articles/article/{article.pk}/history/compare/",
        {"a": live.history_id, "b": proposal.history_id},
    )
    assert "<del>Old</del><ins>Newer</ins>" in compare.content.decode()
    assert "Publish this revision now" in compare.content.decode()
    response = edna.post(
        f"/admin/articles/article/{article.pk}/history/{proposal.history_id}/publish/"
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>Newer words.</p>"
    assert "Newer words." in client.get(article.get_absolute_url()).content.decode()
    proposal.refresh_from_db()
    assert proposal.revision_state == State.APPLIED
    assert mail.outbox[-1].to == ["wendy@example.com"]


def test_a_writers_forged_publish_is_403_and_changes_nothing(writer, make_article):
    from django.test import Client

    wendy = client_for(Client, writer)
    draft = make_article(status=Article.Status.IN_REVIEW, body="<p>Draft.</p>")
    revisions_before = draft.history.count()
    page = wendy.get(CHANGE.format(draft.pk))
    assert "Save and Publish" not in page.content.decode()

    forged = form_data(page, body="<p>Forged.</p>", _workflow="publish")
    assert wendy.post(CHANGE.format(draft.pk), forged).status_code == 403
    # The status field is not the writer's: a forged value is ignored.
    forged = form_data(page, status="published", featured="1")
    assert wendy.post(CHANGE.format(draft.pk), forged).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW and draft.featured is None
    assert draft.history.count() == revisions_before + 1  # only the (allowed) save

    # Nor the changelist's publish action, nor a revision's publish button.
    wendy.post("/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW
    record = draft.history.latest("history_id")
    url = f"/admin/articles/article/{draft.pk}/history/{record.history_id}/publish/"
    assert wendy.post(url).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW


def test_an_unknown_workflow_step_is_refused(editor_client, make_article):
    article = make_article()
    page = editor_client.get(CHANGE.format(article.pk))
    response = editor_client.post(CHANGE.format(article.pk), form_data(page, _workflow="delete"))
    assert response.status_code == 400


def test_publishing_with_a_future_time_schedules(editor_client, make_article):
    later = timezone.now() + timezone.timedelta(days=1)
    article = make_article(status=Article.Status.IN_REVIEW, published_at=later)
    page = editor_client.get(CHANGE.format(article.pk))
    assert "Save and Schedule" in page.content.decode()
    response = editor_client.post(
        CHANGE.format(article.pk), form_data(page, _workflow="publish"), follow=True
    )
    assert "Scheduled." in response.content.decode()
    article.refresh_from_db()
    assert article.is_scheduled
    assert article.history.latest("history_id").history_change_reason.startswith("Scheduled for")


def test_the_changelist_actions_are_workflow_steps(writer, editor_person, make_article):
    """ "Publish selected" and "Unpublish selected" take the same steps as the form's
    buttons: each recorded as a revision with its reason, the writer told by mail."""
    from django.test import Client

    edna = client_for(Client, editor_person)
    draft = make_article(slug="bulk-draft", status=Article.Status.DRAFT)
    draft.authors.set([writer])
    mail.outbox.clear()
    response = edna.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "1 article published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published
    latest = draft.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == ("Published", editor_person)
    assert [m.to for m in mail.outbox] == [["wendy@example.com"]]
    assert mail.outbox[0].subject.startswith("[The Newsroom] Published:")

    mail.outbox.clear()
    response = edna.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "1 article moved to draft." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    latest = draft.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Unpublished (back to draft)"
    assert mail.outbox[0].subject.startswith("[The Newsroom] Taken off the site:")
