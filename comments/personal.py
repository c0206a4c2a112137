"""A reader with cookies gets the shared article page with their own comment form.

The shared page (`articles.pagecache`) marks where the form is, with two HTML comments
naming the article. A reader whose browser sends cookies (the saved name/e-mail/website, a
session, anything else) gets the cached shared page with that part replaced by the form
rendered for them (their saved details, a signed-in user's name and CSRF token), sent
`private`: the rest of the page — the thread, the shell — is rendered once for everybody.

Only the author's 10-minute preview cookie (their pending comment, shown in the thread)
still renders the whole page for that reader.
"""

import re
from types import SimpleNamespace
from urllib.parse import quote, unquote

from django.utils.safestring import mark_safe

from articles import links
from comments.preview import AUTHOR_COOKIES, PREVIEW_COOKIE

# The article's id and page path (category path / slug, quoted: no "-" run or ">" of its
# own can end the HTML comment early) — all the form needs, so putting it in costs no query.
START = "<!--personal:form:{}:{}-->"
END = b"<!--/personal:form-->"
_START = re.compile(rb"<!--personal:form:(\d+):([^>]*?)-->")


def mark(article):
    """The marks around the form in the shared page."""
    path = quote(f"{article.category.path}/{article.slug}", safe="/")
    return {"start": mark_safe(START.format(article.pk, path)), "end": mark_safe(END.decode())}


def marked_article(pk, path):
    """What the form needs of the article (id, page path and URL), read from the mark.
    The shared page it comes from is current (keyed on the content versions), so the
    article is published and open to comments: no query needed to know it."""
    category_path, _sep, slug = path.rpartition("/")
    return SimpleNamespace(
        pk=pk,
        slug=slug,
        category=SimpleNamespace(path=category_path),
        get_absolute_url=lambda: links.page_url(path),
    )


# A reader sending only these (the form's saved name, e-mail and website) has no session:
# the page cache answers them before the session and auth middleware (`articles.pagecache`).
SESSIONLESS_COOKIES = frozenset(AUTHOR_COOKIES)


def needs_own_page(request):
    """The reader's own pending comment shows in the thread: the whole page is theirs."""
    return PREVIEW_COOKIE in request.COOKIES


def split(content):
    """(before, after, article) around the marked form of `content` (the shared page's
    bytes), or None if it has no marked form (nothing to do: serve it as it is). Done once
    per shared page and process (`articles.pagecache`)."""
    match = _START.search(content)
    end = content.find(END, match.end()) if match else -1
    if end < 0:
        return None
    article = marked_article(int(match[1]), unquote(match[2].decode("ascii")))
    return content[: match.start()], content[end + len(END) :], article


def form_part(request, article):
    """The comment form rendered for `request`'s reader, in place of the marked one."""
    from comments.templatetags.comments_tags import form_html

    return form_html(request, article).encode()
