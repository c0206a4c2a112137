"""The article page's comments: the approved thread (one query) and the form."""

from django import template
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles import caching
from articles.params import parse_id
from articles.people import display_name
from comments import authoring, paging, personal, render, section, surges, text, waiting
from comments import policy as policies
from comments.forms import CommentForm, initial_widgets
from comments.models import Comment, thread_rows
from comments.preview import author_initial, preview_keys

register = template.Library()


def build_thread(comments, max_depth):
    """Nest `comments` (oldest first) under their parents, in Python.

    Sets `thread_replies`, `level` and `can_reply` on each comment and returns the top level. A
    reply whose parent is not shown (no longer approved) moves up to the top level
    rather than disappearing.
    """
    by_pk = {c.pk: c for c in comments}
    roots = []
    for c in comments:
        c.thread_replies = []
        parent = by_pk.get(c.parent_id)
        (parent.thread_replies if parent is not None else roots).append(c)

    def walk(nodes, level):
        for c in nodes:
            c.level = level
            c.can_reply = c.status == Comment.Status.APPROVED and level < max_depth
            walk(c.thread_replies, level + 1)

    walk(roots, 1)
    return roots


_EMPTY = '\n  <p class="comments__empty">No comments yet. Start the conversation.</p>\n'


class Thread:
    """An article's thread as the template sees it, queried only when it is rendered: a
    cached fragment (keyed on `version`, the page and the paging policy) costs no query.

    A long thread is paged (`comments.paging`): `page` (1 is the article's own page) shows
    `policy.comments_per_page` top-level threads with all their replies; `count` is still
    the whole article's.

    With a preview (the reader's own pending comments) the thread is that reader's alone,
    so it is never cached (`cacheable` is False).
    """

    def __init__(self, article, preview, policy, closed=False, page=1):
        self.article, self.preview, self.closed, self.page = article, preview, closed, page
        self.policy, self.depth = policy, policy.thread_depth
        self.cacheable = not preview
        self.version = caching.comments_version(article.pk)["token"] if self.cacheable else ""

    @cached_property
    def comments(self):
        if self.preview:
            rows = Comment.objects.for_article_page(self.article, self.preview)
            rows = rows.values_list(*render.ThreadComment.FIELDS)
        else:  # everybody's thread: its query compiled once per process
            rows = thread_rows(self.article.pk)
        return [render.ThreadComment(*row) for row in rows]

    @cached_property
    def roots(self):
        """Every top-level thread, oldest first (all pages)."""
        return build_thread(self.comments, self.depth)

    @property
    def paging(self):
        """What the cached fragment's key needs of the paging policy."""
        return f"{self.page}.{self.policy.comments_per_page}.{self.policy.comment_order}"

    @cached_property
    def paginator(self):
        return paging.paginator(self.roots, self.policy)

    def exists(self):
        """Is there such a page (page 1 always is)?"""
        return 1 <= self.page <= self.paginator.num_pages

    @cached_property
    def page_roots(self):
        """The top-level threads this page shows."""
        return self.paginator.page(self.page).object_list if self.exists() else []

    @cached_property
    def pager(self):
        """The pager's links (None when the thread fits on one page): each page number, or
        None for an elided run, with its URL; the previous and next pages' URLs."""
        paginator = self.paginator
        if paginator.num_pages < 2 or not self.exists():
            return None
        article_url = self.article.get_absolute_url()

        def url(number):
            return f"{paging.page_path(article_url, number)}#comments"

        pages = [
            (n, url(n)) if n != paginator.ELLIPSIS else (None, None)
            for n in paginator.get_elided_page_range(self.page, on_each_side=2, on_ends=1)
        ]
        return {
            "pages": pages,
            "current": self.page,
            "count": paginator.num_pages,
            "previous": url(self.page - 1) if self.page > 1 else None,
            "next": url(self.page + 1) if self.page < paginator.num_pages else None,
        }

    @cached_property
    def own(self):
        """{pk: (status URL, minutes left to edit)} of the reader's own comments named in
        their preview cookie (an uncached thread: nothing of it reaches a shared page)."""
        if not self.preview:
            return {}
        policy = self.policy
        shown = {c.pk: c for c in self.comments}
        return {
            pk: (authoring.status_url(pk, secret), authoring.minutes_left(shown[pk], policy))
            for pk, secret in self.preview
            if pk in shown
        }

    @cached_property
    def html(self):
        """The nested comments of this page (`comments.render`): one string, no template
        per comment."""
        return render.thread_html(self.page_roots, self.closed, self.own)

    @property
    def markup(self):
        return render.MARKUP_VERSION

    @property
    def fragment_key(self):
        """The cache key of this thread's fragment: the article, its comments version, and
        everything else the fragment's HTML depends on (reply depth, closing, the markup's
        version, the page and the paging policy)."""
        return make_template_fragment_key(
            "comment_thread",
            [self.article.pk, self.version, self.depth, self.closed, self.markup, self.paging],
        )

    def fragment(self, store=False):
        """The thread as the page shows it (`_render`): the heading, the
        comments of this page and the pager. From the cache under `fragment_key` when
        cacheable (`store`: render and store it whatever the cache holds: `section.warm`),
        else rendered for this reader."""
        if not self.cacheable:
            return self._render()
        key = self.fragment_key
        html = None if store else cache.get(key)
        if html is None:
            html = self._render()
            cache.set(key, html, caching.FRAGMENT_SECONDS)
        return mark_safe(html)

    def _render(self):
        """What the `comments/_thread.html` template made, byte for byte: the heading, the
        comments of this page and the pager (`comments/_pager.html`), or the empty thread's
        invitation."""
        count = self.count
        heading = f"{count} Comment{'s' if count != 1 else ''}" if count else "Comments"
        if self.page_roots:
            pager = self.pager
            pager = render_to_string("comments/_pager.html", {"pager": pager}) if pager else ""
            body = f'\n  <ol class="comment-list">\n    {self.html}\n  </ol>\n  {pager}\n'
        elif not self.closed:
            body = _EMPTY
        else:
            body = ""
        return SafeString(
            f'<h2 id="comments-heading" class="comments__title">{heading}</h2>\n{body}\n'
        )

    @cached_property
    def count(self):
        return [c.status for c in self.comments].count(Comment.Status.APPROVED)

    def find(self, pk):
        self.roots  # noqa: B018 (sets can_reply on each comment)
        return next((c for c in self.comments if str(c.pk) == str(pk)), None)


