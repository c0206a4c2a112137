"""Comment model and QuerySet: the one definition of public, and the lookups the form uses."""

from datetime import timedelta

from django.utils import timezone

from articles.models import Article
from comments.models import Comment


def test_approved_is_the_one_definition_of_public(make_comment, make_article):
    """Only approved comments on published articles are public."""
    shown = make_comment()
    for status in ["pending", "spam", "trash"]:
        make_comment(status=status)
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    make_comment(article=draft)
    make_comment(article=scheduled)
    assert list(Comment.objects.approved()) == [shown]


def test_reply_depth_is_derived_from_the_parent(make_comment):
    """A reply is one level below its parent."""
    top = make_comment()
    reply = make_comment(parent=top)
    assert (top.depth, reply.depth, make_comment(parent=reply).depth) == (1, 2, 3)


def test_for_article_page_adds_only_the_named_pending_comments(make_comment, article):
    """The page query returns approved comments plus the visitor's own pending ones only."""
    approved = make_comment()
    own = make_comment(status="pending")
    make_comment(status="pending")
    spam = make_comment(status="spam")
    assert list(Comment.objects.for_article_page(article)) == [approved]
    named = [(own.pk, own.preview_secret), (spam.pk, spam.preview_secret)]
    page = Comment.objects.for_article_page(article, named)
    assert list(page) == [approved, own]
    # Each needs its own secret: another comment's, or none, names nothing.
    other = make_comment(status="pending")
    wrong = [(other.pk, own.preview_secret), (own.pk, ""), (own.pk, other.preview_secret)]
    assert list(Comment.objects.for_article_page(article, wrong)) == [approved]


def test_duplicates_ignore_trash_and_other_places(make_comment, article):
    """Same text by the same name or email on the same article and parent is a duplicate."""
    original = make_comment(author_name="Ada", author_email="ada@example.com", body="Same.")
    same_email = Comment(
        article=article, author_name="Other", author_email="ada@example.com", body="Same."
    )
    assert list(Comment.objects.duplicates_of(same_email)) == [original]
    as_reply = Comment(
        article=article, parent=original, author_name="Ada", author_email="x@y.z", body="Same."
    )
    assert not Comment.objects.duplicates_of(as_reply).exists()
    Comment.objects.filter(pk=original.pk).update(status="trash")
    assert not Comment.objects.duplicates_of(same_email).exists()


def test_recent_from_matches_ip_or_email_in_any_status(make_comment):
    """Flood control looks at every comment from that IP or that email."""
    since = timezone.now() - timedelta(seconds=15)
    make_comment(user_ip="192.0.2.7", author_email="a@example.com", status="spam")
    assert Comment.objects.recent_from("192.0.2.7", "new@example.com", since).exists()
    assert Comment.objects.recent_from("192.0.2.8", "a@example.com", since).exists()
    assert not Comment.objects.recent_from("192.0.2.8", "b@example.com", since).exists()
    later = timezone.now() + timedelta(seconds=1)
    assert not Comment.objects.recent_from("192.0.2.7", "a@example.com", later).exists()


def test_approved_by_author_needs_name_and_email(make_comment, article):
    """An earlier approved comment counts only with the same name and the same email."""
    make_comment(author_name="Ada", author_email="ada@example.com")
    same = Comment(article=article, author_name="Ada", author_email="ada@example.com")
    impostor = Comment(article=article, author_name="Ada", author_email="evil@example.com")
    assert Comment.objects.approved_by_author(same).exists()
    assert not Comment.objects.approved_by_author(impostor).exists()


def test_waiting_for_akismet_is_error_or_unchecked_while_a_key_is_set(make_comment, settings):
    """Pending comments Akismet has not judged: error always, unchecked only while a key is
    configured (with no key, nothing will ever check them). The re-check takes exactly
    these, and moderators are mailed about all the others."""
    error = make_comment(status="pending", verdict="error")
    unchecked = make_comment(status="pending", verdict="unchecked")
    ham = make_comment(status="pending", verdict="ham")
    make_comment(status="spam", verdict="error")
    pending = Comment.objects.awaiting_moderation()
    settings.AKISMET_API_KEY = "a-key"
    assert set(Comment.objects.waiting_for_akismet()) == {error, unchecked}
    assert set(Comment.objects.needs_recheck()) == {error, unchecked}
    assert set(pending.not_waiting_for_akismet()) == {ham}
    settings.AKISMET_API_KEY = ""
    assert set(Comment.objects.waiting_for_akismet()) == {error}
    assert set(pending.not_waiting_for_akismet()) == {unchecked, ham}
