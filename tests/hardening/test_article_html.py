"""Article HTML is sanitised on save and again on render."""

from django.db import connection

from articles.models import Article

HOSTILE = (
    '<p>Text</p><script>alert("x")</script>'
    '<img src="/media/x.jpg" onerror="alert(1)">'
    '<a href="javascript:alert(2)">link</a>'
)


def test_a_stored_script_never_reaches_a_visitor(client, make_article):
    """A body written straight into the database (bypassing `save()`'s sanitiser) is
    cleaned when the page renders: no script element, no event handler, no javascript: link."""
    article = make_article(slug="raw", title="Raw")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Article._meta.db_table} SET body = %s WHERE id = %s", [HOSTILE, article.pk]
        )
    html = client.get(article.get_absolute_url()).content.decode()
    body = html.split('class="article__body prose">', 1)[1].split("</div>", 1)[0]
    assert "<p>Text</p>" in body
    assert "<script" not in body
    assert "onerror" not in body
    assert "javascript:" not in body


def test_save_sanitises_too(make_article):
    """The first line of defence: what an editor saves is cleaned before it is stored."""
    article = make_article(slug="saved", body=HOSTILE)
    article.refresh_from_db()
    assert "<script" not in article.body and "onerror" not in article.body
