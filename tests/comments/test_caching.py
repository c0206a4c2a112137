"""The comment thread in cached pages: approving shows at once, and a cached page never
carries one visitor's pending comment, saved details, session or CSRF token to another."""

import threading
import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client, RequestFactory

from articles import pagecache
from comments.actions import ACTIONS
from comments.models import Comment
from comments.moderation import change_status
from comments.preview import PREVIEW_COOKIE, PREVIEW_SALT

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_client_cls():
    """Fresh browsers: each with its own cookies."""
    return Client


def html_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response, response.content.decode()


def test_approving_shows_at_once_and_unapproving_hides(client, article, make_comment, moderator):
    """The cached page and thread change with the approved comments, without a flush."""
    pending = make_comment(body="Held for a moment.", status=Comment.Status.PENDING)
    _response, html = html_of(client, article)
    assert "Held for a moment." not in html
    ACTIONS["approve"].execute(pending, moderator)
    _response, html = html_of(client, article)
    assert "Held for a moment." in html and ">1 Comment</h2>" in html
    ACTIONS["spam"].execute(pending, moderator)
    _response, html = html_of(client, article)
    assert "Held for a moment." not in html


def test_an_edited_approved_comment_shows_its_new_text(client, article, make_comment):
    comment = make_comment(body="Teh first version.")
    assert "Teh first version." in html_of(client, article)[1]
    comment.body = "The first version."
    comment.save()
    assert "The first version." in html_of(client, article)[1]


def test_the_authors_pending_comment_is_theirs_alone(client, django_client_cls, article, post):
    """The author sees their pending comment on a private page; a visitor before and after
    them gets the shared page without it, without their name or e-mail, without cookies."""
    visitor = django_client_cls()
    html_of(visitor, article)  # the shared page is in the cache before the author posts
    author = django_client_cls()
    response = post(client=author, comment="My words, awaiting moderation.", save_details="on")
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING

    mine, html = html_of(author, article)
    assert "My words, awaiting moderation." in html
    assert "Your comment is awaiting moderation." in html
    assert 'value="Ada Reader"' in html  # the consent cookies fill the form
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]
    assert "Cookie" in mine["Vary"]

    for other in (visitor, django_client_cls()):
        theirs, html = html_of(other, article)
        assert "My words" not in html and "awaiting moderation" not in html
        assert "Ada Reader" not in html and "example.com" not in html
        assert "public" in theirs["Cache-Control"]
        assert not theirs.cookies


def test_a_signed_in_readers_token_never_reaches_the_shared_page(
    client, django_client_cls, article, django_user_model
):
    """A signed-in reader's page carries their CSRF token and is private; the next
    anonymous visitor gets a page without any token, session or name."""
    member = django_client_cls()
    member.force_login(django_user_model.objects.create_user("member", first_name="Mona"))
    response, html = html_of(member, article)
    assert "csrfmiddlewaretoken" in html and "Mona" in html
    assert "private" in response["Cache-Control"]

    anonymous, html = html_of(client, article)
    assert "csrfmiddlewaretoken" not in html and "Mona" not in html
    assert not anonymous.cookies
    assert "public" in anonymous["Cache-Control"]


