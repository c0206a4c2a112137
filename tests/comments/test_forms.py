"""The comment form through the view: required fields, WordPress's limits, the honeypot,
hostile input refused, and everything typed kept next to the errors."""

import pytest

from comments.models import Comment


def fields_of(response):
    return response.context["comment_form"]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("name", "Please enter your name."),
        ("email", "Please enter a valid email address."),
        ("comment", "Please type your comment text."),
    ],
)
def test_required_fields(post, field, message):
    """A missing field: 400, its error next to it, the rest of what was typed kept."""
    response = post(**{field: "", "comment": "Kept text." if field != "comment" else ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'aria-invalid="true" aria-describedby="id_{field}' in html
    if field != "comment":
        assert "Kept text.</textarea>" in html
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("name", 245, "Your name is too long."),
        ("email", 100, "Your email address is too long."),
        ("url", 200, "Your URL is too long."),
        ("comment", 65525, "Your comment is too long."),
    ],
)
def test_wordpress_limits(post, field, limit, message):
    """Up to the limit is accepted; one character more is refused with WordPress's message."""

    def value(length):
        if field == "email":
            return "a" * (length - len("@example.com")) + "@example.com"
        if field == "url":
            return "https://example.com/" + "a" * (length - len("https://example.com/"))
        return "x" * length

    assert post(**{field: value(limit)}).status_code == 302
    response = post(**{field: value(limit + 1)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 1


def test_65526_characters_are_refused_and_kept(post):
    """The reader's over-long text comes back in the form, escaped, to be shortened."""
    text = "<b>" + "é" * 65523
    response = post(comment=text)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your comment is too long." in html
    assert "&lt;b&gt;" + "é" * 65523 + "</textarea>" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/",
        "http://exa mple.com",
    ],
)
def test_website_must_be_a_web_address(post, url):
    response = post(url=url)
    assert response.status_code == 400
    message = "Please enter a web address starting with http:// or https://."
    assert response.content.decode().count(message) == 1


def test_website_without_scheme_gets_https(post):
    assert post(url="example.com").status_code == 302
    assert Comment.objects.get().author_url == "https://example.com"


def test_null_characters_are_refused(post):
    """PostgreSQL cannot store NUL; the form refuses it instead of a 500."""
    assert post(comment="a\x00b").status_code == 400
    assert post(name="a\x00b").status_code == 400


def test_bidi_overrides_are_removed_from_names(post):
    """A right-to-left override could make a name read as something else."""
    post(name="\u202eevil\u202c Ada")
    assert Comment.objects.get().author_name == "evil Ada"
    assert post(name="\u202e\u202c").status_code == 400


def test_the_honeypot_is_a_hidden_field_named_as_akismet_is_told(client, article):
    from comments import spam

    html = client.get(article.get_absolute_url()).content.decode()
    assert f'name="{spam.HONEYPOT_FIELD}"' in html
    assert '<div class="comment-form__hp" aria-hidden="true">' in html


def test_form_markup(client, article):
    """Labels, WordPress's limits as maxlength, the notices, the consent checkbox."""
    html = client.get(article.get_absolute_url()).content.decode()
    for snippet in [
        "Leave a Comment",
        'maxlength="245"',
        'maxlength="100"',
        'maxlength="200"',
        'maxlength="65525"',
        "Your email address will not be published.",
        'name="save_details"',
        "Save my name, email, and website in this browser for the next time I comment.",
        "This site uses Akismet to reduce spam.",
        '<a href="https://akismet.com/privacy/" rel="nofollow noopener">'
        "Learn how your comment data is processed.</a>",
        f'action="{article.get_absolute_url()}comments/#respond" method="post"',
    ]:
        assert snippet in html, snippet


