"""The "Leave a Comment" form: WordPress's fields, limits and messages.

Bound to a post, the form checks everything about it that is not about the request itself
(origin, token, files, a closed article: the view's): the fields, the comment it replies
to (approved, on this article, not too deep), and WordPress's duplicate and flood checks.
Each refusal carries a code the view answers with its own status (`REFUSALS`).
"""

import html
import re

from django import forms
from django.core import signing
from django.core.validators import URLValidator
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString

from articles.params import parse_id
from articles.xmltext import xml_safe
from comments import policy as policies
from comments import render, spam, surges, text
from comments.models import MAX_BODY, MAX_EMAIL, MAX_NAME, MAX_URL, Comment, Report

CONSENT_LABEL = "Save my name, email, and website in this browser for the next time I comment."
EMAIL_HELP = "Your email address will not be published."
NOTIFY_PUBLISHED_LABEL = "E-mail me when my comment is published"
NOTIFY_REPLIES_LABEL = "E-mail me replies to my comment"

# Embedding/override/isolate controls: in a name they can make it read as something else.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")

_TOKEN_SALT = "comments.form"

# WordPress's messages.
REPLY_UNAPPROVED = "Sorry, replies to unapproved comments are not allowed."
FLOOD = "You are posting comments too quickly. Slow down."
DUPLICATE = "Duplicate comment detected; it looks as though you've already said that!"
TOO_DEEP = "Replies cannot be nested deeper than {depth} levels."
# Error code → the status the view answers with instead of 400 (reply_unapproved: 403 on
# a page of its own, before any other error).
REFUSALS = {"reply_unapproved": 403, "duplicate": 409, "flood": 429, "surge_interval": 429}


def form_token(article):
    """The token the form carries: proof that a POST comes from our form for this article.

    It needs no cookie, so reading an article sets none. (Signed-in users also carry
    Django's CSRF token, which the view checks; a reader without an account has no
    session a forged post could ride on, and cross-site posts are refused by origin.)
    """
    return signing.Signer(salt=_TOKEN_SALT).sign(str(article.pk))


def token_is_valid(token, article):
    try:
        return signing.Signer(salt=_TOKEN_SALT).unsign(token or "") == str(article.pk)
    except signing.BadSignature:
        return False


class SingleLine:
    """A one-line field: a line break or other control character inside the value is
    refused (one clear error, before any other check). A name or address with a line
    break could forge lines of the moderators' mail; those around it are only trimmed."""

    def to_python(self, value):
        if isinstance(value, str) and text.CONTROL.search(value.strip()):
            raise forms.ValidationError(self.error_messages["one_line"], code="one_line")
        return super().to_python(value)


class NameField(SingleLine, forms.CharField):
    pass


class EmailField(SingleLine, forms.EmailField):
    pass


class WebsiteField(SingleLine, forms.URLField):
    """http(s) only: no ftp, and never javascript: or data: (one error, not two)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


_WIDGETS = "django/forms/widgets/"
_INPUTS = {
    f"{_WIDGETS}{kind}.html" for kind in ("input", "text", "email", "url", "hidden", "checkbox")
}
_ERRORS = "django/forms/errors/list/default.html"


def _attrs(attrs):
    """`django/forms/widgets/attrs.html`: False leaves an attribute out, True writes its name."""
    e = text.escaped  # conditional_escape's text
    return "".join(
        f" {e(name)}" + ("" if value is True else f'="{e(_as_text(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


def _as_text(value):
    """`|stringformat:'s'`: str(), keeping a safe string safe."""
    return value if isinstance(value, SafeString) else str(value)


class DirectWidgetRenderer(DjangoTemplates):
    """Django's form renderer, but the comment form's widgets (inputs, the textarea) and its
    empty error lists are written here, in Python, with the same markup and escaping as
    Django's widget templates: rendering each through a template was ~40 % of a returning
    reader's request. Anything else (a non-empty error list) goes through the templates."""

    def render(self, template_name, context, request=None):
        e = text.escaped  # conditional_escape's text
        if template_name in _INPUTS:
            widget = context["widget"]
            value = widget["value"]
            value = "" if value is None else f' value="{e(_as_text(value))}"'
            return SafeString(
                f'<input type="{e(widget["type"])}" '
                f'name="{e(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
            )
        if template_name == f"{_WIDGETS}textarea.html":
            widget = context["widget"]
            value = e(widget["value"]) if widget["value"] else ""
            return SafeString(
                f'<textarea name="{e(widget["name"])}"'
                f"{_attrs(widget['attrs'])}>\n{value}</textarea>"
            )
        if template_name == _ERRORS and not context["errors"]:
            return SafeString("")
        return super().render(template_name, context, request)


