"""The comment form is assembled in Python (`comments.render.form_html`): exactly the
markup the `comments/_form.html` template made (kept in `form_reference.html`), for every
kind of reader and state (anonymous, saved details, signed in, a reply, errors)."""

from pathlib import Path

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from comments import personal, render, text
from comments.forms import CommentForm
from comments.templatetags.comments_tags import form_html

pytestmark = pytest.mark.django_db

# The template as it was (`templates/comments/_form.html`), kept as the reference.
TEMPLATE = (Path(__file__).parent / "form_reference.html").read_text()

HOSTILE = {
    "name": 'Ann "<b>" & co',
    "email": "a&b@example.com",
    "url": "https://example.com/?a=1&b=2",
    "comment": "</textarea><script>alert(1)</script>",
}


def reference(**context):
    return engines["django"].from_string(TEMPLATE).render(context)


def post_url(article):
    return reverse("comments:post", kwargs={"path": f"{article.category.path}/{article.slug}"})


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(
    "make_form",
    [
        pytest.param(lambda a: CommentForm(article=a), id="empty"),
        pytest.param(lambda a: CommentForm(article=a, initial=HOSTILE), id="saved-details"),
        pytest.param(lambda a: CommentForm(HOSTILE, article=a), id="bound"),
        pytest.param(lambda a: CommentForm({"email": "x"}, article=a), id="errors"),
        pytest.param(
            lambda a: CommentForm({**HOSTILE, "parent": "99999"}, article=a), id="bad-parent"
        ),
        pytest.param(
            lambda a: CommentForm(
                {**HOSTILE, "notify_published": "on", "notify_replies": "on"}, article=a
            ),
            id="notifications-ticked",
        ),
    ],
)
def test_the_same_markup_as_the_template(article, make_comment, make_form, signed_in):
    reply_to = make_comment(author_name='<i>"Bo"</i>')
    for replying in (None, reply_to):
        context = {
            "article": article,
            "post_url": post_url(article),
            "reply_to": replying,
            "signed_in": signed_in,
            "csrf_token": "tok<en>" if signed_in else None,
        }
        form = make_form(article)
        form.is_bound and form.is_valid()
        expected = reference(form=form, **context)
        assert render.form_html(form=form, **context) == expected
        assert "<script>" not in expected and "<i>" not in expected


def test_an_anonymous_readers_form_never_asks_for_a_csrf_token(article):
    """Asking for the token would give the shared page a CSRF cookie."""
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get(article.get_absolute_url())
    request.user = AnonymousUser()
    html = form_html(request, article)
    assert "csrfmiddlewaretoken" not in html
    assert "CSRF_COOKIE" not in request.META and "CSRF_COOKIE_NEEDS_UPDATE" not in request.META


def test_the_mark_names_what_the_form_needs(article):
    """The returning reader's form is built from the mark alone: the same action and
    cancel link as the article's own."""
    start = personal.mark(article)["start"].encode()
    match = personal._START.search(start)
    marked = personal.marked_article(int(match[1]), match[2].decode())
    assert marked.pk == article.pk
    assert marked.get_absolute_url() == article.get_absolute_url()
    assert post_url(marked) == post_url(article)


@pytest.mark.parametrize(
    "value",
    [
        'Ann "<b>" & co\'s',
        mark_safe("<b>already</b> &amp; safe"),
        gettext_lazy("Comment & <reply>"),
        8,
        None,
        False,
        "",
        "‮ plain",
    ],
)
def test_escaped_is_the_text_of_conditional_escape(value):
    """`text.escaped`, used for the form's values instead of `conditional_escape`."""
    assert text.escaped(value) == str(conditional_escape(value))


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(
    "initial",
    [
        {},
        {**{k: HOSTILE[k] for k in ("name", "email", "url")}, "save_details": True},
        {"name": "", "email": "", "url": ""},
        {"name": mark_safe("<b>safe</b>"), "email": "e@example.com"},
        {"name": 'Ann "<b>"', "parent": 12},
        {"parent": "7"},
    ],
    ids=["empty", "saved-details", "blank", "safe-string", "reply", "parent-text"],
)
def test_the_unbound_form_written_directly_is_the_forms_own(article, initial, signed_in):
    """`forms.initial_widgets` (the article page's form, without building a CommentForm)
    writes exactly what the form renders for the same initial values."""
    from comments.forms import initial_widgets

    url = post_url(article)
    expected = render.form_html(
        article=article,
        post_url=url,
        form=CommentForm(article=article, initial=dict(initial)),
        signed_in=signed_in,
        csrf_token="tok<en>" if signed_in else None,
    )
    widgets = initial_widgets(article, dict(initial), signed_in)
    got = render.form_markup(
        article, url, None, signed_in, "tok<en>" if signed_in else None, **widgets
    )
    assert got == expected


@pytest.mark.parametrize("initial", [{"comment": "x"}, {"save_details": "on"}, {"phone": "1"}])
def test_other_initial_values_leave_the_form_to_render_itself(article, initial):
    from comments.forms import initial_widgets

    assert initial_widgets(article, initial, False) is None
