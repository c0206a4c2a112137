"""The bench's data (run by bench/run.py with the bench's environment):

2,000 published articles in a three-level tree, one article with 300 approved comments in
threads five deep (and 120 pending "storm" comments a moderator approves during the bench),
one with 3 approved comments, 1,000 pending and spam comments on other articles, flood
interval 0.
Then it renders the 300-comment page once and stores its bytes as the static reference.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.demo import ARTICLES as DEMO_ARTICLES  # noqa: E402
from articles.models import Article, Category  # noqa: E402
from bench.urls import SAME_BYTES  # noqa: E402
from comments.models import Comment, ModerationPolicy  # noqa: E402

ARTICLES = 2000
BUSY, QUIET, SMALL = "generated-1", "generated-2", "generated-3"
STORM_COMMENTS = 120  # pending on BUSY: the storm approves them (bench/moderator.py)


def tree():
    """A third level under every second-level category; generated articles move there."""
    leaves = []
    for parent in Category.objects.filter(depth=1):
        for slug in ("north", "south"):
            child = Category.objects.filter(parent=parent, slug=slug).first()
            leaves.append(
                child or Category.objects.create(name=slug.title(), slug=slug, parent=parent)
            )
    generated = list(Article.objects.filter(slug__startswith="generated-").order_by("pk"))
    for i, article in enumerate(generated):
        article.category = leaves[i % len(leaves)]
    Article.objects.bulk_update(generated, ["category"], batch_size=500)


def comment(article, n, **fields):
    now = timezone.now()
    return Comment(
        article=article,
        author_name=f"Reader {n}",
        author_email=f"reader{n}@example.com",
        body=f"Comment {n}: a considered view on the matter, with a few sentences of text. " * 2,
        user_ip="192.0.2.1",
        created_at=now - timedelta(days=1) + timedelta(seconds=n),  # replies after parents
        **fields,
    )


def comments():
    busy = Article.objects.get(slug=BUSY)
    level = top = Comment.objects.bulk_create(
        [comment(busy, n, status="approved", verdict="ham") for n in range(60)]
    )
    for depth in range(2, 6):  # 60 threads, each a chain of replies five deep
        level = Comment.objects.bulk_create(
            [
                comment(
                    busy, depth * 100 + i, status="approved", verdict="ham", parent=p, depth=depth
                )
                for i, p in enumerate(level)
            ]
        )
    # Storm comments reply to the threads of the page the bench reads (the first: a page
    # holds the policy's 50 top-level threads, oldest first), so an approval shows there.
    first_page = top[: ModerationPolicy._meta.get_field("comments_per_page").default]
    Comment.objects.bulk_create(
        [
            comment(
                busy,
                5000 + n,
                status="pending",
                verdict="ham",
                parent=first_page[n % len(first_page)],
                depth=2,
            )
            for n in range(STORM_COMMENTS)
        ]
    )
    for c in Comment.objects.filter(article=busy, status="pending"):
        c.body = f"Storm comment {c.pk}: approved while readers read."
        c.save(update_fields=["body"])
    small = Article.objects.get(slug=SMALL)
    Comment.objects.bulk_create(
        [comment(small, 9000 + n, status="approved", verdict="ham") for n in range(3)]
    )
    others = list(Article.objects.exclude(slug__in=[BUSY, QUIET, SMALL])[:200])
    Comment.objects.bulk_create(
        [
            comment(others[n % len(others)], 1000 + n, status=status, verdict=verdict)
            for n in range(1000)
            for status, verdict in [(("pending", "ham"), ("spam", "spam"))[n % 2]]
        ],
        batch_size=500,
    )
    policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
    policy.flood_interval = 0
    # The storm posts hundreds of comments on one article: it would switch to surge (a
    # notice, a per-article interval, an alert mail) and measure that instead. No row
    # measures surge; a row that does switches it on for itself.
    policy.surge_automatic = False
    policy.save()


def reference_bytes(host):
    """The 300-comment page as served, stored as the static file and the trivial view's
    body (same bytes for the two references)."""
    busy = Article.objects.get(slug=BUSY)
    response = Client(HTTP_HOST=host).get(busy.get_absolute_url())
    assert response.status_code == 200, response.status_code
    target = Path(str(settings.STATIC_ROOT)) / SAME_BYTES
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(response.content)
    return len(response.content), response.content.count(b'<li id="comment-')


if __name__ == "__main__":
    call_command("seed_demo", articles=ARTICLES - len(DEMO_ARTICLES), verbosity=0)
    missing = ARTICLES - Article.objects.published().count()  # demo drafts, scheduled ones
    generated = Article.objects.filter(slug__startswith="generated-").count()
    call_command("seed_demo", articles=generated + missing, verbosity=0)
    tree()
    comments()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics after the bulk load, as autovacuum would
    size, shown = reference_bytes(sys.argv[1])
    levels = Category.objects.aggregate(m=Max("depth"))["m"] + 1
    print(
        f"{Article.objects.published().count()} articles, "
        f"{Category.objects.count()} categories in {levels} levels, "
        f"{Comment.objects.count()} comments; reference page {size} bytes, "
        f"the busy article's first page showing {shown} of its comments"
    )
