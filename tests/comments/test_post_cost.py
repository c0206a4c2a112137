"""What a comment POST costs the database, and that its cheaper parts answer as the
general ones do: the thread count that places a new thread (`paging.new_comment_url`)
against the rows `paging.comment_url` reads, and the block and ban look-up."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import blocks, paging
from comments import policy as policies
from comments.models import Block, Comment, Commenter

T0 = timezone.now() - timedelta(days=1)


# A queue that keeps its jobs (a worker's work is not the request's).
KEEP_JOBS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _post_queries(post, **fields):
    """The queries of a POST after a first one (the policy read and cached, the day's row
    of counts made)."""
    with override_settings(TASKS=KEEP_JOBS):
        assert post().status_code == 302
    with override_settings(TASKS=KEEP_JOBS), CaptureQueriesContext(connection) as queries:
        response = post(**fields)
    assert response.status_code == 302, response.status_code
    # Less the policy's read: a cache hit with the site's shared cache (not the tests').
    # The transaction's own statements are counted apart (`_transaction`).
    return [
        q["sql"]
        for q in queries
        if '"comments_moderationpolicy"' not in q["sql"] and not _transaction(q["sql"])
    ]


def _transaction(sql):
    return sql.split(" ", 1)[0].upper() in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")


def test_the_comment_and_its_count_are_written_in_one_transaction(db, post, set_policy):
    """One write transaction: its BEGIN (a savepoint here, inside the test's transaction)
    before the insert, its end after the day's count."""
    set_policy(flood_interval=0, surge_automatic=False)
    with override_settings(TASKS=KEEP_JOBS):
        assert post().status_code == 302
    with override_settings(TASKS=KEEP_JOBS), CaptureQueriesContext(connection) as queries:
        assert post().status_code == 302
    sql = [q["sql"] for q in queries if '"comments_moderationpolicy"' not in q["sql"]]
    start = next(n for n, q in enumerate(sql) if q.startswith('INSERT INTO "comments_comment"'))
    assert _transaction(sql[start - 1]) and sql[start + 1].startswith(
        "UPDATE comments_moderationday"
    )
    assert _transaction(sql[start + 2])
    assert [q for q in sql if _transaction(q)] == [sql[start - 1], sql[start + 2]]


def test_a_comment_post_is_five_queries(db, post, set_policy):
    """The article (with its thread count), the duplicate check, the insert, the day's
    count, blocks and bans. (Six before: the redirect read the article's shown comments.)"""
    set_policy(flood_interval=0, surge_automatic=False)  # as the bench: no flood, no surge
    sql = _post_queries(post)
    assert len(sql) == 5, "\n".join(sql)
    assert 'FROM "articles_article" INNER JOIN' in sql[0] and "COUNT(*)" in sql[0]
    assert sql[2].startswith('INSERT INTO "comments_comment"')


def test_with_flood_control_a_comment_post_is_six_queries(db, post, set_policy):
    set_policy(flood_interval=15, surge_automatic=False)
    assert len(_post_queries(post)) == 6


@pytest.fixture
def paged(set_policy):
    return lambda per_page=3, order="oldest": set_policy(
        comments_per_page=per_page, comment_order=order
    )


def _new_thread_location(post, body):
    response = post(comment=body)
    assert response.status_code == 302
    comment = Comment.objects.get(body=body)
    return response["Location"], comment


@pytest.mark.parametrize("order", ["oldest", "newest"])
@pytest.mark.parametrize("threads", [0, 2, 3, 4, 6, 7])
def test_a_new_thread_lands_where_the_rows_place_it(db, post, make_comment, paged, order, threads):
    paged(per_page=3, order=order)
    roots = [make_comment(created_at=T0 + timedelta(minutes=n)) for n in range(threads)]
    for root in roots[:2]:  # replies are not threads
        make_comment(parent=root, created_at=T0 + timedelta(hours=1))
    location, comment = _new_thread_location(post, f"A new thread after {threads}.")
    assert location == paging.comment_url(comment, policies.current())
    expected = 1 if order == "newest" else threads // 3 + 1
    assert location.endswith(f"#comment-{comment.pk}")
    assert location == (
        paging.page_path(comment.article.get_absolute_url(), expected) + f"#comment-{comment.pk}"
    )


def test_a_thread_count_leaves_out_what_is_not_shown_and_what_starts_later(
    db, article, post, make_comment, paged
):
    """Not shown: pending, spam and trash comments. A reply whose parent is no longer
    shown starts a thread of its own (as on the page); a thread dated later than now (an
    import) comes after the new one."""
    paged(per_page=2)
    shown = [make_comment(created_at=T0 + timedelta(minutes=n)) for n in range(3)]
    hidden = make_comment(status=Comment.Status.PENDING, created_at=T0)
    make_comment(parent=hidden, created_at=T0 + timedelta(minutes=9))  # a thread: 4 now
    for status in (Comment.Status.SPAM, Comment.Status.TRASH):
        make_comment(status=status, created_at=T0)
    make_comment(created_at=timezone.now() + timedelta(days=1))  # later than the new one
    counted = paging.with_thread_count(type(article).objects.filter(pk=article.pk)).get()
    assert counted.shown_threads == 4
    location, comment = _new_thread_location(post, "After four threads.")
    assert location == paging.comment_url(comment, policies.current())
    assert f"/comments/3/#comment-{comment.pk}" in location
    assert shown  # (the three top-level ones above)


def test_a_reply_still_goes_through_the_rows(db, post, make_comment, paged):
    paged(per_page=1)
    first, second = (make_comment(created_at=T0 + timedelta(minutes=n)) for n in range(2))
    response = post(parent=str(first.pk), comment="A reply to the first thread.")
    reply = Comment.objects.get(body="A reply to the first thread.")
    assert response["Location"] == paging.comment_url(reply, policies.current())
    assert response["Location"] == f"{first.article.get_absolute_url()}#comment-{reply.pk}"
    assert second


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip", "expected"),
    [
        ("email", "troll@example.com", "Troll@Example.com", "192.0.2.9", "email"),
        ("domain", "example.net", "a@mail.example.net", "192.0.2.9", "domain"),
        ("network", "203.0.113.0/24", "a@example.org", "203.0.113.77", "network"),
        ("network", "2001:db8::/32", "a@example.org", "2001:db8::5", "network"),
        ("network", "203.0.113.0/24", "a@example.org", "203.0.114.1", None),
        ("domain", "example.net", "a@example.network", "192.0.2.9", None),
    ],
)
def test_rule_for_matches_as_the_blocks_say(db, make_comment, kind, value, email, ip, expected):
    stored, first, last = blocks.normalised(kind, value)
    Block.objects.create(kind=kind, value=stored, first=first, last=last, reason="r")
    expired = (
        ("domain", email.lower().rpartition("@")[2])
        if kind == "email"
        else ("email", email.lower())
    )
    Block.objects.create(  # expired: never matches
        kind=expired[0], value=expired[1], reason="old", expires_at=timezone.now()
    )
    comment = make_comment(author_email=email, user_ip=ip, status=Comment.Status.PENDING)
    rule = blocks.rule_for(comment)
    assert (rule and rule.kind) == expected
    if rule:
        assert (rule.value, rule.reason, rule.actor) == (stored, "r", "block")


