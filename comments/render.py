"""The comment thread's HTML, assembled in Python from each comment's stored HTML.

The thread is the page's hot spot: an article with 300 comments rendered through
`{% include %}` once per comment cost ~200 ms of Django's template engine (variable
resolution, `date` filters, autoescaping per node; see bench/README.md for the profile).
The markup of one comment is small and fixed, so it lives here as an f-string, filled
with escaped values and the comment's `body_html` (rendered once, when the text is
written: `comments.text.render`): the whole thread of 300 costs a few milliseconds.

Every reader value goes through `conditional_escape`, as autoescaping would; the author's
website only as `text.safe_href` allows it (http(s), never a script URL). The markup is
tested in tests/comments/test_rendering.py and tests/comments/test_thread_markup.py.
"""

from html import escape

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from articles import links
from comments import text

# A change to the markup below changes this, and with it the key of every cached thread.
MARKUP_VERSION = "3"

_AWAITING = (
    '    <p class="comment__awaiting" role="status">Your comment is awaiting moderation.</p>\n'
)
_EDITED = ' <span class="comment__edited">(edited)</span>'
# The author's own links, only in the page rendered for them (their preview cookie): the
# private status page, and how long they may still edit.
_OWN = '    <p class="comment__own"><a href="{url}" rel="nofollow">{label}</a>{until}</p>\n'
_REPLIES_OPEN = '  <ol class="comment-list comment-list--replies">\n'
_REPLIES_CLOSE = "  </ol>\n"
_CLOSE = "</li>\n"


class ThreadComment:
    """A comment as the thread shows it: the fields `Comment.objects.for_article_page`
    loads, as a plain object (a model instance each cost ~3× as much for 300 comments),
    plus its place in the thread (`thread_replies`, `level`, `can_reply`: `build_thread`)."""

    FIELDS = ("pk", "parent_id", "depth", "status", "author_name", "author_url")
    FIELDS += ("body_html", "created_at", "edited_at")
    __slots__ = (*FIELDS, "thread_replies", "level", "can_reply")

    def __init__(self, *values):
        # Unpacked in FIELDS' order (a loop of setattr cost ~10 calls a comment).
        (
            self.pk,
            self.parent_id,
            self.depth,
            self.status,
            self.author_name,
            self.author_url,
            self.body_html,
            self.created_at,
            self.edited_at,
        ) = values

    @property
    def rendered_body(self):
        # As `Comment.rendered_body` with the text not loaded: the stored HTML.
        return mark_safe(self.body_html)


def _body(comment):
    """The stored HTML of the body (`Comment.rendered_body`, read directly when stored)."""
    # SafeString(str) is what mark_safe(str) returns, without its lazy-string wrapper.
    return SafeString(comment.body_html) if comment.body_html else comment.rendered_body


def _own(comment, link, approved):
    """The author's own links under their comment: `link` is (status URL, minutes left to
    edit)."""
    url, minutes = link
    until = f" (you can edit it for {minutes} more minute{'s' if minutes != 1 else ''})"
    if approved:
        if not minutes:
            return ""
        return _OWN.format(url=escape(url) + "#edit", label="Edit your comment", until=until)
    return _OWN.format(
        url=escape(url),
        label="Follow it on its private status page",
        until=until if minutes else "",
    )


_APPROVED = []


def _approved():
    """`Comment.Status.APPROVED.value` (comments.models imports this module)."""
    if not _APPROVED:
        from comments.models import Comment

        _APPROVED.append(Comment.Status.APPROVED.value)
    return _APPROVED[0]


