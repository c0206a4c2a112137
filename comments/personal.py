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

from django.middleware.csrf import get_token
from django.utils.html import escape
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


class _FormPieces:
    """The form of one article rendered once with a marker in place of each part that
    differs between readers (the saved name, e-mail and website; a signed-in reader's CSRF
    token), cut at the markers. A reader's form is the pieces with their values escaped
    in, exactly as the form's widgets write them (`comments.forms.DirectWidgetRenderer`:
    no `value` attribute for an empty value). `pieces` is None if a marker is not found
    exactly once (then the form is rendered whole)."""

    MARKER = "reader-" + secrets.token_hex(8) + "-{}"
    FIELDS = ("name", "email", "url")

    def __init__(self, article, signed_in):
        from comments.forms import CommentForm
        from comments.templatetags.comments_tags import article_form_html

        self.signed_in = signed_in
        markers = {field: self.MARKER.format(field) for field in self.FIELDS}
        # The consent box ticked, to be cut out: a reader with saved details gets it ticked
        # (as their own form would be: `author_initial`), any other reader unticked.
        form = CommentForm(article=article, initial={**markers, "save_details": True})
        html = str(
            article_form_html(
                article,
                form,
                signed_in=signed_in,
                csrf_token=self.MARKER.format("csrf") if signed_in else None,
            )
        )
        cuts = [(f' value="{marker}"', field) for field, marker in markers.items()]
        if signed_in:
            cuts.append((self.MARKER.format("csrf"), "csrf"))
        else:
            ticked = str(form["save_details"])
            self.consent = (ticked.replace(" checked", "", 1).encode(), ticked.encode())
            cuts.append((ticked, "consent"))
        if any(html.count(marked) != 1 for marked, _field in cuts):
            self.pieces = None
            return
        cuts.sort(key=lambda cut: html.index(cut[0]))
        self.pieces, self.fields, at = [], [], 0
        for marked, field in cuts:
            index = html.index(marked)
            self.pieces.append(html[at:index].encode())
            self.fields.append(field)
            at = index + len(marked)
        self.pieces.append(html[at:].encode())

    def render(self, request):
        from comments.templatetags.comments_tags import reader_initial

        values = reader_initial(request)
        out = [self.pieces[0]]
        for field, piece in zip(self.fields, self.pieces[1:], strict=True):
            if field == "csrf":
                out.append(escape(get_token(request)).encode())
            elif field == "consent":
                out.append(self.consent[bool(values.get("save_details"))])
            elif value := values.get(field):
                out.append(f' value="{escape(value)}"'.encode())
            out.append(piece)
        return b"".join(out)


class Spot:
    """Where a shared page's form goes: its article, and (made on first use) the form's
    pieces for readers who are not signed in and for those who are."""

    def __init__(self, article):
        self.article, self._pieces = article, {}

    def pieces(self, signed_in):
        if signed_in not in self._pieces:
            self._pieces[signed_in] = _FormPieces(self.article, signed_in)
        return self._pieces[signed_in]


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
    """The comment form for `request`'s reader, in place of the marked one: the spot's
    pieces with the reader's saved details, or a signed-in reader's name, e-mail and CSRF
    token, put in."""
    from comments.templatetags.comments_tags import form_html

    pieces = spot.pieces(request.user.is_authenticated)
    if pieces.pieces is not None:
        return pieces.render(request)
    return form_html(request, spot.article).encode()