def thread_for(request, article, page=1, policy=None):
    """Page `page` of `article`'s thread as `request`'s reader sees it (with their own
    pending comments, if their preview cookie names any); with no `request`, the thread
    every reader without one sees (`section.warm`)."""
    policy = policy or policies.current()
    closed = policies.is_closed(article, policy)
    preview = preview_keys(request) if request is not None else []
    return Thread(article, preview, policy, closed, page)


def reader_initial(request):
    """The form's initial values for this reader: the saved name/email/website cookies, or
    a signed-in user's name and e-mail."""
    initial = author_initial(request)
    user = request.user
    if user.is_authenticated:
        initial.setdefault("name", display_name(user))
        initial.setdefault("email", user.email)
    return initial


def form_html(request, article, form=None, reply_to=None, csrf_token=None, initial=None):
    """The comment form for this reader (`comments.render.form_html`): their saved
    details, or a signed-in user's name and CSRF token (`csrf_token`, given by a page's
    context, else read from the request — never for a reader who is not signed in).
    Without a `form`, the unbound form with `initial` (else `reader_initial`), written
    without building it (`forms.initial_widgets`) when it can be."""
    signed_in = request.user.is_authenticated
    csrf = (csrf_token or get_token(request)) if signed_in else None
    if form is None:
        initial = reader_initial(request) if initial is None else initial
        widgets = initial_widgets(article, initial, signed_in)
        if widgets is not None:
            return render.form_markup(
                article, _post_url(article), reply_to, signed_in, csrf, **widgets
            )
        form = CommentForm(article=article, initial=initial)
    return article_form_html(article, form, reply_to=reply_to, signed_in=signed_in, csrf_token=csrf)