def thread_html(roots, closed, own=None):
    """The nested `<li>`s of a thread (`roots` from `build_thread`), as safe HTML. `own`:
    {pk: (status URL, minutes left to edit)} of the reader's own comments (their preview).

    A comment's markup is one f-string, filled in one pass over the thread: a comment
    through a helper per part and a `str.format` each (`_OPEN`, the reply and report links)
    cost twice as much, 10 µs a comment on the busy bench page. The markup is byte for byte
    what that made (tests/comments/test_thread_markup.py, `thread_reference.html`)."""
    out, own = [], own or {}
    append = out.append
    approved_status, zone, months = _approved(), timezone.get_current_timezone(), {}

    def emit(nodes):
        for c in nodes:
            pk, approved = c.pk, c.status == approved_status
            name = escape(c.author_name)  # a str from the database: as conditional_escape
            website = text.safe_href(c.author_url) if c.author_url else None
            if website:
                author = (
                    f'<a href="{conditional_escape(website)}" rel="nofollow ugc noopener">'
                    f"<bdi>{name}</bdi></a>"
                )
            else:
                author = f"<bdi>{name}</bdi>"
            # "2 December 2026 at 08:30" in the current time zone and language (the zone and
            # month names looked up once a thread; timezone.localtime, without its look-ups)
            local = c.created_at.astimezone(zone)
            month = months.get(local.month)
            if month is None:
                month = months[local.month] = str(MONTHS[local.month])
            link = own.get(pk)
            if approved:
                report = (
                    f'<a class="comment__report" href="/comments/{pk}/report/" rel="nofollow">'
                    f'Report<span class="visually-hidden"> the comment by <bdi>{name}</bdi>'
                    "</span></a>"
                )
                awaiting = _own(c, link, True) if link else ""
            else:
                report = ""
                awaiting = _AWAITING + _own(c, link, False) if link else _AWAITING
            if getattr(c, "can_reply", False) and not closed:
                reply = (
                    f'<a class="comment__reply" href="?replytocom={pk}#respond"'
                    f' rel="nofollow" data-reply-to="{pk}" data-author="{name}">Reply<span'
                    f' class="visually-hidden"> to <bdi>{name}</bdi></span></a>'
                )
                links = f"{reply} {report}" if report else reply
            else:
                links = report
            actions = f'    <p class="comment__actions">{links}</p>\n' if links else ""
            awaiting_class = "" if approved else " comment--awaiting"
            edited = _EDITED if getattr(c, "edited_at", None) else ""
            append(
                f'<li id="comment-{pk}" class="comment{awaiting_class}">\n'
                f'  <article class="comment__body" aria-label="Comment by {name}">\n'
                '    <footer class="comment__meta">\n'
                f'      <span class="comment__author">{author}</span>\n'
                f'      <a class="comment__permalink" href="#comment-{pk}">'
                f'<time datetime="{local.isoformat()}">{local.day} {month} {local.year} at '
                f"{local.hour:02d}:{local.minute:02d}</time></a>{edited}\n"
                "    </footer>\n"
                f"{awaiting}"
                f'    <div class="comment__content">{c.body_html or _body(c)}</div>\n'
                f"{actions}"
                "  </article>\n"
            )
            if c.thread_replies:
                append(_REPLIES_OPEN)
                emit(c.thread_replies)
                append(_REPLIES_CLOSE)
            append(_CLOSE)

    emit(roots)
    return mark_safe("".join(out))  # every reader value above is escaped


# The comment form (`form_html`): the same markup the `comments/_form.html` template made.
# It is rendered for every article page and, for each reader with cookies, into the shared
# page (`comments.personal`), so it is assembled here too; the widgets come from the form
# itself (`forms.DirectWidgetRenderer`), with their ids, limits and errors.
_FORM = (
    '<div id="respond" class="comment-respond">\n'
    '  <h3 id="reply-title" class="comment-respond__title">\n'
    "    <span data-reply-title>{title}</span>\n"
    '    <small><a id="cancel-reply" class="comment-respond__cancel" '
    'href="{article_url}#respond"{cancel_hidden}>Cancel reply</a></small>\n'
    "  </h3>\n"
    '  <form action="{post_url}#respond" method="post" class="comment-form" id="commentform">\n'
    "    {csrf}\n"
    "    {token}{parent}\n"
    '    <p class="comment-form__notes"><span id="{email_id}_helptext">{email_help}</span> '
    'Required fields are marked <span class="required" aria-hidden="true">*</span>'
    '<span class="visually-hidden">with an asterisk</span>.</p>\n'
    "    {problem}\n"
    '    <div class="comment-form__field comment-form__field--comment">\n'
    '      <label for="{comment_label}">Comment <span class="required" aria-hidden="true">*'
    "</span></label>\n"
    "      {comment}{comment_errors}\n"
    "    </div>\n"
    '    <div class="comment-form__field">\n'
    '      <label for="{name_label}">Name <span class="required" aria-hidden="true">*</span>'
    "</label>\n"
    "      {name}{name_errors}\n"
    "    </div>\n"
    '    <div class="comment-form__field">\n'
    '      <label for="{email_label}">Email <span class="required" aria-hidden="true">*'
    "</span></label>\n"
    "      {email}{email_errors}\n"
    "    </div>\n"
    '    <div class="comment-form__field">\n'
    '      <label for="{url_label}">Website</label>\n'
    "      {url}{url_errors}\n"
    "    </div>\n"
    '    <div class="comment-form__hp" aria-hidden="true">\n'
    '      <label for="{hp_label}">{hp_text}</label>\n'
    "      {hp}\n"
    "    </div>\n"
    "    {consent}\n"
    '    <fieldset class="comment-form__notify" aria-describedby="notify-help">\n'
    "      <legend>Notifications</legend>\n"
    '      <p class="comment-form__consent">\n'
    "        {notify_published}\n"
    '        <label for="{notify_published_label}">{notify_published_text}</label>\n'
    "      </p>\n"
    '      <p class="comment-form__consent">\n'
    "        {notify_replies}\n"
    '        <label for="{notify_replies_label}">{notify_replies_text}</label>\n'
    "      </p>\n"
    '      <p id="notify-help" class="comment-form__notify-help">The first time, we e-mail you '
    "a link to confirm your address. Every mail has a one-click unsubscribe.</p>\n"
    "    </fieldset>\n"
    '    <p class="comment-form__submit"><button type="submit" class="button">Post Comment'
    "</button></p>\n"
    "  </form>\n"
    '  <p class="akismet-notice">This site uses Akismet to reduce spam. '
    '<a href="https://akismet.com/privacy/" rel="nofollow noopener">Learn how your comment '
    'data is processed.</a> <a href="{privacy_url}">What we store and for how long.</a></p>\n'
    "</div>\n"
)
_CONSENT = (
    '\n      <p class="comment-form__consent">\n'
    "        {box}\n"
    '        <label for="{label_for}">{label}</label>\n'
    "      </p>\n    "
)
_CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


