"""A decision on a comment (an approval, a removal, an edit of a shown one) re-renders only
the article page's comments section (`comments.section`,
`articles.pagecache.register_section`): the page it makes is the page a whole render makes,
byte for byte, in fewer queries; anything else (an edit of the article, a later page of
comments, a previous page whose other parts are too old) is rendered whole."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from articles import pagecache
from articles.caching import Versions
from comments.models import Comment, ModerationPolicy
from comments.moderation import change_status

pytestmark = pytest.mark.django_db


def whole_renders(monkeypatch):
    renders = []
    render = pagecache._render
    monkeypatch.setattr(pagecache, "_render", lambda *args: renders.append(1) or render(*args))
    return renders


def rendered_whole(url, monkeypatch):
    """The page under the current versions as a whole render makes it (nothing stored)."""
    with monkeypatch.context() as m:
        m.setattr(pagecache._Section, "refresh", None)
        m.setattr(pagecache, "_recent", pagecache._RecentPages(size=0))
        url_key = pagecache._url_key(RequestFactory().get(url))
        cache.delete_many([f"page:{url_key}:{Versions().key}", f"latest:{url_key}"])
        return Client().get(url).content


def approve(comment):
    change_status(comment, Comment.Status.APPROVED, actor_label="test")
    Versions()  # the first read after a write recomputes the schedule (a query)


def test_an_approval_renders_the_comments_section_only_and_the_page_is_the_same(
    article, make_comment, monkeypatch, django_assert_num_queries
):
    make_comment(body="Already there.")
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    before = Client().get(url).content
    assert b"<!--comments:section:" in before
    renders = whole_renders(monkeypatch)
    approve(pending)
    # The article, the policy, the thread's rows.
    with django_assert_num_queries(3):
        page = Client().get(url)
    assert renders == []
    html = page.content.decode()
    assert "Already there." in html and "Just approved." in html
    whole = rendered_whole(url, monkeypatch)
    assert page.content == whole
    assert renders == [1]


def test_a_whole_render_costs_more_queries(article, make_comment, django_assert_max_num_queries):
    """What the section alone saves (the assertion above counts 3)."""
    make_comment(body="Already there.")
    url = article.get_absolute_url()
    Client().get(url)
    approve(make_comment(body="Just approved.", status=Comment.Status.PENDING))
    pagecache.register_section(None)
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            Client().get(url)
    finally:
        from comments import section

        pagecache.register_section(section.refresh)
    # The path's categories, the article, its authors, tags, "more from", the policy, the thread.
    assert len(queries) == 7, "\n".join(q["sql"][:100] for q in queries.captured_queries)


@pytest.mark.parametrize(
    "hide",
    [
        lambda comment: change_status(comment, Comment.Status.PENDING, actor_label="test"),
        lambda comment: change_status(comment, Comment.Status.SPAM, actor_label="test"),
        lambda comment: Comment.objects.get(pk=comment.pk).delete(),
    ],
    ids=["unapproved", "spam", "deleted"],
)
def test_after_a_removal_the_section_alone_is_rendered_without_it(
    article, make_comment, monkeypatch, django_assert_num_queries, hide
):
    """A removal moves the strict version (the previous page is never served as it is)
    but not the shell version: the page is made from the previous one with its section
    rendered from the current rows, the same bytes as a whole render."""
    make_comment(body="Staying.")
    comment = make_comment(body="Soon withdrawn.")
    url = article.get_absolute_url()
    assert b"Soon withdrawn." in Client().get(url).content
    renders = whole_renders(monkeypatch)
    hide(comment)
    Versions()  # the first read after a write recomputes the schedule (a query)
    with django_assert_num_queries(3):  # the article, the policy, the thread's rows
        page = Client().get(url)
    assert renders == []
    assert b"Soon withdrawn." not in page.content and b"Staying." in page.content
    assert page.content == rendered_whole(url, monkeypatch)


def test_after_an_edit_of_a_shown_comment_the_section_alone_is_rendered(
    article, make_comment, monkeypatch
):
    comment = make_comment(body="Teh first version.")
    url = article.get_absolute_url()
    Client().get(url)
    renders = whole_renders(monkeypatch)
    comment.body = "The second version."
    comment.save()
    page = Client().get(url)
    assert renders == [] and b"The second version." in page.content
    assert b"Teh first version." not in page.content


def test_after_anything_else_changes_the_page_is_rendered_whole(article, make_comment, monkeypatch):
    """An edit of the article moves the shell version: its title is outside the section."""
    make_comment(body="A comment.")
    url = article.get_absolute_url()
    Client().get(url)
    renders = whole_renders(monkeypatch)
    article.title = "A title changed after the page was stored"
    article.save()
    approve(make_comment(body="Approved after the edit.", status=Comment.Status.PENDING))
    page = Client().get(url)
    assert renders == [1]
    assert b"A title changed after the page was stored" in page.content
    assert b"Approved after the edit." in page.content


def test_the_other_parts_are_rendered_whole_at_least_every_section_seconds(
    article, make_comment, monkeypatch
):
    url = article.get_absolute_url()
    Client().get(url)
    renders = whole_renders(monkeypatch)
    approve(make_comment(body="First.", status=Comment.Status.PENDING))
    Client().get(url)
    assert renders == []  # the section only
    monkeypatch.setattr(pagecache, "SECTION_SECONDS", 0)
    approve(make_comment(body="Second.", status=Comment.Status.PENDING))
    page = Client().get(url)
    assert renders == [1] and b"Second." in page.content


def test_a_later_page_of_comments_is_rendered_whole(article, make_comment, monkeypatch):
    policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
    policy.comments_per_page = 1
    policy.save()
    make_comment(body="First thread.")
    first = make_comment(body="Second thread.")
    second_page = article.get_absolute_url() + "comments/page/2/"
    response = Client().get(second_page)
    if response.status_code == 404:  # the comment pages' address, as the app names it
        from comments import paging

        second_page = paging.page_path(article.get_absolute_url(), 2)
        response = Client().get(second_page)
    assert response.status_code == 200 and b"<!--comments:section:" not in response.content
    renders = whole_renders(monkeypatch)
    approve(make_comment(body="A reply.", parent=first, status=Comment.Status.PENDING, depth=2))
    page = Client().get(second_page)
    assert renders == [1] and b"A reply." in page.content


def test_an_approval_renders_the_thread_before_any_reader_comes(
    article,
    make_comment,
    monkeypatch,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    """The decision's commit renders the first page of the thread under the new comments
    version (`section.warm`): the first reader after it reads no comment rows, and gets the
    page a whole render makes."""
    make_comment(body="Already there.")
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    Client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        approve(pending)
    Versions()  # the schedule, recomputed after the version written at commit
    # The article and the policy: not the thread's rows.
    with django_assert_num_queries(2):
        page = Client().get(url)
    html = page.content.decode()
    assert "Already there." in html and "Just approved." in html
    assert page.content == rendered_whole(url, monkeypatch)


def test_an_unapproval_renders_the_thread_without_it(
    article, make_comment, monkeypatch, django_capture_on_commit_callbacks
):
    from comments.templatetags.comments_tags import Thread

    kept = make_comment(body="Kept.")
    withdrawn = make_comment(body="Soon withdrawn.")
    url = article.get_absolute_url()
    assert b"Soon withdrawn." in Client().get(url).content
    stored = []
    fragment = Thread.fragment
    monkeypatch.setattr(
        Thread, "fragment", lambda self, store=False: stored.append(store) or fragment(self, store)
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_status(withdrawn, Comment.Status.PENDING, actor_label="test")
    assert stored == [True]
    page = Client().get(url).content
    assert b"Kept." in page and b"Soon withdrawn." not in page
    assert stored == [True, False]  # the reader's render took the stored thread
    assert page == rendered_whole(url, monkeypatch)
    assert kept.status == Comment.Status.APPROVED


def test_a_decision_that_shows_nothing_new_renders_nothing(
    article, make_comment, monkeypatch, django_capture_on_commit_callbacks
):
    """Pending to spam changes nothing a reader sees: no thread is rendered for it."""
    from comments import section

    warmed = []
    monkeypatch.setattr(section, "warm", warmed.append)
    pending = make_comment(body="Held.", status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(pending, Comment.Status.SPAM, actor_label="test")
    assert warmed == []
    with django_capture_on_commit_callbacks(execute=True):
        change_status(pending, Comment.Status.PENDING, actor_label="test")
        change_status(pending, Comment.Status.APPROVED, actor_label="test")
    assert warmed == [article.pk]


def test_a_failed_render_ahead_costs_only_the_warmth(
    article, make_comment, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """The decision stands and the reader renders the thread, with the new comment."""
    from comments.templatetags.comments_tags import Thread

    pending = make_comment(body="Approved anyway.", status=Comment.Status.PENDING)
    url = article.get_absolute_url()
    Client().get(url)

    def broken(self, store=False):
        if store:
            raise ConnectionError("cache gone")
        return fragment(self, store)

    fragment = Thread.fragment
    monkeypatch.setattr(Thread, "fragment", broken)
    with django_capture_on_commit_callbacks(execute=True):
        approve(pending)
    assert Comment.objects.get(pk=pending.pk).status == Comment.Status.APPROVED
    assert "could not render the thread of article" in caplog.text
    assert b"Approved anyway." in Client().get(url).content