def _post_url(article):
    return reverse("comments:post", kwargs={"path": f"{article.category.path}/{article.slug}"})


def article_form_html(article, form, reply_to=None, signed_in=False, csrf_token=None):
    """`form` for `article`, posting to the article's comment address."""
    return render.form_html(
        article=article,
        post_url=_post_url(article),
        form=form,
        reply_to=reply_to,
        signed_in=signed_in,
        csrf_token=csrf_token,
    )


_CLOSED = '\n  <p class="comments__closed">Comments are closed.</p>\n'
_SURGE = '<p class="comments__surge" role="status">{}</p>'
_WAIT = (
    '<p class="comments__wait">Comments waiting for moderation are usually decided within {}.</p>'
)


def section_html(request, article, thread=None, form=None, csrf_token=None, marked=True):
    """The article page's comments section inside `<section id="comments">` (what the
    `comments/_comments.html` template made, byte for byte): the thread, then the
    notices and the form, or that comments are closed. `thread`: a page of comments past
    the first (`CommentPageView`), else the reader's first page; `form`: a posted form
    shown again with its errors; `marked`: the section's marks (`comments.section`), on an
    article's first page of comments only. One function, no template: the notices and
    the form are read once, straight into the markup."""
    thread = thread or thread_for(request, article)
    closed = thread.closed
    reply_to = None
    if closed:
        middle = _CLOSED
    else:
        if form is None:
            initial = reader_initial(request)
            # Reply without JavaScript: ?replytocom=<id> puts the form under that comment.
            replytocom = parse_id(request.GET.get("replytocom", ""))
            candidate = thread.find(replytocom) if replytocom else None
            if candidate is not None and candidate.can_reply:
                reply_to = candidate
                initial["parent"] = candidate.pk
            html = form_html(request, article, None, reply_to, csrf_token, initial=initial)
        else:
            if form["parent"].value():
                reply_to = thread.find(form["parent"].value())
            html = form_html(request, article, form, reply_to, csrf_token)
        policy = thread.policy
        # Mirrored on the policy by every switch (`comments.surges`): no query.
        surge = _SURGE.format(escape(surges.NOTICE)) if policy.in_surge(article.pk) else ""
        # Stored on the policy by the `typical_wait` job: no query either.
        wait = waiting.said(policy)
        wait = _WAIT.format(escape(wait)) if wait else ""
        if not reply_to:
            # The form's place in the page, marked so that a reader with cookies gets the
            # shared page with their own form (`comments.personal`).
            mark = personal.mark(article)
            html = f"{mark['start']}{html}{mark['end']}"
        middle = f"\n  {surge}\n  {wait}\n  {html}\n"
    # The section's place in the page, marked so that an approval re-renders only this
    # section (`comments.section`).
    start, end = section.mark(article).values() if marked else ("", "")
    # The thread is cached under the article's comments version (`Thread.fragment`),
    # unless it shows this reader's own pending comments.
    return SafeString(f"{start}\n{thread.fragment()}\n{middle}\n{end}\n")


@register.simple_tag(takes_context=True)
def comments_for(context, article):
    """`{% comments_for article %}` in `comments/section.html`: `section_html` for the
    page's request, with its thread and posted form if it has them."""
    return section_html(
        context["request"],
        article,
        thread=context.get("comment_thread"),
        form=context.get("comment_form"),
        csrf_token=context.get("csrf_token"),
        marked="comment_thread" not in context,
    )


@register.simple_tag
def comment_feed_url(article):
    """The URL of `article`'s comment feed (`comments.feeds`)."""
    from comments.feeds import feed_path

    return feed_path(article.get_absolute_url())


@register.filter
def safe_website(value):
    """The author's website if it is an http(s) address, else "" (never a script URL)."""
    return text.safe_href(value) or ""
