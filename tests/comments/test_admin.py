"""The admin: the policy is one settings page; comments list with status read-only."""

import pytest
from django.contrib.auth import get_user_model

from comments import policy as policies
from comments.models import ModerationPolicy


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Long-9!")
    client.force_login(user)
    return client


def test_the_policy_list_opens_the_one_settings_page(admin_client):
    response = admin_client.get("/admin/comments/moderationpolicy/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/comments/moderationpolicy/1/change/"
    page = admin_client.get(response["Location"]).content.decode()
    assert "hold a comment with this many links or more" in page.lower()
    assert admin_client.get("/admin/comments/moderationpolicy/add/").status_code == 403


def test_saving_the_policy_takes_effect_at_once(admin_client):
    policies.current()
    data = {
        "manual_approval": "",
        "auto_approve_known_authors": "on",
        "link_limit": "3",
        "moderation_words": "casino",
        "disallowed_words": "",
        "close_after_days": "30",
        "flood_interval": "15",
        "thread_depth": "4",
        "comments_per_page": "20",
        "comment_order": "newest",
        "notify_moderators": "on",
        "personal_data_days": "60",
        "edit_minutes": "10",
        "reports_to_hold": "4",
        "surge_automatic": "on",
        "surge_pending_on": "50",
        "surge_posts_on": "20",
        "surge_posts_minutes": "10",
        "surge_pending_off": "20",
        "surge_calm_minutes": "10",
        "surge_interval": "120",
    }
    response = admin_client.post("/admin/comments/moderationpolicy/1/change/", data)
    assert response.status_code == 302
    policy = policies.current()
    assert (policy.manual_approval, policy.link_limit, policy.thread_depth) == (False, 3, 4)
    assert policy.close_after_days == 30
    assert (policy.comments_per_page, policy.comment_order) == (20, "newest")
    assert policy.reports_to_hold == 4
    assert ModerationPolicy.objects.count() == 1


def test_comment_list_and_read_only_status(admin_client, make_comment):
    comment = make_comment(status="pending", body="Queue me")
    assert "Queue me" in admin_client.get("/admin/comments/comment/").content.decode()
    page = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert 'name="status"' not in page
    assert 'name="body"' in page


def test_the_policy_refuses_zero_comments_per_page_and_keeps_the_rest(admin_client):
    page = admin_client.get("/admin/comments/moderationpolicy/1/change/").content.decode()
    assert 'name="comments_per_page"' in page and 'name="comment_order"' in page
    data = {
        "link_limit": "2",
        "moderation_words": "casino",
        "flood_interval": "15",
        "thread_depth": "5",
        "comments_per_page": "0",
        "comment_order": "oldest",
        "personal_data_days": "60",
    }
    response = admin_client.post("/admin/comments/moderationpolicy/1/change/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in html
    assert "casino</textarea>" in html
    assert ModerationPolicy.objects.get(pk=1).comments_per_page == 50
