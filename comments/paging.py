"""Long threads in pages: which page of an article's comments holds which comment.

A page holds `ModerationPolicy.comments_per_page` top-level threads, each with all its
replies (a thread is never split), oldest or newest thread first (`comment_order`;
replies always read oldest first). Page 1 is the article's own URL; page n > 1 is
`<article URL>comments/<n>/`, a page of its own, as shareable and cacheable as the
article (`comments.views.CommentPageView`).

A top-level thread is what the page shows at the top level (`build_thread` in
`comments.templatetags.comments_tags`): an approved comment with no parent, or whose
parent is not shown (no longer approved). The same rule decides here where a comment
lands, so a `#comment-N` link (`Comment.get_absolute_url`, the feeds, the admin, the
mail, the redirect after posting) always points at the page that shows it.
"""

import functools

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone

OLDEST, NEWEST = "oldest", "newest"


def page_path(article_url, number):
    """The URL of page `number` of the comments of the article at `article_url`."""
    return article_url if number == 1 else f"{article_url}comments/{number}/"


def in_order(roots, order):
    """The top-level threads (oldest first, as `build_thread` returns them) in the policy's
    order."""
    return roots[::-1] if order == NEWEST else list(roots)


def paginator(roots, policy):
    """A Django paginator over the top-level threads (oldest first) in `policy`'s order:
    page 1 always exists, even with no comment at all."""
    return Paginator(in_order(roots, policy.comment_order), policy.comments_per_page)


def page_numbers(rows, policy):
    """{pk: page number} for every comment of one article's thread, from `rows` of
    (pk, parent_id, created_at), the comments shown (approved, plus any comment to place
    as if it were shown)."""
    rows = sorted(rows, key=lambda row: (row[2], row[0]))  # thread order: oldest first
    parents = {pk: parent for pk, parent, _at in rows}
    roots = [pk for pk, parent, _at in rows if parent not in parents]
    per_page = policy.comments_per_page
    page_of_root = {
        pk: i // per_page + 1 for i, pk in enumerate(in_order(roots, policy.comment_order))
    }
    pages = {}
    for pk in parents:
        root, steps = pk, 0
        while parents[root] in parents and steps <= len(parents):  # steps: never a loop
            root, steps = parents[root], steps + 1
        pages[pk] = page_of_root.get(root, 1)
    return pages


def _shown_rows(article_ids):
    from comments.models import Comment

    return (
        Comment.objects.approved()
        .filter(article_id__in=article_ids)
        .order_by()
        .values_list("article_id", "pk", "parent_id", "created_at")
    )


def comment_urls(comments, policy=None):
    """{pk: URL of the page showing it + "#comment-<pk>"} for `comments` (with their
    articles and categories loaded), in one query whatever their number. A comment that
    is not approved is placed where it would show if it were (e.g. a pending one)."""
    from comments import policy as policies

    comments = list(comments)
    if not comments:
        return {}
    policy = policy or policies.current()
    rows = {}
    for article_id, pk, parent_id, created_at in _shown_rows({c.article_id for c in comments}):
        rows.setdefault(article_id, {})[pk] = (pk, parent_id, created_at)
    urls, computed = {}, {}
    for comment in comments:
        shown = rows.get(comment.article_id, {})
        if comment.pk in shown:  # shown already: one computation per article
            if comment.article_id not in computed:
                computed[comment.article_id] = page_numbers(shown.values(), policy)
            number = computed[comment.article_id][comment.pk]
        else:
            place = (comment.pk, comment.parent_id, comment.created_at)
            number = page_numbers([*shown.values(), place], policy)[comment.pk]
        article_url = comment.article.get_absolute_url()
        urls[comment.pk] = f"{page_path(article_url, number)}#comment-{comment.pk}"
    return urls


def comment_url(comment, policy=None):
    """The URL that shows `comment`: its page and its anchor."""
    return comment_urls([comment], policy)[comment.pk]


# How many top-level threads an article's page shows that started by now: approved
# comments whose parent is not an approved comment of the same article (on a published
# article, shown = approved; the page holds the article's comments only). SQL, as a
# subquery of the article's own query: the ORM's Subquery cost ~1,200 Python calls to
# build and resolve on every comment POST, several times running it. The parent is looked
# for among the article's approved comments: joined on its id alone, PostgreSQL hashed
# every comment of every article to find the parents (12 ms at 36,000 comments).
_THREADS = (
    "(SELECT COUNT(*) FROM {comment} AS c LEFT JOIN {comment} AS p ON p.id = c.parent_id"
    " AND p.article_id = c.article_id AND p.status = %s"
    " WHERE c.article_id = {article}.id AND c.status = %s AND c.created_at <= %s"
    " AND p.id IS NULL)"
)


def with_thread_count(articles, now=None):
    """`articles` (published ones) annotated with `shown_threads`: how many top-level
    threads their comments show that started by `now`. A comment posted now starts the
    newest thread, so this places it (`new_comment_url`) without reading the rows."""
    from comments.models import Comment

    sql = _THREADS.format(comment=Comment._meta.db_table, article=articles.model._meta.db_table)
    approved = Comment.Status.APPROVED.value
    when = connections[articles.db].ops.adapt_datetimefield_value(now or timezone.now())
    return articles.annotate(
        shown_threads=RawSQL(sql, (approved, approved, when), output_field=IntegerField())
    )


def _post_article(slug, now):
    from articles.models import Article

    published = Article.objects.published(now).select_related("category").filter(slug=slug)
    return with_thread_count(published, now)


@functools.cache
def _post_article_query():
    from articles.prepared import Prepared

    return Prepared(_post_article, slug="", now=timezone.now())


def article_for_post(slug, now=None):
    """The published article `slug` with its category and `shown_threads`
    (`with_thread_count`), or None: the comment POST's first question, in one query whose
    SQL the ORM writes once per process (`articles.prepared`: building it cost ~1,100
    Python calls, a sixth of the POST)."""
    found = _post_article_query().objects(slug=slug, now=now or timezone.now())
    return found[0] if found else None


def new_comment_url(comment, policy):
    """`comment_url` of a comment just posted, its article loaded by `with_thread_count`:
    a new thread is the newest (page 1 newest first, the page after the last full one
    oldest first), no query; a reply goes where its thread is (`comment_url`)."""
    threads = getattr(comment.article, "shown_threads", None)
    if comment.parent_id is not None or threads is None:
        return comment_url(comment, policy)
    number = 1 if policy.comment_order == NEWEST else threads // policy.comments_per_page + 1
    return f"{page_path(comment.article.get_absolute_url(), number)}#comment-{comment.pk}"
