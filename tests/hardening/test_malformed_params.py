"""Every parameter the moderators' queue, the comment's admin views and the public pages
read, each given malformed values: a 200, a redirect, a 403/404/405 or a 400 — never a 500
(on SQLite and on PostgreSQL, whose text columns refuse NUL bytes)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comments.models import Comment

BAD = ["²", "abc", "-1", "9999999999999999999999999", "", "\x00", "٣", "1.0", " 1", "%00"]
NOT_500 = {200, 301, 302, 304, 400, 403, 404, 405}
QUEUE = "/admin/comments/comment/"


@pytest.fixture
def comments(db, make_comment):
    """One comment of each status (the approved one with a reply), so every view has
    something to show and every row its buttons."""
    made = {s: make_comment(status=s) for s in ("pending", "approved", "spam", "trash")}
    made["reply"] = make_comment(status="approved", parent=made["approved"])
    return made


@pytest.fixture
def root(db):
    """A superuser's client that answers 500s instead of raising them."""
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Long-9x")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def ok(response, *context):
    assert response.status_code in NOT_500, (*context, response.status_code)
    return response


# -- the queue ------------------------------------------------------------------------------

QUEUE_PARAMS = ["status", "verdict", "article", "q", "p", "o", "user_ip", "all", "e", "_facets"]


@pytest.mark.parametrize("value", BAD)
def test_queue_parameters(root, comments, value):
    for name in QUEUE_PARAMS:
        ok(root.get(QUEUE, {name: value}), name, value)
        ok(root.get(QUEUE, {name: value, "status": "all"}), name, value)
    ok(root.get(QUEUE, dict.fromkeys(QUEUE_PARAMS, value)), "all at once", value)


@pytest.mark.parametrize("value", BAD)
def test_bulk_action_names_and_selections(root, comments, value):
    pending = comments["pending"]
    # An unknown action name: Django's admin says "No action selected." and changes nothing.
    ok(root.post(QUEUE, {"action": value, "_selected_action": [pending.pk]}), "action", value)
    # Known actions with malformed selected ids, alone and next to a good one.
    for action in ("approve", "mark_spam", "delete_permanently", "check_again"):
        for selected in ([value], [value, pending.pk]):
            data = {"action": action, "_selected_action": selected, "index": value}
            ok(root.post(QUEUE + "?status=all", data), action, selected)


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/articles/article/", "unpublish"),
        ("/admin/articles/category/", "delete_selected"),
    ],
)
def test_bulk_selections_elsewhere_in_the_admin(root, article, url, action, value):
    for selected in ([value], [value, article.pk]):
        data = {"action": action, "_selected_action": selected, "index": "0"}
        ok(root.post(url, data), url, selected)


@pytest.mark.parametrize("value", BAD)
def test_comment_page_and_its_filters(root, comments, value):
    pk = comments["pending"].pk
    ok(root.get(f"{QUEUE}{pk}/change/", {"_changelist_filters": value}), "filters", value)
    ok(root.get(f"{QUEUE}{pk}/change/", {"_changelist_filters": f"status={value}"}), value)
    ok(root.get(f"{QUEUE}{pk}/history/", {"p": value}), "history", value)


# -- one comment: moderate, reply, empty ----------------------------------------------------


@pytest.mark.parametrize("value", BAD)
def test_moderate_action_names(root, comments, value):
    pk = comments["pending"].pk
    for method in (root.get, root.post):
        ok(method(f"{QUEUE}{pk}/moderate/{value}/"), method.__name__, value)
        ok(method(f"{QUEUE}{value}/moderate/approve/"), method.__name__, value)
    assert Comment.objects.get(pk=pk).status == "pending"


@pytest.mark.parametrize("value", [*BAD, "https://evil.example/", "//evil.example/", "/\x00/"])
def test_moderate_next(root, comments, value):
    pk = comments["pending"].pk
    page = ok(root.get(f"{QUEUE}{pk}/moderate/spam/", {"next": value}), "GET next", value)
    assert page.status_code == 200
    response = ok(root.post(f"{QUEUE}{pk}/moderate/trash/", {"next": value}), "POST", value)
    assert response.status_code == 302 and "evil" not in response["Location"]
    ok(root.post(f"{QUEUE}{pk}/moderate/restore/?next={value}"), "query next", value)


@pytest.mark.parametrize("value", BAD)
def test_reply(root, comments, value):
    approved = comments["approved"].pk
    ok(root.post(f"{QUEUE}{value}/reply/", {"body": "Thanks."}), "id", value)
    ok(root.post(f"{QUEUE}{approved}/reply/", {"body": value}), "body", value)
    ok(root.post(f"{QUEUE}{approved}/reply/", {"body": f"Thanks{value}."}), "body", value)


@pytest.mark.parametrize("value", [*BAD, "pending", "approved", "all", "SPAM", "spam/x"])
def test_empty(root, comments, value):
    for method in (root.get, root.post):
        ok(method(f"{QUEUE}empty/{value}/"), method.__name__, value)
    assert Comment.objects.filter(status="pending").exists()


# -- the public pages -------------------------------------------------------------------------

PUBLIC = [
    "/",
    "/search/",
    "/today/",
    "/today/world/",
    "/today/world/floods/",
    "/feed/",
    "/feed/atom/",
    "/today/world/feed/",
    "/today/world/feed/atom/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-sections.xml",
    "/sitemap-news.xml",
    "/privacy/",
]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages(article, comments, path, value):
    client = Client(raise_request_exception=False)
    for name in ("page", "replytocom", "q", "p"):
        ok(client.get(path, {name: value}), path, name, value)


@pytest.mark.parametrize("value", BAD)
def test_the_comment_post(article, form_data, value):
    """A comment's hidden parent and every field, malformed: refused, never a 500."""
    client = Client(raise_request_exception=False)
    url = article.get_absolute_url() + "comments/"
    for n, field in enumerate(("parent", "name", "email", "url", "comment", "token", "phone")):
        response = client.post(
            url,
            form_data(**{field: value}),
            HTTP_ORIGIN="http://testserver",
            REMOTE_ADDR=f"198.51.100.{n + 1}",  # not flooding
        )
        ok(response, field, value)
        if field == "parent" and value:
            assert response.status_code == 403
