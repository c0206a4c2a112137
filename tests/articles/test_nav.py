"""The masthead's sections are assembled by `{% nav_sections %}`: exactly the markup of the
template loop they replace (kept in `nav_reference.html`) on the front page (nothing
active), a category page (its trail active, itself the current page) and an article page
(its trail active, no current page), hostile names escaped."""

from pathlib import Path

import pytest
from django.template import Context, engines

from articles.context_processors import navigation

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "nav_reference.html").read_text().strip()


def test_the_tag_renders_the_reference_loop_markup(make_category):
    news = make_category("news", name="News & <Views>", position=0)
    world = make_category("world", parent=news, name='"World"')
    make_category("local", parent=news, position=1)
    make_category("arts", position=1)  # no children
    engine = engines["django"]
    tag = engine.from_string("{% load articles_tags %}{% nav_sections %}")
    reference = engine.from_string(REFERENCE)
    nav = navigation()
    pages = [
        {},  # the front page
        {"active_paths": [news.path, world.path], "category": world},  # a category page
        {"active_paths": [news.path], "category": news},
        {"active_paths": [news.path, world.path]},  # an article page
    ]
    for page in pages:
        context = {"sections_nav": nav, **page}
        expected = reference.render(context)
        assert tag.template.render(Context(context)) == expected, page
    assert "News &amp; &lt;Views&gt;" in expected and "&quot;World&quot;" in expected
    assert 'class="is-active" aria-current="page"' in reference.render(
        {"sections_nav": nav, **pages[1]}
    )


def test_sections_with_the_same_position_keep_their_own_children(make_category):
    """Two sections left at the default position 0 each keep their subsections (once, the
    first one's sorted after both and were dropped from the masthead)."""
    news = make_category("news")
    sport = make_category("sport")
    world = make_category("world", parent=news)
    tennis = make_category("tennis", parent=sport)
    nav = {root.slug: [child.slug for child in root.nav_children] for root in navigation()}
    assert nav == {"news": [world.slug], "sport": [tennis.slug]}
