"""The front page's "Latest" rows are assembled by `{% latest_items %}`: exactly the markup
of the template loop they replace (kept in `latest_reference.html`), today's times as
hours and older ones as dates, hostile text escaped."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone

from articles.templatetags.articles_tags import latest_items

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "latest_reference.html").read_text().strip()


def test_the_tag_renders_the_reference_loop_markup(make_article, make_category):
    section = make_category(name="Arts & <Crafts>", slug="arts")
    now = timezone.now()
    made = [
        make_article(title='Tom & "Jerry" <script>', category=section, published_at=now),
        make_article(title="Yesterday's", published_at=now - timedelta(days=1)),
        make_article(title="Last year", published_at=now - timedelta(days=400)),
    ]
    articles = list(type(made[0]).objects.filter(pk__in=[a.pk for a in made]))
    engine = engines["django"]
    today = engine.from_string('{% now "Ymd" %}').render({})
    expected = engine.from_string(REFERENCE).render({"latest": articles, "today": today})
    assert latest_items(articles, today) == expected
    assert "Tom &amp; &quot;Jerry&quot; &lt;script&gt;" in expected
    assert "Arts &amp; &lt;Crafts&gt;" in expected
    assert latest_items([], today) == ""