def test_rule_for_finds_a_ban_by_the_lower_cased_address(db, make_comment):
    Commenter.objects.create(email="loud@example.com", level="banned", reason="abuse")
    comment = make_comment(author_email=" Loud@Example.COM", status=Comment.Status.PENDING)
    rule = blocks.rule_for(comment)
    assert (rule.kind, rule.value, rule.reason, rule.code) == (
        "ban",
        "loud@example.com",
        "abuse",
        rule.code,
    )
    assert rule.actor == "ban" and rule.params == {"reason": "abuse"}
    assert blocks.rule_for(make_comment(author_email="", user_ip=None)) is None


# The POST's questions written as SQL answer as the ORM's querysets they stand for.


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_the_posts_article_is_the_published_one_as_the_orm_reads_it(
    db, article, make_article, make_comment
):
    from articles.models import Article

    Article.objects.filter(pk=article.pk).update(  # JSON, a boolean, one more date
        renditions={"source": "a.jpg", "items": []},
        comments_open=False,
        unpublish_at=timezone.now() + timedelta(days=3),
    )
    for n in range(3):
        make_comment(created_at=T0 + timedelta(minutes=n))
    orm = paging.with_thread_count(Article.objects.published().select_related("category"))
    expected = orm.get(slug=article.slug)
    found = paging.article_for_post(article.slug)
    assert _fields(found) == _fields(expected)
    assert _fields(found.category) == _fields(expected.category)
    assert found.shown_threads == expected.shown_threads == 3
    assert found.get_absolute_url() == expected.get_absolute_url()
    later = timezone.now() + timedelta(days=1)
    assert paging.article_for_post(article.slug, now=later).shown_threads == 3
    hidden = [
        make_article(status=Article.Status.DRAFT),
        make_article(published_at=timezone.now() + timedelta(hours=1)),
        make_article(unpublish_at=timezone.now() - timedelta(minutes=1)),
    ]
    for other in hidden:
        assert not orm.filter(slug=other.slug).exists()
        assert paging.article_for_post(other.slug) is None
    assert paging.article_for_post("no-such-article") is None