# The unbound comment form's widgets, written as `CommentForm`'s fields and Django's widgets
# write them (through `DirectWidgetRenderer`), for `initial_widgets`. Held byte for byte
# equal to the form's own rendering by tests/comments/test_form_html.py.
_INITIAL_FIELDS = frozenset(("name", "email", "url", "save_details", "parent"))
_HIDDEN = '<input type="hidden" name="{name}"{value} id="id_{name}">'
_INPUT = '<input type="{type}" name="{name}"{value}{attrs} id="id_{name}">'
_CHECKBOX = '<input type="checkbox" name="{name}" id="id_{name}"{checked}>'
_INPUT_ATTRS = {
    "name": ("text", f' autocomplete="name" maxlength="{MAX_NAME}" required'),
    "email": (
        "email",
        f' autocomplete="email" maxlength="{MAX_EMAIL}" required'
        ' aria-describedby="id_email_helptext"',
    ),
    "url": ("url", f' autocomplete="url" maxlength="{MAX_URL}"'),
}
_FIXED = {
    "comment": (
        f'<textarea name="comment" cols="45" rows="8" maxlength="{MAX_BODY}" required'
        ' id="id_comment">\n</textarea>'
    ),
    "hp": (
        f'<input type="text" name="{spam.HONEYPOT_FIELD}" autocomplete="off" tabindex="-1"'
        f' id="id_{spam.HONEYPOT_FIELD}">'
    ),
    "hp_label": f"id_{spam.HONEYPOT_FIELD}",
    "hp_text": "Leave this field empty",
    "email_id": "id_email",
    "email_help": html.escape(EMAIL_HELP),
    "problem": "",
    "notify_published": _CHECKBOX.format(name="notify_published", checked=""),
    "notify_published_label": "id_notify_published",
    "notify_published_text": html.escape(NOTIFY_PUBLISHED_LABEL),
    "notify_replies": _CHECKBOX.format(name="notify_replies", checked=""),
    "notify_replies_label": "id_notify_replies",
    "notify_replies_text": html.escape(NOTIFY_REPLIES_LABEL),
    **{f"{name}_errors": "" for name in ("comment", "name", "email", "url")},
    **{f"{name}_label": f"id_{name}" for name in ("comment", "name", "email", "url")},
}


def _value(value):
    """A widget's `value` attribute (`Widget.format_value`: none for "" or None)."""
    if value is None or value == "":
        return ""
    return f' value="{text.escaped(_as_text(value))}"'


def initial_widgets(article, initial, signed_in):
    """The widgets, labels and errors (`render.form_markup`'s values) of the unbound
    `CommentForm(article=article, initial=initial)`, written without the form: no copy of
    its fields, no bound field or widget context each (~0.4 ms of every article page).
    None when `initial` holds anything a reader's initial values (`reader_initial`, a
    reply's parent) never do: then the form renders itself."""
    if not initial.keys() <= _INITIAL_FIELDS or initial.get("save_details", True) is not True:
        return None
    values = {
        name: _INPUT.format(type=kind, name=name, value=_value(initial.get(name)), attrs=attrs)
        for name, (kind, attrs) in _INPUT_ATTRS.items()
    }
    checked = " checked" if initial.get("save_details") else ""
    return {
        **values,
        **_FIXED,
        "token": _HIDDEN.format(name="token", value=_value(form_token(article))),
        "parent": _HIDDEN.format(name="parent", value=_value(initial.get("parent"))),
        "consent": ""
        if signed_in
        else render.consent_html(
            _CHECKBOX.format(name="save_details", checked=checked), "id_save_details", CONSENT_LABEL
        ),
    }


