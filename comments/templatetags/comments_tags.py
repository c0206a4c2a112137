"""The article page's comments: the approved thread (one query) and the form."""

from django import template
from django.urls import reverse
from django.utils.functional import cached_property

from articles import caching
from articles.params import parse_id
from articles.people import display_name
from comments import policy as policies
from comments import text
from comments.forms import CommentForm
from comments.models import Comment
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


class Thread:
    """An article's thread as the template sees it, queried only when it is rendered: a
    cached fragment (keyed on `version`) costs no query.

    With a preview (the reader's own pending comments) the thread is that reader's alone,
    so it is never cached (`cacheable` is False).
    """

    def __init__(self, article, preview, depth):
        self.article, self.preview, self.depth = article, preview, depth
        self.cacheable = not preview
        self.version = caching.comments_version(article.pk)["token"] if self.cacheable else ""

    @cached_property
    def comments(self):
        return list(Comment.objects.for_article_page(self.article, self.preview))

    @cached_property
    def roots(self):
        return build_thread(self.comments, self.depth)

    @cached_property
    def count(self):
        return sum(c.status == Comment.Status.APPROVED for c in self.comments)

    def find(self, pk):
        self.roots  # noqa: B018 (sets can_reply on each comment)
        return next((c for c in self.comments if str(c.pk) == str(pk)), None)


@register.inclusion_tag("comments/_comments.html", takes_context=True)
def comments_for(context, article):
    request = context["request"]
    policy = policies.current()
    thread = Thread(article, preview_keys(request), policy.thread_depth)
    closed = policies.is_closed(article, policy)

    form = context.get("comment_form")
    reply_to = None
    if form is None and not closed:
        initial = author_initial(request)
        user = request.user
        if user.is_authenticated:
            initial.setdefault("name", display_name(user))
            initial.setdefault("email", user.email)
        # Reply without JavaScript: ?replytocom=<id> puts the form under that comment.
        replytocom = parse_id(request.GET.get("replytocom", ""))
        candidate = thread.find(replytocom) if replytocom else None
        if candidate is not None and candidate.can_reply:
            reply_to = candidate
            initial["parent"] = candidate.pk
        form = CommentForm(article=article, initial=initial)
    elif form is not None and form["parent"].value():
        reply_to = thread.find(form["parent"].value())

    return {
        "article": article,
        "post_url": reverse(
            "comments:post", kwargs={"path": f"{article.category.path}/{article.slug}"}
        ),
        "thread": thread,
        "closed": closed,
        "form": form,
        "reply_to": reply_to,
        "signed_in": request.user.is_authenticated,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def safe_website(value):
    """The author's website if it is an http(s) address, else "" (never a script URL)."""
    return text.safe_href(value) or ""
