"""The featured image's `<img>` is assembled by the `{% picture %}` tag: exactly the markup
of the `includes/picture.html` template it replaces (kept in `picture_reference.html`),
with and without renditions, for every option, hostile text escaped."""

from pathlib import Path

import pytest
from django.template import engines

from articles.templatetags.articles_tags import picture, picture_context

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "picture_reference.html").read_text()

OPTIONS = [
    {},
    {"sizes": '(min-width: 64rem) 46rem, "100vw" <x>', "eager": True},
    {"sizes": "(min-width: 40rem) 15rem, 100vw", "css_class": 'wide & "tall"'},
    {"eager": False, "css_class": "plain"},
]


@pytest.fixture(params=["renditions", "no-renditions", "no-image"])
def article(request, make_article, image_upload):
    if request.param == "no-image":
        return make_article(title="No image")
    article = make_article(image=image_upload(800, 400), image_alt='A "field" & <sky>')
    if request.param == "no-renditions":
        article.renditions = {}
    return article


@pytest.mark.parametrize("options", OPTIONS)
def test_the_tag_renders_the_reference_template_markup(article, options):
    reference = engines["django"].from_string(REFERENCE)
    expected = reference.render(picture_context(article, **options))
    assert picture(article, **options) == expected
    if article.image:
        assert "<img" in expected and "&quot;field&quot; &amp; &lt;sky&gt;" in expected
