"""The comment thread's HTML, assembled in Python from each comment's stored HTML.

The thread is the page's hot spot: an article with 300 comments rendered through
`{% include %}` once per comment cost ~200 ms of Django's template engine (variable
resolution, `date` filters, autoescaping per node; see bench/README.md for the profile).
The markup of one comment is small and fixed, so it lives here as format strings, filled
with escaped values and the comment's `body_html` (rendered once, when the text is
written: `comments.text.render`): the whole thread of 300 costs a few milliseconds.

Every reader value goes through `conditional_escape`, as autoescaping would; the author's
website only as `text.safe_href` allows it (http(s), never a script URL). The markup is
tested in tests/comments/test_rendering.py and tests/comments/test_thread_html.py.
"""

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from comments import text

# A change to the markup below changes this, and with it the key of every cached thread.
MARKUP_VERSION = "1"

_OPEN = (
    '<li id="comment-{pk}" class="comment{awaiting_class}">\n'
    '  <article class="comment__body" aria-label="Comment by {name}">\n'
    '    <footer class="comment__meta">\n'
    '      <span class="comment__author">{author}</span>\n'
    '      <a class="comment__permalink" href="#comment-{pk}">'
    '<time datetime="{iso}">{when}</time></a>\n'
    "    </footer>\n"
    "{awaiting}"
    '    <div class="comment__content">{body}</div>\n'
    "{reply}"
    "  </article>\n"
)
_AWAITING = (
    '    <p class="comment__awaiting" role="status">Your comment is awaiting moderation.</p>\n'
)
_REPLY = (
    '    <p class="comment__actions"><a class="comment__reply" href="?replytocom={pk}#respond"'
    ' rel="nofollow" data-reply-to="{pk}" data-author="{name}">Reply<span'
    ' class="visually-hidden"> to <bdi>{name}</bdi></span></a></p>\n'
)
_REPLIES_OPEN = '  <ol class="comment-list comment-list--replies">\n'
_REPLIES_CLOSE = "  </ol>\n"
_CLOSE = "</li>\n"


def _author(name, url):
    website = text.safe_href(url)
    if website:
        return (
            f'<a href="{conditional_escape(website)}" rel="nofollow ugc noopener">'
            f"<bdi>{name}</bdi></a>"
        )
    return f"<bdi>{name}</bdi>"


class _Dates:
    """`created_at` as the page shows it: ISO 8601 and "2 December 2026 at 08:30", in the
    current time zone and language (month names looked up once per thread)."""

    def __init__(self):
        self.months = {}

    def __call__(self, moment):
        local = timezone.localtime(moment)
        month = self.months.get(local.month)
        if month is None:
            month = self.months[local.month] = str(MONTHS[local.month])
        return local.isoformat(), f"{local.day} {month} {local.year} at {local:%H:%M}"


def comment_open(comment, closed, dates=None):
    """One comment's `<li>` up to its replies: everything its own fields, its place in the
    thread (`can_reply`, set by `build_thread`) and the article's closing decide."""
    from comments.models import Comment

    name = conditional_escape(comment.author_name)
    approved = comment.status == Comment.Status.APPROVED
    iso, when = (dates or _Dates())(comment.created_at)
    return _OPEN.format(
        pk=comment.pk,
        awaiting_class="" if approved else " comment--awaiting",
        name=name,
        author=_author(name, comment.author_url),
        iso=iso,
        when=when,
        awaiting="" if approved else _AWAITING,
        body=comment.rendered_body,
        reply=_REPLY.format(pk=comment.pk, name=name)
        if getattr(comment, "can_reply", False) and not closed
        else "",
    )


def thread_html(roots, closed):
    """The nested `<li>`s of a thread (`roots` from `build_thread`), as safe HTML."""
    out, dates = [], _Dates()

    def emit(comment):
        out.append(comment_open(comment, closed, dates))
        if comment.thread_replies:
            out.append(_REPLIES_OPEN)
            for reply in comment.thread_replies:
                emit(reply)
            out.append(_REPLIES_CLOSE)
        out.append(_CLOSE)

    for root in roots:
        emit(root)
    return mark_safe("".join(out))  # every reader value above is escaped