@pytest.mark.parametrize(
    ("name", "email", "where", "status", "expected"),
    [
        ("Ada", "ada@example.com", "same", "approved", True),
        ("Ada", "other@example.com", "same", "pending", True),  # the same name
        ("Someone", "ADA@Example.com", "same", "spam", True),  # the address in any case
        ("Someone", "other@example.com", "same", "approved", False),
        ("Ada", "ada@example.com", "same", "trash", False),  # trash does not count
        ("Ada", "ada@example.com", "reply", "approved", False),  # another place
        ("Ada", "ada@example.com", "other article", "approved", False),
    ],
)
def test_the_duplicate_check_answers_as_duplicates_of(
    db, article, make_article, make_comment, name, email, where, status, expected
):
    parent = make_comment()
    stored = make_comment(
        author_name=name,
        author_email=email,
        body="Same words.",
        status=status,
        parent=parent if where == "reply" else None,
        article=make_article() if where == "other article" else article,
    )
    for parent_id in (None, parent.pk):
        posted = Comment(
            article=article,
            parent_id=parent_id,
            author_name="Ada",
            author_email="ada@example.com",
            body="Same words.",
        )
        orm = Comment.objects.duplicates_of(posted).exists()
        sql = Comment.objects.has_duplicate(
            article_id=article.pk,
            parent_id=parent_id,
            author_name="Ada",
            author_email="ada@example.com",
            body="Same words.",
        )
        assert sql == orm
        if parent_id is None:
            assert sql == expected
    assert stored


def test_the_days_received_count_is_made_then_added_to(db, article, make_comment):
    from comments import stats
    from comments.models import ModerationDay

    comments = [make_comment(status=Comment.Status.PENDING) for _ in range(3)]
    for comment in comments:
        stats.received(comment)
    day = timezone.localdate(comments[0].created_at)
    [row] = ModerationDay.objects.filter(day=day)
    assert (row.section, row.received) == (stats.section_of(article.category.path), 3)


# A busy article: the POST's questions about the article's comments read one author's or
# the last minutes' comments from an index, not the article's thousands.

BUSY = 3000


@pytest.fixture
def busy_article(article):
    """`article` with BUSY comments from other authors (approved, pending and spam, older
    than any window), and the planner's statistics taken."""
    statuses = [Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM]
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Crowd {n % 500}",
            author_email=f"crowd{n}@example.com",
            body=f"Crowd comment {n}.",
            status=statuses[n % 3],
            user_ip="192.0.2.50",
            created_at=T0 - timedelta(minutes=n),
        )
        for n in range(BUSY)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return article