def consent_html(box, label_for, label):
    """The "save my details" paragraph around its checkbox `box` (HTML), with its label
    (`label_for`, `label`: text, escaped here)."""
    e = text.escaped
    return _CONSENT.format(box=box, label_for=e(label_for), label=e(label))


def form_html(article, post_url, form, reply_to=None, signed_in=False, csrf_token=None):
    """The comment form's markup (see `comments.templatetags.comments_tags.form_context`
    for the values). `csrf_token` is read only for a signed-in reader: an anonymous page
    never asks for one (it would set the CSRF cookie)."""
    e = text.escaped  # conditional_escape's text: the whole form is marked safe once

    fields = {}
    for name in ("comment", "name", "email", "url"):
        field = form[name]
        fields[name] = str(field)
        fields[f"{name}_errors"] = str(field.errors)
        fields[f"{name}_label"] = e(field.id_for_label)
    honeypot, consent = form.honeypot, form["save_details"]
    problem = form.non_field_errors()
    for name in ("notify_published", "notify_replies"):
        field = form[name]
        fields[name] = str(field)
        fields[f"{name}_label"] = e(field.id_for_label)
        fields[f"{name}_text"] = e(field.label)
    return form_markup(
        article,
        post_url,
        reply_to,
        signed_in,
        csrf_token,
        token=form["token"],
        parent=form["parent"],
        email_id=e(form["email"].auto_id),
        email_help=e(form["email"].help_text),
        problem=(
            f'<div class="comment-form__problem" role="alert">{problem}</div>' if problem else ""
        ),
        hp_label=e(honeypot.id_for_label),
        hp_text=e(honeypot.label),
        hp=honeypot,
        consent="" if signed_in else consent_html(consent, consent.id_for_label, consent.label),
        **fields,
    )


def form_markup(article, post_url, reply_to, signed_in, csrf_token, **values):
    """`_FORM` filled with `values` (its widgets, labels and errors as escaped HTML: from a
    form, or `forms.initial_widgets`) and the parts that come from the page."""
    e = text.escaped
    csrf = ""
    if signed_in and csrf_token and str(csrf_token) != "NOTPROVIDED":
        csrf = _CSRF.format(e(csrf_token))
    return mark_safe(
        _FORM.format(
            title=(
                f"Leave a Reply to <bdi>{e(reply_to.author_name)}</bdi>"
                if reply_to
                else "Leave a Comment"
            ),
            article_url=e(article.get_absolute_url()),
            cancel_hidden="" if reply_to else " hidden",
            post_url=e(post_url),
            csrf=csrf,
            privacy_url=e(links.named_url("privacy")),
            **values,
        )
    )
