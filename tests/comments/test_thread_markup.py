"""The thread's markup (`comments.render.thread_html`), byte for byte: every branch of a
comment's `<li>` — approved or awaiting, the reader's own links, a website or a script
URL, edited, replies open or closed, nesting past the depth, hostile names — against
`thread_reference.html`, which the per-comment `comment_open` made before the thread was
written out as one f-string a comment."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from comments import render
from comments.models import Comment
from comments.templatetags.comments_tags import build_thread

REFERENCE = Path(__file__).parent / "thread_reference.html"
APPROVED, PENDING = Comment.Status.APPROVED.value, Comment.Status.PENDING.value
NAMES = ['Ann "<b>" & co', "Bob", "‮Eve", "O'Brien <script>"]
URLS = ["", "https://example.com/?a=1&b=2", "javascript:alert(1)", " http://x.test/'\"", None]


def comments():
    """24 comments over the combinations the markup branches on, some nested 4 deep."""
    start = datetime(2026, 3, 28, 23, 59, 30, 123456, tzinfo=UTC)
    rows = []
    for i in range(24):
        parent = rows[i - 1 - (i % 3)][0] if i % 4 and i > 3 else None
        rows.append(
            (
                1000 + i,
                parent,
                0,
                APPROVED if i % 5 else PENDING,
                NAMES[i % len(NAMES)],
                URLS[i % len(URLS)],
                f"<p>Comment {i} &amp; <em>more</em></p>" if i % 7 else "",
                start + timedelta(hours=17 * i, seconds=i),
                start if i % 6 == 1 else None,
            )
        )
    return [render.ThreadComment(*row) for row in rows]


def own_links():
    """The reader's own comments (their preview cookie): approved and pending, with and
    without minutes left to edit."""
    return {
        1000: ("/comments/status/1000/abc/", 3),
        1005: ("/comments/status/1005/a&b/", 0),
        1001: ("/comments/status/1001/x/", 1),
        1002: ("/comments/status/1002/y/", 0),
    }


def render_all():
    parts = []
    for zone, depth, closed, own in (
        ("UTC", 2, False, None),
        ("UTC", 5, False, own_links()),
        ("Europe/Paris", 5, True, None),
        ("America/St_Johns", 2, False, own_links()),
        ("UTC", 3, True, own_links()),
    ):
        with timezone.override(zone):
            roots = build_thread(comments(), depth)
            parts.append(f"<!-- {zone} depth={depth} closed={closed} own={bool(own)} -->\n")
            parts.append(render.thread_html(roots, closed, own))
    return "".join(parts)


def test_the_thread_markup_is_byte_for_byte_the_reference():
    assert render_all() == REFERENCE.read_text()


def test_the_reference_covers_every_branch():
    html = REFERENCE.read_text()
    for piece in (
        "comment--awaiting",
        "Your comment is awaiting moderation.",
        "Follow it on its private status page",
        "Edit your comment",
        "(you can edit it for 1 more minute)",
        "(you can edit it for 3 more minutes)",
        "(edited)",
        'rel="nofollow ugc noopener"',
        "comment-list--replies",
        "comment__reply",
        "comment__report",
        "&quot;&lt;b&gt;&quot; &amp; co",
        "+01:00",
        "+02:00",
        "-02:30",
    ):
        assert piece in html, piece
    assert "javascript:" not in html