class CommentForm(forms.Form):
    # One renderer for every instance (its template engine is built once).
    default_renderer = DirectWidgetRenderer()

    name = NameField(
        label="Name",
        max_length=MAX_NAME,
        error_messages={
            "required": "Please enter your name.",
            "max_length": "Your name is too long.",
            "one_line": "Your name must be on one line, without control characters.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = EmailField(
        label="Email",
        max_length=MAX_EMAIL,
        help_text=EMAIL_HELP,
        error_messages={
            "required": "Please enter a valid email address.",
            "invalid": "Please enter a valid email address.",
            "max_length": "Your email address is too long.",
            "one_line": "Your email address must be on one line, without control characters.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = WebsiteField(
        label="Website",
        required=False,
        max_length=MAX_URL,
        assume_scheme="https",
        error_messages={
            "invalid": "Please enter a web address starting with http:// or https://.",
            "max_length": "Your URL is too long.",
            "one_line": "Your website must be on one line, without control characters.",
        },
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    comment = forms.CharField(
        label="Comment",
        max_length=MAX_BODY,
        error_messages={
            "required": "Please type your comment text.",
            "max_length": "Your comment is too long.",
        },
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
    )
    save_details = forms.BooleanField(label=CONSENT_LABEL, required=False)
    # Unticked by default; the first time an address asks, it is sent a confirmation
    # mail (`comments.subscriptions`).
    notify_published = forms.BooleanField(label=NOTIFY_PUBLISHED_LABEL, required=False)
    notify_replies = forms.BooleanField(label=NOTIFY_REPLIES_LABEL, required=False)
    # An id, parsed by `parse_id` in clean_parent; any other value, a NUL or " 5" included,
    # names no comment (a plain Field: no stripping, no validators of its own).
    parent = forms.Field(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, article, user=None, ip=None, policy=None, **kwargs):
        """`user` (signed in, or None) and `ip` post the comment; `policy` (read when
        needed if not given) sets the thread depth and the flood interval."""
        super().__init__(*args, **kwargs)
        self.article = article
        self.user = user if user is not None and user.is_authenticated else None
        self.ip = ip
        self._policy = policy
        # The honeypot, under the name spam.py tells Akismet. Hidden from people (and so
        # from browsers' autofill) by the stylesheet; bots reading the HTML fill it in.
        self.fields[spam.HONEYPOT_FIELD] = forms.CharField(
            label="Leave this field empty",
            required=False,
            strip=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        if not self.is_bound:  # a bound form shows the token it was sent (checked already)
            self.fields["token"].initial = form_token(article)

    @property
    def honeypot(self):
        return self[spam.HONEYPOT_FIELD]

    def clean_name(self):
        name = _BIDI_CONTROLS.sub("", self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError("Please enter your name.", code="required")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    @property
    def policy(self):
        if self._policy is None:
            self._policy = policies.current()
        return self._policy

    def clean_parent(self):
        """The approved comment on this article it replies to, or None."""
        raw = self.cleaned_data["parent"]
        if not raw:
            return None
        pk = parse_id(raw)
        parent = (
            Comment.objects.approved().filter(article=self.article, pk=pk).first() if pk else None
        )
        if parent is None:
            raise forms.ValidationError(REPLY_UNAPPROVED, code="reply_unapproved")
        return parent

    def clean(self):
        """For a comment whose fields are all fine: the depth, then WordPress's duplicate
        check and flood control (staff are exempt from those two, as in WordPress)."""
        data = super().clean()
        if self.errors:
            return data
        parent, depth = data["parent"], self.policy.thread_depth
        if parent is not None and parent.depth >= depth:
            raise forms.ValidationError(TOO_DEEP.format(depth=depth), code="too_deep")
        if not (self.user and self.user.is_staff):
            if Comment.objects.has_duplicate(
                article_id=self.article.pk,
                parent_id=parent.pk if parent is not None else None,
                author_name=data["name"],
                author_email=data["email"],
                body=data["comment"],
            ):
                raise forms.ValidationError(DUPLICATE, code="duplicate")
            if policies.is_flood(self.ip, data["email"], self.policy):
                raise forms.ValidationError(FLOOD, code="flood")
            # A story in surge: once per `surge_interval` on this article (no query otherwise).
            if surges.too_soon(self.article.pk, self.ip, data["email"], self.policy):
                wait = surges.in_words(self.policy.surge_interval)
                raise forms.ValidationError(
                    surges.TOO_SOON.format(wait=wait), code="surge_interval"
                )
        return data

    def refusal(self):
        """The status to answer an invalid form with: 400, or the one its error's code
        asks for (`REFUSALS`)."""
        codes = {e.code for errors in self.errors.as_data().values() for e in errors}
        return next((status for code, status in REFUSALS.items() if code in codes), 400)

    def build_comment(self, **fields):
        """The comment posted (unsaved), with any further `fields` (user agent, referrer)."""
        data = self.cleaned_data
        return Comment(
            article=self.article,
            parent=data["parent"],
            author_name=data["name"],
            author_email=data["email"],
            author_url=data["url"],
            body=data["comment"],
            user=self.user,
            user_ip=self.ip,
            **fields,
        )


class CommentEditForm(forms.Form):
    """Its author's new text for a comment (`comments.authoring.edit`): the comment form's
    own field, so an edited comment is cleaned (and its markup kept inert) as a new one."""

    default_renderer = CommentForm.default_renderer
    comment = CommentForm.base_fields["comment"]


class ReportForm(forms.Form):
    """A reader's report on a published comment (`comments.reports`). Illegal content is a
    notice: it must say which law or kind of illegal content, and explain why."""

    ground = forms.ChoiceField(
        label="Why are you reporting this comment?",
        choices=Report.Ground.choices,
        widget=forms.RadioSelect,
    )
    law = forms.CharField(
        label="Which law, or which kind of illegal content (illegal content only)",
        max_length=200,
        required=False,
    )
    explanation = forms.CharField(
        label="Explanation (required for illegal content)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
    )
    email = forms.EmailField(
        label="Your email (optional: to be told the decision)",
        max_length=100,
        required=False,
    )

    def clean_law(self):
        return xml_safe(" ".join(self.cleaned_data["law"].split()))

    def clean_explanation(self):
        return xml_safe(self.cleaned_data["explanation"].strip())

    def clean(self):
        data = super().clean()
        if data.get("ground") == "illegal":
            if not data.get("law"):
                self.add_error("law", "Say which law, or which kind of illegal content.")
            if not data.get("explanation"):
                self.add_error("explanation", "Explain why the comment is illegal.")
        return data