def test_a_cross_site_post_is_refused_even_with_the_cached_forms_token(
    client, article, post_url, form_data
):
    """The cached page's form token is the same for everybody, so it is not what stops a
    forged post: the Origin check is. A cross-site POST with it is refused, nothing saved."""
    html_of(client, article)
    response = client.post(post_url, form_data(), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Comment.objects.exists()
    response = client.post(post_url, form_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302


def test_change_status_moves_the_thread_version(article, make_comment):
    """The one status writer bumps the article's comments version (it writes with update(),
    which sends no signal); a change that does not touch approved comments does not."""
    from articles import caching

    comment = make_comment(status=Comment.Status.PENDING)
    before = caching.comments_version(article.pk)["token"]
    change_status(comment, Comment.Status.TRASH, actor_label="test")
    assert caching.comments_version(article.pk)["token"] == before
    change_status(comment, Comment.Status.APPROVED, actor_label="test")
    assert caching.comments_version(article.pk)["token"] != before


# -- readers with cookies get the shared page with their own form -------------------------


FORGED_COOKIES = {
    "markup in the saved name": {
        "comment_author": "%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cb%3E",
        "comment_author_email": "x%22%20onfocus%3D%22alert(1)",
        "comment_author_url": "javascript%3Aalert(1)",
    },
    "4 kB of junk": {"comment_author": "%ZZ\u00ff" + "j%00unk;" * 512, "other": "x" * 4096},
    "a preview cookie for another article": {},  # filled in by the test
}


@pytest.mark.parametrize("case", list(FORGED_COOKIES))
def test_a_forged_or_oversized_cookie_never_reaches_the_shared_page(
    case, django_client_cls, article, make_article, make_comment
):
    """The reader gets a private page (never a 500); the shared page stays without it."""
    cookies = dict(FORGED_COOKIES[case])
    if not cookies:
        other = make_article(slug="another")
        theirs = make_comment(article=other, status=Comment.Status.PENDING, body="Not here.")
        value = f"{theirs.pk}.{theirs.preview_secret}"
        cookies[PREVIEW_COOKIE] = signing.get_cookie_signer(
            salt=PREVIEW_COOKIE + PREVIEW_SALT
        ).sign(value)
    visitor = django_client_cls()
    html_of(visitor, article)  # the shared page is cached
    reader = django_client_cls()
    for name, value in cookies.items():
        reader.cookies[name] = value
    response, html = html_of(reader, article)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "<script>alert" not in html and 'onfocus="' not in html and "Not here." not in html
    assert 'href="javascript:' not in html
    for other in (visitor, django_client_cls()):
        shared, html = html_of(other, article)
        assert "public" in shared["Cache-Control"]
        assert "alert" not in html and "junk" not in html and "Not here." not in html


def test_a_returning_reader_gets_the_shared_page_with_their_saved_details(
    django_client_cls, article, make_comment, django_assert_num_queries
):
    """Their name, e-mail and website in the form; the thread and the shell as everybody
    gets them (no query: the form needs only what its mark names); the form still posts
    without JS, and is the one the page renders for them."""
    make_comment(body="A shared thought.")
    shared, shared_html = html_of(django_client_cls(), article)
    reader = django_client_cls()
    reader.cookies["comment_author"] = "Ada%20Reader"
    reader.cookies["comment_author_email"] = "ada%40example.com"
    reader.cookies["comment_author_url"] = "https%3A//ada.example/"
    with django_assert_num_queries(0):
        response, html = html_of(reader, article)
    assert 'value="Ada Reader"' in html and 'value="ada@example.com"' in html
    assert 'value="https://ada.example/"' in html and "A shared thought." in html
    assert "private" in response["Cache-Control"]
    assert html.split('<div id="respond"')[0] == shared_html.split("<!--personal:form:")[0]
    assert 'name="token" value="' in html and 'method="post"' in html
    assert "Ada Reader" not in html_of(django_client_cls(), article)[1]
    # The same form as the page renders for them, cookies and all, without the shared page.
    own = django_client_cls()
    own.cookies = reader.cookies
    own_html = own.get(article.get_absolute_url(), {"replytocom": "x"}).content.decode()
    form = html.split('<div id="respond"')[1].split("</form>")[0]
    assert form == own_html.split('<div id="respond"')[1].split("</form>")[0]


def test_an_authors_preview_still_gets_a_page_of_their_own(client, article, post):
    """The preview cookie shows their pending comment in the thread: rendered for them."""
    assert post(client=client, comment="Mine alone.").status_code == 302
    assert "Mine alone." in html_of(client, article)[1]


# -- one renderer per page version -------------------------------------------------------


def hold_the_locks(monkeypatch):
    """From now on every page lock is held by another process (which never finishes in
    time): a reader waits briefly, then gets the previous page or renders it."""
    real_add = pagecache.cache.add

    def add(key, *args, **kwargs):
        if key.endswith(":lock"):
            pagecache.cache.set(key, 1, 5)
            return False
        return real_add(key, *args, **kwargs)

    monkeypatch.setattr(pagecache.cache, "add", add)


@pytest.fixture
def someone_else_renders(monkeypatch):
    hold_the_locks(monkeypatch)


def test_a_page_rendered_across_an_unapproval_is_never_served_after_it(
    client, article, make_comment, moderator, monkeypatch
):
    """A page whose rows were read before an unapproval committed is never served after it,
    even while another process renders the new one."""
    comment = make_comment(body="Soon withdrawn.")
    render = pagecache._render

    def render_then_unapprove(*args):
        response = render(*args)
        ACTIONS["unapprove"].execute(comment, moderator)  # commits while this page is being stored
        return response

    monkeypatch.setattr(pagecache, "_render", render_then_unapprove)
    assert "Soon withdrawn." in html_of(client, article)[1]
    monkeypatch.setattr(pagecache, "_render", render)
    hold_the_locks(monkeypatch)
    assert "Soon withdrawn." not in html_of(Client(), article)[1]


def test_while_an_approval_is_rendered_others_may_get_the_page_without_it(
    client, article, make_comment, moderator, someone_else_renders
):
    """An approval only adds: until the new page is stored, the previous one may be served
    (briefly, with s-maxage=0)."""
    make_comment(body="Already there.")
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    assert "Already there." in html_of(client, article)[1]  # rendered: no one else did
    ACTIONS["approve"].execute(pending, moderator)
    response, html = html_of(Client(), article)
    assert "Already there." in html and "Just approved." not in html
    assert "s-maxage=0" in response["Cache-Control"]


def hold_the_page_lock(article, rendering):
    """Another process is rendering `article`'s page (the version whose key is `rendering`)."""
    request = RequestFactory().get(article.get_absolute_url())
    cache.set(f"latest:{pagecache._url_key(request)}:lock", rendering, 5)
    return lambda: cache.delete(f"latest:{pagecache._url_key(request)}:lock")


def test_one_render_at_a_time_per_page_approvals_meanwhile_get_the_previous_page(
    client, article, make_comment, moderator, monkeypatch
):
    """Approvals that follow each other faster than the page renders cost one render at a
    time: while one process renders the page with the first, a reader after the second gets
    the previous page instead of starting a second render; the next render shows both."""
    make_comment(body="Already there.")
    first = make_comment(body="First approved.", status=Comment.Status.PENDING)
    second = make_comment(body="Second approved.", status=Comment.Status.PENDING)
    assert "Already there." in html_of(client, article)[1]  # the page's latest version
    ACTIONS["approve"].execute(first, moderator)
    done = hold_the_page_lock(article, "page:with-the-first-approval")
    ACTIONS["approve"].execute(second, moderator)
    renders = []
    render, refreshed = pagecache._render, pagecache._refreshed
    monkeypatch.setattr(pagecache, "_render", lambda *args: renders.append(1) or render(*args))

    def section_only(*args):  # a render too: of the comments section alone
        entry = refreshed(*args)
        if entry is not None:
            renders.append(1)
        return entry

    monkeypatch.setattr(pagecache, "_refreshed", section_only)
    response, html = html_of(Client(), article)
    assert renders == []
    assert "Already there." in html and "First approved." not in html
    assert "s-maxage=0" in response["Cache-Control"]
    done()
    response, html = html_of(Client(), article)
    assert renders == [1]
    assert "First approved." in html and "Second approved." in html


def test_after_a_removal_a_reader_renders_at_once_while_an_older_version_is_rendered(
    client, article, make_comment, moderator, monkeypatch
):
    """The page being rendered is from before the unapproval: a reader after it neither gets
    the previous page nor waits for that render, it renders the page without the comment."""
    comment = make_comment(body="Soon withdrawn.")
    assert "Soon withdrawn." in html_of(client, article)[1]
    ACTIONS["unapprove"].execute(comment, moderator)
    hold_the_page_lock(article, "page:from-before-the-unapproval")
    started = time.monotonic()
    response, html = html_of(Client(), article)
    assert time.monotonic() - started < 2
    assert "Soon withdrawn." not in html
    assert "s-maxage=0" not in response["Cache-Control"]


def page_key(article):
    """The key of `article`'s page under the current versions, and its URL's key."""
    from articles.caching import Versions

    url_key = pagecache._url_key(RequestFactory().get(article.get_absolute_url()))
    return f"page:{url_key}:{Versions().key}", f"latest:{url_key}"


def count_renders(monkeypatch):
    renders = []
    render = pagecache._render
    monkeypatch.setattr(pagecache, "_render", lambda *args: renders.append(1) or render(*args))
    return renders


def store_later(seconds, key, content, unlock=None):
    """Another process's render of `key` ends after `seconds`: it stores `content` there and
    lets go of its lock."""

    def finish():
        time.sleep(seconds)
        cache.set(
            key,
            {
                "content": content,
                "content_type": "text/html",
                "etag": '"x"',
                "last_modified": None,
                "expires": time.time() + 60,
            },
            60,
        )
        if unlock:
            cache.delete(unlock)

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_a_reader_of_the_page_being_rendered_waits_for_it_however_long_it_takes(
    client, article, make_comment, moderator, monkeypatch
):
    """While another process renders this very version of the page (a render slowed by a
    loaded machine), a reader waits for it, beyond a second if need be, instead of rendering
    the same page a second time on the same cores (up to WAIT_SECONDS: a renderer killed
    mid-render holds its lock no longer than that)."""
    make_comment(body="Already there.")
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    ACTIONS["approve"].execute(pending, moderator)  # no previous page to serve: nothing cached
    key, latest = page_key(article)
    cache.set(f"{latest}:lock", key, 5)
    renders = count_renders(monkeypatch)
    thread = store_later(1.5, key, b"<p>The other process's page</p>", unlock=f"{latest}:lock")
    response = Client().get(article.get_absolute_url())
    thread.join()
    assert renders == []
    assert response.content == b"<p>The other process's page</p>"


def test_readers_of_a_newer_version_than_the_one_being_rendered_share_one_render(
    client, article, make_comment, moderator, monkeypatch
):
    """An older version of the page is being rendered and the reader may not get the previous
    page (here: after an unapproval). One reader of the new version renders it beside the
    older render (test_after_a_removal_…); the others wait for that one, not each rendering
    their own."""
    comment = make_comment(body="Soon withdrawn.")
    assert "Soon withdrawn." in html_of(client, article)[1]
    ACTIONS["unapprove"].execute(comment, moderator)
    key, latest = page_key(article)
    cache.set(f"{latest}:lock", "page:from-before-the-unapproval", 5)
    cache.set(f"{key}:lock", key, 5)  # a reader of this version renders it
    renders = count_renders(monkeypatch)
    thread = store_later(0.3, key, b"<p>Without it</p>", unlock=f"{key}:lock")
    response = Client().get(article.get_absolute_url())
    thread.join()
    assert renders == []
    assert response.content == b"<p>Without it</p>"


def test_the_previous_page_is_served_only_while_the_rows_it_shows_are_recent(
    client, article, make_comment, moderator, monkeypatch
):
    """The 2 s a page lacking an approval may be served count from when its rows were read,
    not from when it was stored: a slow render does not stretch them."""
    make_comment(body="Already there.")
    pending = make_comment(body="Just approved.", status=Comment.Status.PENDING)
    monkeypatch.setattr(pagecache, "STALE_SECONDS", 0.3)
    render = pagecache._render
    monkeypatch.setattr(pagecache, "_render", lambda *args: time.sleep(0.4) or render(*args))
    assert "Already there." in html_of(client, article)[1]  # read, then 0.4 s to render
    monkeypatch.setattr(pagecache, "_render", render)
    ACTIONS["approve"].execute(pending, moderator)
    hold_the_page_lock(article, "page:another-render")
    response, html = html_of(Client(), article)
    assert "Just approved." in html  # rendered: the previous page's rows were 0.4 s old
    assert "s-maxage=0" not in response["Cache-Control"]


# Outside a transaction, as a request's writes are (each change commits by itself).
@pytest.mark.django_db(transaction=True)
def test_a_bulk_approval_shows_every_comment_with_a_few_new_versions_not_one_each(
    client, article, make_comment, moderator, monkeypatch
):
    """The queue's Approve on many comments: each is committed by itself, the page versions
    move at once for the first and then together (coalesced), and once the action has
    answered the page shows every one of them."""
    from articles import caching

    assert "Approved" not in html_of(client, article)[1]
    pending = [
        make_comment(body=f"Approved number {n}.", status=Comment.Status.PENDING) for n in range(6)
    ]
    written = []
    real = caching.cache.set_many

    def set_many(data, *args, **kwargs):
        written.extend(k for k in data if k == caching.CONTENT_KEY)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(caching.cache, "set_many", set_many)
    ACTIONS["approve"].execute(Comment.objects.filter(pk__in=[c.pk for c in pending]), moderator)
    assert 1 <= len(written) <= 2  # six approvals, committed one by one
    html = html_of(Client(), article)[1]
    assert all(f"Approved number {n}." in html for n in range(6))


def test_a_renderer_that_never_stores_its_page_holds_its_readers_for_wait_seconds_at_most(
    client, article, make_comment, moderator, monkeypatch
):
    """Its process was killed mid-render: the lock stays until it expires, but its readers
    render the page themselves after WAIT_SECONDS."""
    make_comment(body="Already there.")
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.3)
    key, latest = page_key(article)
    cache.set(f"{latest}:lock", key, 5)
    renders = count_renders(monkeypatch)
    started = time.monotonic()
    response = Client().get(article.get_absolute_url())
    assert 0.3 <= time.monotonic() - started < 2
    assert renders == [1]
    assert "Already there." in response.content.decode()
