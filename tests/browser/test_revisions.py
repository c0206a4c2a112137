"""The review workflow in a real browser: a writer submits, an editor requests changes, the
writer revises, the editor compares two revisions and publishes; a second editor's stale
save is refused with the other changes shown and the typed text kept."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Article, Category

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Long-pass-phrase-9"


def person(username, group):
    user = get_user_model().objects.create_user(
        username,
        email=f"{username}@example.com",
        password=PASSWORD,
        is_staff=True,
        first_name=username.title(),
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def signed_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def desk():
    person("wendy", "Writers")
    person("edna", "Editors")
    person("olga", "Editors")
    today = Category.objects.create(slug="today", name="Today")
    return Category.objects.create(slug="world", name="World", parent=today)


def test_submit_review_compare_publish_and_a_stale_save(live_server, browser, screenshot, desk):
    base = live_server.url
    wendy = signed_in(browser, base, "wendy")
    wendy.goto(base + "/admin/articles/article/add/")
    expect(wendy.get_by_role("button", name="Save and Publish")).to_have_count(0)
    wendy.get_by_label("Title:").fill("Harbour bridge opens")
    wendy.get_by_label("Category:").select_option(label="today/world")
    wendy.get_by_label("Standfirst:").fill("The new bridge opened on Monday to crowds.")
    wendy.get_by_role("button", name="Save and submit for review").click()
    expect(wendy.locator(".messagelist")).to_contain_text("Submitted for review")
    article = Article.objects.get(slug="harbour-bridge-opens")
    assert article.status == "review"

    edna = signed_in(browser, base, "edna")
    change = f"{base}/admin/articles/article/{article.pk}/change/"
    edna.goto(change)
    edna.get_by_label("Changes to request:").fill("Name the engineer who designed it.")
    edna.get_by_role("button", name="Request changes").click()
    expect(edna.locator(".messagelist")).to_contain_text("Sent back to the writer")

    wendy.goto(change)
    expect(wendy.locator("#review-note")).to_contain_text("Name the engineer")
    expect(wendy.get_by_label("Status:")).to_have_count(0)  # read-only for writers
    screenshot(wendy, "revisions-review-note")
    wendy.get_by_label("Standfirst:").fill(
        "The new bridge, designed by Ada Brunel, opened on Monday to crowds."
    )
    wendy.get_by_role("button", name="Save and submit for review").click()
    expect(wendy.locator(".messagelist")).to_contain_text("Submitted for review")

    # The editor compares the first submission with the revised one.
    edna.goto(f"{base}/admin/articles/article/{article.pk}/history/")
    rows = edna.locator("#change-history tbody tr")
    expect(rows).to_have_count(Article.history.filter(id=article.pk).count())
    screenshot(edna, "revisions-list")
    first = rows.filter(has_text="Submitted for review").last
    first.locator('input[name="a"]').check()
    rows.first.locator('input[name="b"]').check()
    edna.get_by_role("button", name="Compare selected revisions").click()
    expect(edna.locator("#diff ins")).to_contain_text(["designed by Ada Brunel"])
    screenshot(edna, "revisions-diff")

    edna.goto(change)
    edna.get_by_role("button", name="Save and Publish").click()
    expect(edna.locator(".messagelist")).to_contain_text("Published.")
    article.refresh_from_db()
    assert article.is_published

    # Two editors open the article; the second to save is refused, and keeps her text.
    olga = signed_in(browser, base, "olga")
    olga.goto(change)
    edna.goto(change)
    olga.get_by_label("Standfirst:").fill("The bridge, by Ada Brunel, opened on Monday.")
    olga.get_by_role("button", name="Save and continue editing").click()
    expect(olga.locator(".messagelist")).to_contain_text("was changed successfully")
    mine = "Crowds crossed the new harbour bridge, designed by Ada Brunel, on Monday."
    edna.get_by_label("Standfirst:").fill(mine)
    edna.get_by_role("button", name="Save and continue editing").click()
    expect(edna.locator("#stale-save")).to_contain_text("someone else saved first")
    expect(edna.locator(".errorlist.nonfield")).to_contain_text("Olga saved this")
    expect(edna.get_by_label("Standfirst:")).to_have_value(mine)
    screenshot(edna, "revisions-stale-save")
    article.refresh_from_db()
    assert article.standfirst == "The bridge, by Ada Brunel, opened on Monday."

    # Saving again, having seen theirs, replaces it.
    edna.get_by_role("button", name="Save and continue editing").click()
    expect(edna.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.standfirst == mine

    # The writer's edit of the published article waits; the editor publishes it.
    wendy.goto(change)
    wendy.get_by_label("Standfirst:").fill("Thousands crossed the new harbour bridge on Monday.")
    wendy.get_by_role("button", name="Save", exact=True).click()
    expect(wendy.locator(".messagelist")).to_contain_text("wait for an editor's review")
    article.refresh_from_db()
    assert article.standfirst == mine
    edna.goto(f"{base}/admin/articles/article/")
    expect(edna.locator("#result_list")).to_contain_text("change waiting")
    edna.goto(f"{base}/admin/articles/article/{article.pk}/history/")
    edna.get_by_role("button", name="Compare selected revisions").click()
    expect(edna.locator("#diff ins")).to_contain_text(["Thousands"])
    screenshot(edna, "revisions-proposal")
    edna.get_by_role("button", name="Publish this revision now").click()
    expect(edna.locator(".messagelist")).to_contain_text("The revision is live.")
    article.refresh_from_db()
    assert article.standfirst == "Thousands crossed the new harbour bridge on Monday."


def test_a_byline_and_tag_change_in_the_form_shows_in_the_diff(
    live_server, browser, screenshot, desk
):
    from articles.models import Tag

    base = live_server.url
    ana = person("ana", "Writers")
    ana.last_name = "Ruiz"
    ana.save()
    tom = person("tom", "Writers")
    tom.last_name = "Ito"
    tom.save()
    budget = Tag.objects.create(name="budget", slug="budget")
    Tag.objects.create(name="elections", slug="elections")
    article = Article.objects.create(
        title="Council votes", slug="council-votes", category=desk, body="<p>It met.</p>"
    )
    article.authors.add(ana)
    article.tags.add(budget)
    article.save()

    edna = signed_in(browser, base, "edna")
    edna.goto(f"{base}/admin/articles/article/{article.pk}/change/")
    edna.locator("#id_authors_from").select_option(label="tom")
    edna.locator("#id_authors_add").click()
    tags = edna.locator("#id_tags").locator("xpath=..")
    tags.locator(".select2-selection__choice__remove").click()  # budget off
    tags.locator(".select2-search__field").fill("elec")
    edna.locator(".select2-results__option", has_text="elections").click()
    edna.get_by_role("button", name="Save and continue editing").click()
    expect(edna.locator(".messagelist")).to_contain_text("was changed successfully")
    newest = article.history.latest("history_id")
    assert newest.author_ids == [ana.pk, tom.pk]

    edna.goto(f"{base}/admin/articles/article/{article.pk}/history/")
    edna.get_by_role("button", name="Compare selected revisions").click()
    diff = edna.locator("#diff")
    expect(diff).to_contain_text("Ana Ruiz → Ana Ruiz, Tom Ito")
    expect(diff).to_contain_text("+elections −budget")
    screenshot(edna, "revisions-diff-authors-tags")

    # Restoring the older revision once its tag is gone: the rest is restored, and said.
    budget_id = budget.pk
    budget.delete()
    edna.get_by_role("link", name="Restore revision").click()
    expect(edna.locator(".messagelist")).to_contain_text(
        f"This revision named tags that no longer exist (#{budget_id})"
    )
    screenshot(edna, "revisions-restore-tag-gone")
    edna.get_by_role("button", name="Save and continue editing").click()
    expect(edna.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(article.authors.all()) == [ana]
    assert list(article.tags.all()) == []
