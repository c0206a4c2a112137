"""The articles' background tasks: workflow mail to the people concerned, refusing
malformed payloads, and the scheduled revisions' job."""

import logging

from django.core import mail

from articles import tasks
from articles.models import Article
from tests.articles.revision_helpers import make_person


def test_a_submission_is_mailed_to_the_editors_but_not_to_who_submitted(make_article):
    writer = make_person("wendy", "Writers")
    make_person("edna", "Editors")
    make_person("quiet", "Editors", email=False)
    article = make_article(status=Article.Status.IN_REVIEW)
    assert tasks.notify.call(article.pk, "submitted", writer.pk, "") == 1
    assert mail.outbox[0].to == ["edna@example.com"]
    assert "/admin/articles/article/" in mail.outbox[0].body


def test_a_decision_goes_to_the_authors_and_the_submitter(make_article):
    author = make_person("amara", "Writers")
    editor = make_person("edna", "Editors")
    article = make_article()
    article.authors.add(author, editor)
    assert tasks.notify.call(article.pk, "published", editor.pk, "") == 1
    assert mail.outbox[0].to == ["amara@example.com"]


def test_malformed_payloads_and_deleted_articles_end_quietly(make_article, caplog):
    article = make_article()
    gone = article.pk
    article.delete()
    with caplog.at_level(logging.INFO, logger="articles.tasks"):
        assert tasks.notify.call(gone, "published", 1, "") == 0
        assert tasks.notify.call("1", "published", 1, "") == 0
        assert tasks.notify.call(1, "hacked", 1, "") == 0
    assert "refused a workflow mail job" in caplog.text
    assert f"article {gone} is gone" in caplog.text
    assert mail.outbox == []


def test_the_revision_publish_button_refuses_get_and_a_bad_time(editor_client, make_article):
    article = make_article()
    record = article.history.get()
    url = f"/admin/articles/article/{article.pk}/history/{record.history_id}/publish/"
    assert editor_client.get(url).status_code == 405
    response = editor_client.post(url, {"at": "tomorrow-ish"}, follow=True)
    assert "Give the time as YYYY-MM-DD HH:MM." in response.content.decode()
    response = editor_client.post(url, follow=True)
    assert "This revision is not waiting to go live." in response.content.decode()
    assert article.history.count() == 1