FORGED_NAME = (
    "Bob\r\nIP address: 10.0.0.1\r\nHeld because: trusted author\r\nAkismet: Ham\r\n\r\n"
    "Approve it: https://evil.example/approve"
)
ONE_LINE = {
    "name": "Your name must be on one line, without control characters.",
    "email": "Your email address must be on one line, without control characters.",
    "url": "Your website must be on one line, without control characters.",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", FORGED_NAME),
        ("name", "Bob\nEve"),
        ("name", "Bob\rEve"),
        ("name", "Bob\u2028Eve"),
        ("name", "Bob\u2029Eve"),
        ("name", "Bob\x85Eve"),
        ("name", "Bob\tEve"),
        ("name", "Bob\x1bEve"),
        ("email", "ada@example.com\r\nBcc: all@example.com"),
        ("email", "ada@exam\u2028ple.com"),
        ("url", "https://ada.example/\r\nApprove it: https://evil.example/"),
        ("url", "https://ada.example/\x85x"),
    ],
)
def test_single_line_fields_refuse_line_breaks_and_control_characters(post, field, value):
    """Names, e-mail addresses and websites are one line: a line break in one could forge
    a line of the moderators' mail. Refused with a clear message, the rest kept."""
    response = post(**{field: value}, comment="My <b>careful</b> words")
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(ONE_LINE[field]) == 1
    assert "My &lt;b&gt;careful&lt;/b&gt; words</textarea>" in html
    assert Comment.objects.count() == 0


def test_the_forged_name_comes_back_as_typed(post):
    html = post(name=FORGED_NAME).content.decode()
    assert 'value="Bob\r\nIP address: 10.0.0.1\r\nHeld because: trusted author' in html


def test_surrounding_line_breaks_are_only_trimmed(post):
    assert post(name="\r\nAda Reader\r\n").status_code == 302
    assert Comment.objects.get().author_name == "Ada Reader"


# The form checks the reply, the depth, duplicates and flooding; the view maps the codes.


def form_for(article, data, **kwargs):
    from comments.forms import CommentForm

    return CommentForm(data, article=article, ip="192.0.2.9", **kwargs)


@pytest.mark.parametrize(
    "parent", ["abc", "-1", "0", "²", "٣", " 1", "1.0", "9999999999999999999999999", "\x00"]
)
def test_a_parent_that_names_no_comment_is_refused_with_its_code(
    article, form_data, make_comment, parent
):
    make_comment()  # comment 1 exists, approved
    form = form_for(article, form_data(parent=parent))
    assert not form.is_valid()
    assert form.has_error("parent", "reply_unapproved") and form.refusal() == 403


def test_a_refused_parent_comes_before_the_other_errors(post, make_comment):
    pending = make_comment(status="pending")
    response = post(parent=str(pending.pk), name="", comment="Still mine")
    assert response.status_code == 403
    assert "Still mine" in response.content.decode()


def test_the_form_gives_the_parent_and_builds_the_comment(article, form_data, make_comment):
    parent = make_comment()
    form = form_for(article, form_data(parent=str(parent.pk), name="Ada"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] == parent
    comment = form.build_comment(user_agent="UA")
    assert (comment.parent, comment.article, comment.author_name) == (parent, article, "Ada")
    assert (comment.user_ip, comment.user_agent, comment.pk) == ("192.0.2.9", "UA", None)


@pytest.mark.parametrize(("code", "status"), [("duplicate", 409), ("flood", 429)])
def test_duplicate_and_flood_are_codes(article, form_data, make_comment, code, status):
    make_comment(body="Said before.", author_name="Ada Reader", user_ip="192.0.2.9")
    body = "Said before." if code == "duplicate" else "Something new."
    form = form_for(article, form_data(comment=body))
    assert not form.is_valid()
    assert form.has_error("__all__", code) and form.refusal() == status


def test_too_deep_is_a_400(article, form_data, make_comment):
    comment = make_comment()
    for _ in range(4):
        comment = make_comment(parent=comment)
    form = form_for(article, form_data(parent=str(comment.pk)))
    assert not form.is_valid()
    assert form.has_error("__all__", "too_deep") and form.refusal() == 400


def test_field_errors_skip_the_database_checks(article, form_data, make_comment):
    make_comment(body="Said before.", author_name="Ada Reader", user_ip="192.0.2.9")
    form = form_for(article, form_data(comment="Said before.", email="not an address"))
    assert not form.is_valid()
    assert set(form.errors) == {"email"} and form.refusal() == 400


def test_the_page_of_a_refused_post_carries_the_token_to_post_again(post, article):
    """The form shown with its errors is bound: its token is the one the post was sent
    with (checked before the form), not one made again for the page."""
    import re

    from comments.forms import token_is_valid

    response = post(comment="")
    assert response.status_code == 400
    html = response.content.decode()
    [token] = re.findall(r'name="token" value="([^"]+)"', html)
    assert token_is_valid(token, article)
    assert post(comment="Now with words.", token=token).status_code == 302
