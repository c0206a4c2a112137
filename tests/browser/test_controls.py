"""Controls per commenter in a real browser: a moderator (Moderators group, not a
superuser) goes from the queue to a commenter's page, bans them, and sets a block; the
malformed network is refused with the text kept."""

import pytest
from playwright.sync_api import expect

from comments.models import Block, Comment, Commenter
from tests.browser.test_moderating import newsroom, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_commenter_page_ban_and_block(live_server, page, screenshot, newsroom):  # noqa: F811
    sign_in(page, live_server.url)
    row = page.locator("#result_list tbody tr").filter(has_text="giveaway").first
    email = row.locator(".c-email").inner_text()
    row.get_by_role("link", name="commenter page").click()
    expect(page.get_by_role("heading", name=f"Commenter {email}")).to_be_visible()
    expect(page.locator(".person-facts")).to_contain_text("Never confirmed")
    page.get_by_label("Trust level", exact=True).select_option("banned")
    page.get_by_label("Reason", exact=True).fill("Advertising giveaways again and again")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text(f"{email} is banned", ignore_case=True)
    expect(page.locator(".person-level")).to_have_text("Banned")
    assert Commenter.objects.get(email=email).level == "banned"
    screenshot(page, "commenter-page")

    # The demo's banned commenter: the ban hid their published comments.
    page.goto(live_server.url + "/admin/comments/commenter/")
    page.get_by_role("link", name="grumpy.troll@example.org").click()
    expect(page.locator(".person-counts")).to_contain_text("2 hidden by the ban")
    screenshot(page, "commenter-page-banned")

    page.goto(live_server.url + "/admin/comments/block/add/")
    page.locator("#id_kind").select_option("network")
    page.locator("#id_value").fill("203.0.113.7/24")
    page.locator("#id_reason").fill("Scripted posts from one host")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("the network is 203.0.113.0/24")
    expect(page.locator("#id_value")).to_have_value("203.0.113.7/24")
    page.locator("#id_value").fill("203.0.113.0/24")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("203.0.113.0/24")
    assert Block.objects.filter(value="203.0.113.0/24").exists()
    screenshot(page, "blocks-admin")
    assert Comment.objects.filter(held_reason="blocked").exists()  # the demo's block at work


def test_policy_warning_and_confirming_from_the_status_page(
    live_server,
    browser,
    page,
    screenshot,
    newsroom,  # noqa: F811
):
    from comments import authoring

    sign_in(page, live_server.url)
    page.goto(live_server.url + "/admin/comments/moderationpolicy/1/change/")
    field = page.locator(".field-trust_unconfirmed_addresses")
    expect(field).to_contain_text("anyone can type someone else")
    expect(page.locator(".field-hold_first_time_commenters")).to_be_visible()
    field.scroll_into_view_if_needed()
    screenshot(page, "policy-trust")

    comment = Comment.objects.filter(status="pending").first()
    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(live_server.url + authoring.status_url(comment.pk, comment.preview_secret))
    reader.get_by_role("button", name="Send me a confirmation link").click()
    expect(reader.locator("#address")).to_contain_text("We have sent a link")
    screenshot(reader, "status-confirm-address")