def _plan(sql, params=()):
    """The plan of `sql`: PostgreSQL's EXPLAIN with sequential scans off (a small test
    table would be read whole anyway), SQLite's EXPLAIN QUERY PLAN."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _last_query(call):
    with CaptureQueriesContext(connection) as queries:
        answer = call()
    (query,) = queries.captured_queries
    return answer, query["sql"]


def test_the_duplicate_check_reads_the_authors_comments_not_the_articles(
    busy_article, make_comment
):
    """Answered from `comment_dup_name_idx` (the article and the name) or the flood
    index (the address in any case): as many rows as the author wrote, not BUSY."""
    said = make_comment(author_name="Crowd 7", author_email="ada@example.com", body="Again.")
    ask = dict(article_id=busy_article.pk, parent_id=None, author_name="Crowd 7")
    check = Comment.objects.has_duplicate
    assert check(**ask, author_email="other@example.com", body="Again.")  # by name
    assert check(**{**ask, "author_name": "Ada"}, author_email="ADA@example.com", body="Again.")
    assert not check(**ask, author_email="other@example.com", body="Something new.")
    found, sql = _last_query(lambda: check(**ask, author_email="a@example.com", body="Again."))
    assert found
    plan = _plan(sql)
    assert "comment_dup_name_idx" in plan and "comment_flood_email_idx" in plan, plan
    assert "comment_public_idx" not in plan and "article_id_" not in plan, plan
    if connection.vendor == "sqlite":
        assert "MULTI-INDEX OR" in plan, plan
    else:
        assert "BitmapOr" in plan, plan
    assert said


def test_the_surge_numbers_count_from_their_indexes(busy_article, make_comment, set_policy):
    """The pending comments from `comment_public_idx`, the last minutes' from
    `comment_article_recent_idx`: the two counts as before, each of the comments counted."""
    from comments import surges

    policy = set_policy(surge_posts_minutes=10)
    now = timezone.now()
    for minutes, status in [(1, "pending"), (2, "approved"), (3, "spam"), (30, "approved")]:
        make_comment(status=status, created_at=now - timedelta(minutes=minutes))
    numbers, sql = _last_query(lambda: surges.busy_numbers(busy_article.pk, policy, now))
    pending = Comment.objects.filter(article=busy_article, status="pending").count()
    assert numbers == (pending, 2)  # recent and not spam: the pending one and the approved
    assert pending == BUSY // 3 + 1
    plan = _plan(sql.replace("%", "%%"))
    if connection.vendor == "sqlite":  # each count from its index alone, no table row
        assert "COVERING INDEX comment_public_idx (article_id=? AND status=?)" in plan, plan
        assert "COVERING INDEX comment_article_recent_idx (article_id=? AND created_at>?)" in plan
    else:
        # The last minutes by time, never the article's whole range. (The pending count may
        # read the article's entries when, as here, a third of them are pending: PostgreSQL
        # weighs that against comment_public_idx by its statistics, either way once.)
        recent = plan[plan.index("InitPlan 2") :]
        assert "comment_article_recent_idx" in recent, plan
        assert f"Index Cond: (article_id = {busy_article.pk})" not in recent, plan
        assert "Seq Scan" not in plan, plan


def test_a_reply_to_a_comment_of_another_article_starts_a_thread(
    db, article, make_article, make_comment, paged
):
    """The page holds the article's comments only: a reply whose parent is elsewhere (an
    import) is a top-level thread there, so the thread count counts it as one."""
    paged(per_page=2)
    elsewhere = make_comment(article=make_article(), created_at=T0)
    make_comment(created_at=T0 + timedelta(minutes=1))
    make_comment(parent=elsewhere, created_at=T0 + timedelta(minutes=2))
    counted = paging.with_thread_count(type(article).objects.filter(pk=article.pk)).get()
    assert counted.shown_threads == 2
    comment = make_comment(status=Comment.Status.PENDING, created_at=timezone.now())
    assert paging.comment_url(comment).endswith(f"/comments/2/#comment-{comment.pk}")
