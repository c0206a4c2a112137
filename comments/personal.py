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
import secrets
from types import SimpleNamespace
from urllib.parse import quote, unquote

from django.contrib.auth.models import AnonymousUser
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles import links
from comments.preview import AUTHOR_COOKIES, PREVIEW_COOKIE, author_initial

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


class _SavedForm:
    """The form of one article for readers who are not signed in, rendered once with a
    marker in place of each saved value (name, e-mail, website: the only parts that differ
    between such readers); a reader's form is its pieces with their values escaped in,
    exactly as the form's widgets write them (`comments.forms.DirectWidgetRenderer`: no
    `value` attribute for an empty value). None if the markers are not each found once."""

    MARKER = "saved-" + secrets.token_hex(8) + "-{}"

    def __init__(self, article):
        from comments.templatetags.comments_tags import form_html

        fields = list(AUTHOR_COOKIES.items())
        stand_in = SimpleNamespace(
            COOKIES={name: self.MARKER.format(field) for name, field in fields},
            user=AnonymousUser(),
        )
        html = str(form_html(stand_in, article))
        self.pieces, self.fields = [], []
        for _name, field in fields:
            marked = f' value="{self.MARKER.format(field)}"'
            if html.count(marked) != 1:
                self.pieces = None
                return
            self.fields.append((html.index(marked), field, marked))
        self.fields.sort()
        at = 0
        for index, _field, marked in self.fields:
            self.pieces.append(html[at:index].encode())
            at = index + len(marked)
        self.pieces.append(html[at:].encode())
        self.fields = [field for _index, field, _marked in self.fields]

    def render(self, request):
        values = author_initial(request)
        out = [self.pieces[0]]
        for field, piece in zip(self.fields, self.pieces[1:], strict=True):
            value = values.get(field)
            if value:
                out.append(f' value="{escape(value)}"'.encode())
            out.append(piece)
        return b"".join(out)


class Spot:
    """Where a shared page's form goes: its article, and (made on first use) the form for
    readers who are not signed in."""

    def __init__(self, article):
        self.article, self._saved_form = article, None

    @property
    def saved_form(self):
        if self._saved_form is None:
            self._saved_form = _SavedForm(self.article)
        return self._saved_form


def split(content):
    """(before, after, spot) around the marked form of `content` (the shared page's
    bytes), or None if it has no marked form (nothing to do: serve it as it is). Done once
    per shared page and process (`articles.pagecache`)."""
    match = _START.search(content)
    end = content.find(END, match.end()) if match else -1
    if end < 0:
        return None
    article = marked_article(int(match[1]), unquote(match[2].decode("ascii")))
    return content[: match.start()], content[end + len(END) :], Spot(article)


def form_part(request, spot):
    """The comment form rendered for `request`'s reader, in place of the marked one: from
    the spot's pieces for a reader who is not signed in, rendered whole for one who is
    (their name, their CSRF token)."""
    from comments.templatetags.comments_tags import form_html

    if not request.user.is_authenticated and spot.saved_form.pieces is not None:
        return spot.saved_form.render(request)
    return form_html(request, spot.article).encode()
