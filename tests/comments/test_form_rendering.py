"""The comment form's widgets are written in Python (`forms.DirectWidgetRenderer`), not
through Django's widget templates: the markup and escaping must be exactly Django's."""

import pytest
from django.forms.renderers import DjangoTemplates

from comments.forms import CommentForm, DirectWidgetRenderer

HOSTILE = {
    "name": "Ann \"<b>\" & 'co'",
    "email": "a&b@example.com",
    "url": 'https://example.com/?a=1&b="2"',
    "comment": "</textarea><script>alert(1)</script> & more",
    "parent": "<5>",
    "save_details": "on",
}


def both(form_factory):
    """Every field and error list of the form, by Django's renderer and by ours."""
    rendered = []
    for renderer in (DjangoTemplates(), DirectWidgetRenderer()):
        form = form_factory(renderer)
        parts = [str(form[name]) for name in form.fields]
        parts += [str(form[name].errors) for name in form.fields]
        parts.append(str(form.non_field_errors()))
        rendered.append(parts)
    return rendered


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda a, r: CommentForm(article=a, renderer=r), id="empty"),
        pytest.param(
            lambda a, r: CommentForm(article=a, renderer=r, initial=HOSTILE), id="initial"
        ),
        pytest.param(lambda a, r: CommentForm(HOSTILE, article=a, renderer=r), id="bound"),
        pytest.param(
            lambda a, r: CommentForm({"comment": "", "email": "no"}, article=a, renderer=r),
            id="errors",
        ),
    ],
)
def test_same_markup_as_djangos_widget_templates(article, make):
    django_parts, our_parts = both(lambda renderer: make(article, renderer))
    assert our_parts == django_parts
    joined = "".join(our_parts)
    assert "<script>" not in joined


@pytest.mark.django_db
def test_hostile_values_are_escaped(article):
    form = CommentForm(HOSTILE, article=article)
    assert isinstance(form.renderer, DirectWidgetRenderer)
    assert 'value="Ann &quot;&lt;b&gt;&quot; &amp; &#x27;co&#x27;"' in str(form["name"])
    assert "&lt;/textarea&gt;&lt;script&gt;" in str(form["comment"])
    assert str(form["save_details"]).endswith(' id="id_save_details" checked>')


@pytest.mark.django_db
def test_no_widget_template_is_rendered(article, monkeypatch):
    """The page's form costs no template per widget (an empty error list included)."""
    rendered = []
    original = DjangoTemplates.render

    def spy(self, template_name, context, request=None):
        rendered.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    form = CommentForm(article=article, initial=HOSTILE)
    for name in form.fields:
        str(form[name]), str(form[name].errors)
    assert rendered == []
    str(CommentForm({}, article=article)["name"].errors)  # a real error: the template
    assert rendered == ["django/forms/errors/list/default.html"]
