"""A comment's text is rendered once, when it is saved, never per request: the thread and
the admin's comment page show the stored HTML (which only `text.render` produces)."""

import importlib

import pytest
from django.contrib.auth import get_user_model

from comments import text
from comments.models import Comment

HOSTILE = "<script>alert(1)</script> see http://a.example/x).\n\nnext <b>para</b>"


@pytest.fixture
def no_rendering(monkeypatch):
    """Count calls of text.render from here on."""
    calls = []
    real = text.render

    def counting(value):
        calls.append(value)
        return real(value)

    monkeypatch.setattr(text, "render", counting)
    return calls


def test_saving_stores_the_rendered_text(make_comment):
    comment = make_comment(body=HOSTILE)
    assert comment.body_html == text.render(HOSTILE)
    assert "<script>" not in comment.body_html
    assert Comment.objects.get(pk=comment.pk).body_html == text.render(HOSTILE)


def test_changing_the_body_renders_it_again(make_comment):
    comment = make_comment(body="first")
    comment.body = "second www.b.example"
    comment.save()
    assert Comment.objects.get(pk=comment.pk).body_html == text.render("second www.b.example")
    comment.body = "third"
    comment.save(update_fields=["body"])
    assert Comment.objects.get(pk=comment.pk).body_html == text.render("third")


def test_update_and_bulk_update_keep_the_html_in_step(make_comment):
    one, two = make_comment(body="one"), make_comment(body="two")
    Comment.objects.filter(pk=one.pk).update(body="<i>changed</i>")
    assert Comment.objects.get(pk=one.pk).body_html == text.render("<i>changed</i>")
    two.body = "bulk www.c.example"
    Comment.objects.bulk_update([two], ["body"])
    assert Comment.objects.get(pk=two.pk).body_html == text.render("bulk www.c.example")


def test_bulk_create_renders_too(article):
    (made,) = Comment.objects.bulk_create(
        [Comment(article=article, author_name="A", author_email="a@example.com", body="<u>x")]
    )
    assert Comment.objects.get(pk=made.pk).body_html == text.render("<u>x")


def test_the_thread_does_not_render_per_request(client, article, make_comment, no_rendering):
    make_comment(body=HOSTILE)
    no_rendering.clear()
    html = client.get(article.get_absolute_url()).content.decode()
    assert no_rendering == []
    assert text.render(HOSTILE) in html
    assert "<script>alert" not in html


def test_the_admin_page_does_not_render_per_request(client, make_comment, no_rendering):
    comment = make_comment(body=HOSTILE)
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Long-9!")
    client.force_login(user)
    no_rendering.clear()
    page = client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert no_rendering == []
    assert text.render(HOSTILE) in page


def test_the_migration_fills_existing_rows(make_comment):
    comment = make_comment(body="old www.d.example")
    Comment.objects.filter(pk=comment.pk).update(body_html="")
    migration = importlib.import_module("comments.migrations.0005_comment_body_html")
    from django.apps import apps

    migration.fill_body_html(apps, None)
    assert Comment.objects.get(pk=comment.pk).body_html == text.render("old www.d.example")


def test_reader_text_is_kept_xml_safe(article, make_comment):
    """Comments can reach feeds and mail: what XML 1.0 forbids never gets stored."""
    comment = make_comment(
        author_name="Ada\x08 \x00Reader",
        author_email="ada\x01@example.com",
        author_url="https://ada.example/\x1b",
        body="one\x0btwo\x0cthree\ud800 four\ufffe",
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.author_name == "Ada Reader"
    assert stored.author_email == "ada@example.com"
    assert stored.author_url == "https://ada.example/"
    assert stored.body == "one two three four"
    assert stored.body_html == text.render("one two three four")
    Comment.objects.filter(pk=comment.pk).update(author_name="B\x02ob", body="x\x0cy")
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.author_name, stored.body) == ("Bob", "x y")
