"""Article teasers are assembled by the `{% card %}` tag: exactly the markup of the
`articles/_card.html` template they replace (kept in `card_reference.html`), for every
variant and option, hostile text escaped."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.template import engines

from articles.templatetags.articles_tags import card

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "card_reference.html").read_text()

OPTIONS = [
    {"variant": "lead", "level": 2, "show_image": True, "show_standfirst": True,
     "show_byline": True, "show_section": True, "eager": True, "sizes": "(min-width: 64rem) 46rem"},
    {"variant": "row", "show_image": True, "show_standfirst": True, "show_byline": True,
     "show_section": True, "hide_section_id": "CATEGORY", "sizes": "(min-width: 40rem) 15rem"},
    {"variant": "compact", "show_image": True, "show_section": True},
    {},
]  # fmt: skip


@pytest.fixture(params=["plain", "with-image"])
def teaser(request, make_article, image_upload, make_category):
    fields = {
        "title": 'Tom & "Jerry" <script>',
        "standfirst": "<b>Bold</b> & more",
        "category": make_category(name="Arts & <Crafts>", slug="arts"),
    }
    if request.param == "with-image":
        fields.update(image=image_upload(800, 400), image_alt='A "field"')
    article = make_article(**fields)
    author = get_user_model().objects.create_user("writer", first_name="Ann <O'Neil>")
    article.authors.add(author)
    return article


@pytest.mark.parametrize("options", OPTIONS)
def test_the_same_markup_as_the_template(teaser, options):
    options = {
        name: teaser.category_id if value == "CATEGORY" else value
        for name, value in options.items()
    }
    expected = engines["django"].from_string(REFERENCE).render({"article": teaser, **options})
    assert card(teaser, **options) == expected
    assert "<script>" not in expected and "<b>" not in expected
    assert ("card__image" in expected) == bool(teaser.image and options.get("show_image"))


def test_pages_use_the_tag(client, teaser):
    """The front page shows the teaser as the tag makes it."""
    html = client.get("/").content.decode()
    assert "Tom &amp; &quot;Jerry&quot; &lt;script&gt;" in html
    assert card(teaser, variant="lead", level=2).split("<h2")[1].split("</h2>")[0] in html


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
@pytest.mark.parametrize("language", ["en-gb", "de", "fr"])
@pytest.mark.parametrize(
    "published_at", ["2026-01-31T23:30:00+00:00", "2026-07-01T07:05:09.5+00:00", None]
)
def test_the_date_as_the_template_in_any_time_zone_and_language(
    make_article, zone, language, published_at
):
    """The card's `datetime` and its day (without the `date` filter) are the template's,
    in the reader's time zone and language, across a day's and a month's end; an article
    without a time yet (one being previewed before it is saved) has none."""
    from django.utils import timezone, translation
    from django.utils.dateparse import parse_datetime

    article = make_article()
    article.published_at = parse_datetime(published_at) if published_at else None
    with timezone.override(zone), translation.override(language):
        expected = engines["django"].from_string(REFERENCE).render({"article": article})
        assert card(article) == expected
    assert ('datetime=""' in expected) == (published_at is None)


def test_an_authors_link_is_the_reversed_url_under_any_script_prefix(make_article):
    """Bylines link author pages without a `reverse()` each: the same URL, quoted the same
    way, under the script prefix of a site served below a path."""
    from django.urls import reverse, set_script_prefix

    from articles.models import Author

    user = get_user_model().objects.create_user("anna")
    profile = Author.objects.create(user=user, name="Anna", slug="anna-k")
    try:
        for prefix in ("/", "/news/"):
            set_script_prefix(prefix)
            expected = reverse("articles:author", kwargs={"slug": "anna-k"})
            assert profile.get_absolute_url() == expected == f"{prefix}author/anna-k/"
    finally:
        set_script_prefix("/")


def test_a_cards_links_are_the_reversed_urls_under_any_script_prefix(make_article, make_category):
    """A teaser makes its three links (the article, its section, its author) without a
    `reverse()` or a read of the script prefix each: the same URLs, quoted the same way,
    under the prefix in force when it is rendered."""
    from django.urls import reverse, set_script_prefix

    from articles.models import Author
    from articles.templatetags.articles_tags import byline_links

    category = make_category(name="Arts", slug="arts ünd")
    article = make_article(category=category, slug="a-b")
    user = get_user_model().objects.create_user("anna")
    article.authors.add(user)
    Author.objects.create(user=user, name="Anna", slug="anna-k")
    article = type(article).objects.select_related("category").get(pk=article.pk)
    try:
        for prefix in ("/", "/news/"):
            set_script_prefix(prefix)
            html = card(article, show_section=True, show_byline=True)
            for name, kwargs in [
                ("articles:page", {"path": "arts ünd/a-b"}),
                ("articles:page", {"path": "arts ünd"}),
                ("articles:author", {"slug": "anna-k"}),
            ]:
                url = reverse(name, kwargs=kwargs)
                assert url.startswith(prefix) and f'href="{url}"' in html, (url, html)
            author = reverse("articles:author", kwargs={"slug": "anna-k"})
            assert f'href="{author}"' in byline_links(article)
    finally:
        set_script_prefix("/")
