import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_to_article_and_back_through_the_breadcrumb(live_server, page, screenshot):
    """A visitor goes front page → section → article, then back up via the breadcrumb."""
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/")
    screenshot(page, "reading-front")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Today").click()
    page.wait_for_url("**/today/")
    assert page.locator("h1").inner_text() == "Today"
    page.get_by_role("link", name="River delta towns agree a shared flood plan").first.click()
    page.wait_for_url("**/today/world/river-delta-towns-agree-shared-flood-plan/")
    screenshot(page, "reading-article")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    assert crumbs.get_by_role("link").all_inner_texts() == [
        "Home",
        "Today",
        "World",
        "River delta towns agree a shared flood plan after a wet decade",
    ]
    current = crumbs.locator('[aria-current="page"]')
    assert current.inner_text().startswith("River delta towns")
    crumbs.get_by_role("link", name="World").click()
    page.wait_for_url("**/today/world/")
    screenshot(page, "reading-category")
    assert page.locator("h1").inner_text() == "World"
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    page.wait_for_url(live_server.url + "/")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_teaser_without_a_picture_uses_the_whole_row(live_server, page, width):
    """A section's row teaser with no picture: its text takes the card's whole width (it sat
    in the picture's narrow column, a word or three a line)."""
    call_command("seed_demo", verbosity=0)
    from django.utils import timezone

    from articles.models import Article, Category

    Article.objects.create(
        title="A story with no picture",
        slug="a-story-with-no-picture",
        category=Category.objects.get(path="today/world"),
        standfirst="Told in words alone, across the whole width of its row.",
        body="<p>Words.</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=30),
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/today/world/")
    rows = page.locator("article.card--row")
    plain = rows.filter(has_not=page.locator(".card__image")).first
    pictured_row = rows.filter(has=page.locator(".card__image")).first
    card, text = plain.bounding_box(), plain.locator(".card__text").bounding_box()
    assert text["width"] >= card["width"] - 1, (text, card)
    # A pictured teaser keeps its picture beside the text.
    assert pictured_row.locator(".card__text").bounding_box()["width"] < card["width"] * 0.8
