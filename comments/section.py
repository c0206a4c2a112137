"""A decision on a comment re-renders only the article page's comments section, not the
whole page.

An approval, a removal (unapproval, spam, trash, a ban) or an edit of a shown comment moves
the content version but not the shell one (`articles.caching`): the page it needs differs
from the URL's previous page only inside the comments section (the thread, the moderation
wait, the surge notice, the form; nothing else on an article page shows comments). So the
page cache (`articles.pagecache.register_section`) gives the previous page's bytes to
`refresh`, which renders this section alone for the current rows and puts it in place of
the old one, between the marks the section carries (`mark`: the article's id). After a
removal the previous page is never served as it is (the strict version moved); only its
parts outside the section are reused. That costs the thread (its fragment is cached
under the comments version), not the article, its trail, its related articles, JSON-LD
and the shell again.

Only the first page of an article's comments carries the marks (a later page of a long
thread is rendered whole).

The thread itself is rendered by the writer: once a decision that shows or hides a comment
has committed, `warm` renders the article's first page of comments under the new comments
version and stores it (`Thread.fragment`), so the reader who refreshes the section finds
it in the cache and renders only the form and the notices around it. A reader who comes
before it (or when `warm` failed) renders the thread as before.
"""

import logging
import re

from django.utils import timezone
from django.utils.safestring import mark_safe

from articles.prepared import Prepared

START = "<!--comments:section:{}-->"
END = b"<!--/comments:section-->"
_START = re.compile(rb"<!--comments:section:(\d+)-->")

logger = logging.getLogger(__name__)


def _build_article(pk, now):
    from articles.models import Article

    return Article.objects.published(now).select_related("category").filter(pk=pk)


# The section's article, its query written once per process (`articles.prepared`).
_ARTICLE = Prepared(_build_article, pk=0, now=timezone.now())


def _article(pk):
    """The published article `pk` with its category, or None."""
    found = _ARTICLE.objects(pk=pk, now=timezone.now())
    return found[0] if found else None


def mark(article):
    """The marks around the article page's comments section."""
    return {"start": mark_safe(START.format(article.pk)), "end": mark_safe(END.decode())}


def refresh(request, content):
    """`content` (the URL's previous shared page, bytes) with its comments section rendered
    again for `request` (a reader without cookies) from the current rows, or None when it
    has no marked section or the article is not there to show (then the page is rendered
    whole)."""
    from comments.templatetags.comments_tags import section_html

    match = _START.search(content)
    end = content.find(END, match.end()) if match else -1
    if end < 0:
        return None
    article = _article(int(match[1]))
    if article is None:
        return None
    section = section_html(request, article).encode()
    new = _START.search(section)
    new_end = section.find(END, new.end()) if new else -1
    if new_end < 0:
        return None
    return b"".join(
        (
            content[: match.start()],
            section[new.start() : new_end + len(END)],  # the marked part, as in the page
            content[end + len(END) :],
        )
    )


def warm(article_id):
    """Render the first page of article `article_id`'s thread under its current comments
    version and store it (`Thread.fragment`), after a committed change to which of its
    comments are shown. The version is read before the rows (`Thread`), so the stored
    thread shows at least every change made before that version was written. A failure
    costs only the warmth: it is logged, and the next reader renders the thread."""
    from comments.templatetags.comments_tags import thread_for

    try:
        article = _article(article_id)
        if article is None:
            return
        thread_for(None, article).fragment(store=True)
    except Exception:
        logger.exception(
            "could not render the thread of article %s ahead of its readers", article_id
        )
