"""Controls per commenter: blocks, trust levels, bans, the commenter page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import blocks, commenters, controls, privacy
from comments import policy as policies
from comments.admin.commenters import BlockForm, commenter_url
from comments.models import Block, Comment, Commenter, CommentEvent, Subscriber
from comments.pipeline import file_comment
from comments.reasons import Reason

S = Comment.Status
L = Commenter.Level


def block(kind, value, reason="test", **fields):
    stored, first, last = blocks.normalised(kind, value)
    return Block.objects.create(
        kind=kind, value=stored, first=first, last=last, reason=reason, **fields
    )


# -- blocks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        ("email", "Troll@Example.com", "troll@example.COM", "198.51.100.7"),
        ("domain", "example.net", "someone@mail.example.net", "198.51.100.7"),
        ("network", "203.0.113.0/24", "a@example.org", "203.0.113.200"),
        ("network", "203.0.113.9", "a@example.org", "203.0.113.9"),
        ("network", "2001:db8::/32", "a@example.org", "2001:db8:1::5"),
    ],
)
def test_a_blocked_post_is_stored_as_spam_by_rule_and_looks_pending(
    client, post, article, kind, value, email, ip
):
    block(kind, value, reason="abuse")
    response = post(email=email, ip=ip, comment="Blocked words, kept.")
    comment = Comment.objects.get()
    assert comment.body == "Blocked words, kept."  # never lost
    assert (comment.status, comment.held_reason) == (S.SPAM, Reason.BLOCKED)
    assert comment.held_params["kind"] == kind
    assert "blocked" in comment.held_because and "(abuse)" in comment.held_because
    assert comment.history.get().actor_label == "block"
    # The reader sees what anyone sees: their comment, awaiting moderation.
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(article.get_absolute_url())
    assert "Your comment is awaiting moderation." in page.content.decode()
    # Nobody else sees it.
    from django.test import Client

    assert "Blocked words, kept." not in Client().get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        ("email", "troll@example.com", "troll2@example.com", "198.51.100.7"),
        ("domain", "example.net", "someone@example.network", "198.51.100.7"),
        ("domain", "mail.example.net", "someone@example.net", "198.51.100.7"),
        ("network", "203.0.113.0/24", "a@example.org", "203.0.114.1"),
        ("network", "2001:db8::/32", "a@example.org", "203.0.113.1"),
    ],
)
def test_what_a_block_does_not_cover_goes_through(db, make_comment, kind, value, email, ip):
    block(kind, value)
    comment = make_comment(status=S.PENDING, author_email=email, user_ip=ip)
    assert blocks.rule_for(comment) is None


def test_an_expired_block_no_longer_applies(db, make_comment):
    block("email", "x@example.com", expires_at=timezone.now() - timedelta(minutes=1))
    block("domain", "example.org", expires_at=timezone.now() + timedelta(days=1))
    assert blocks.rule_for(make_comment(author_email="x@example.com")) is None
    assert blocks.rule_for(make_comment(author_email="y@example.org")).value == "example.org"


def test_checking_blocks_and_bans_is_one_query(db, make_comment):
    for n in range(20):
        block("network", f"10.{n}.0.0/16")
        block("domain", f"spam{n}.example")
    Commenter.objects.create(email="b@example.com", level=L.BANNED, reason="threats")
    comment = make_comment(author_email="B@example.com", user_ip="10.3.4.5")
    with CaptureQueriesContext(connection) as queries:
        rule = blocks.rule_for(comment)
    assert len(queries) == 1
    assert rule.kind in ("ban", "network")


def test_the_post_path_asks_about_blocks_once(db, post):
    block("domain", "elsewhere.example")
    with CaptureQueriesContext(connection) as queries:
        post(email="fine@example.com")
    asked = [q for q in queries if "comments_block" in q["sql"]]
    assert len(asked) == 1
    assert Comment.objects.get().status == S.PENDING  # not blocked: checked as usual


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("network", "203.0.113.0/33", "Not an IP address or network"),
        ("network", "203.0.113.5/24", "the network is 203.0.113.0/24"),
        ("network", "example.com", "Not an IP address or network"),
        ("domain", "example", "Not an e-mail domain"),
        ("domain", "exa mple.com", "Not an e-mail domain"),
        ("domain", "-bad.example.com", "Not an e-mail domain"),
        ("email", "nobody", "Not an e-mail address"),
    ],
)
def test_the_block_form_refuses_malformed_values_clearly(db, kind, value, error):
    form = BlockForm({"kind": kind, "value": value, "reason": "abuse"})
    assert not form.is_valid()
    assert error in " ".join(form.errors["value"])


def test_blocks_are_set_in_the_admin_by_a_moderator_with_who_and_why(maria_client, maria):
    url = reverse("admin:comments_block_add")
    bad = maria_client.post(url, {"kind": "network", "value": "198.51.100.0/99", "reason": "x"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Not an IP address or network" in body
    assert 'value="198.51.100.0/99"' in body  # what was typed is kept
    ok = maria_client.post(url, {"kind": "domain", "value": "@Spam.Example", "reason": "bots"})
    assert ok.status_code == 302
    saved = Block.objects.get()
    assert (saved.value, saved.reason, saved.set_by) == ("spam.example", "bots", maria)
    again = maria_client.post(url, {"kind": "domain", "value": "spam.example", "reason": "y"})
    assert "is blocked already" in again.content.decode()
    listing = maria_client.get(reverse("admin:comments_block_changelist"))
    assert "spam.example" in listing.content.decode()


# -- trust levels -------------------------------------------------------------------------


@pytest.fixture
def open_policy(db):
    """No manual approval; known authors approved (WordPress's common setting)."""
    policy = policies.current()
    policy.manual_approval = False
    policy.auto_approve_known_authors = True
    policy.save()
    return policy


def filed(make_comment, verdict="ham", **fields):
    return file_comment(make_comment(status=S.PENDING, verdict=verdict, **fields))


def confirm(email):
    Subscriber.objects.create(email=email.lower(), confirmed_at=timezone.now())


def test_trusted_needs_a_confirmed_address_or_a_signed_in_user(db, make_comment):
    policy = policies.current()  # manual approval on: everyone else waits
    policy.save()
    Commenter.objects.create(email="t@example.com", level=L.TRUSTED)
    typed = filed(make_comment, author_email="T@example.com")
    assert (typed.status, typed.held_reason) == (S.PENDING, Reason.MANUAL_APPROVAL)
    confirm("t@example.com")
    proven = filed(make_comment, author_email="t@example.com")
    assert proven.status == S.APPROVED
    assert proven.history.get().reason == Reason.TRUSTED_COMMENTER
    user = get_user_model().objects.create_user("u", email="u@example.com")
    Commenter.objects.create(email="u@example.com", level=L.TRUSTED)
    assert filed(make_comment, author_email="u@example.com", user=user).status == S.APPROVED


@pytest.mark.parametrize("verdict", ["spam", "discard", "unchecked", "error"])
def test_trust_never_skips_akismet(db, make_comment, verdict):
    Commenter.objects.create(email="t@example.com", level=L.TRUSTED)
    confirm("t@example.com")
    comment = filed(make_comment, verdict=verdict, author_email="t@example.com")
    assert comment.status != S.APPROVED


def test_always_premoderate_and_banned(open_policy, make_comment):
    make_comment(author_name="P", author_email="p@example.com")  # known
    Commenter.objects.create(email="p@example.com", level=L.PREMODERATE)
    held = filed(make_comment, author_name="P", author_email="p@example.com")
    assert (held.status, held.held_reason) == (S.PENDING, Reason.ALWAYS_PREMODERATE)
    Commenter.objects.create(email="b@example.com", level=L.BANNED)
    banned = filed(make_comment, author_email="b@example.com")
    assert (banned.status, banned.held_reason) == (S.SPAM, Reason.BANNED)


def test_known_unconfirmed_is_approved_only_while_the_policy_trusts_unconfirmed(
    open_policy, make_comment
):
    make_comment(author_name="K", author_email="k@example.com")
    assert open_policy.trust_unconfirmed_addresses  # the default, as WordPress
    first = filed(make_comment, author_name="K", author_email="k@example.com")
    assert (first.status, first.history.get().reason) == (S.APPROVED, Reason.KNOWN_AUTHOR)
    open_policy.trust_unconfirmed_addresses = False
    open_policy.save()
    held = filed(make_comment, author_name="K", author_email="k@example.com")
    assert (held.status, held.held_reason) == (S.PENDING, Reason.UNCONFIRMED_ADDRESS)
    confirm("k@example.com")
    assert filed(make_comment, author_name="K", author_email="k@example.com").status == S.APPROVED


def test_hold_first_time_commenters(db, make_comment):
    policy = policies.current()
    policy.manual_approval = False
    policy.hold_first_time_commenters = True
    policy.save()
    first = filed(make_comment, author_name="N", author_email="n@example.com")
    assert (first.status, first.held_reason) == (S.PENDING, Reason.FIRST_COMMENT)
    make_comment(author_name="N", author_email="n@example.com")  # one approved
    assert filed(make_comment, author_name="N", author_email="n@example.com").status == S.APPROVED
    policy.hold_first_time_commenters = False
    policy.save()
    assert filed(make_comment, author_email="new@example.com").status == S.APPROVED


def test_the_policy_admin_shows_the_warning(maria_client):
    page = maria_client.get(reverse("admin:comments_moderationpolicy_change", args=[1]))
    body = page.content.decode()
    assert "trust unconfirmed addresses, as wordpress does" in body.lower()
    assert "anyone can type someone else" in body
    assert "hold first-time commenters" in body.lower()


# -- bans ---------------------------------------------------------------------------------


@pytest.fixture
def queued_tasks(settings):
    """A queue that keeps its jobs (django-tasks' dummy backend) instead of running them in
    the caller: what a request leaves for a worker stays visible, unrun."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def test_a_ban_of_a_long_history_is_done_by_the_queue(
    maria_client, maria, article, queued_tasks, django_assert_max_num_queries
):
    email = "prolific@example.com"
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name="Prolific",
            author_email=email if n % 2 else email.upper(),
            body=f"Comment {n}",
            status=S.APPROVED,
        )
        for n in range(10_000)
    )
    with django_assert_max_num_queries(20):
        response = maria_client.post(
            commenter_url(email),
            {"level": "banned", "reason": "threats", "hide_published": "on"},
        )
    assert response.status_code == 302
    assert Comment.objects.filter(status=S.APPROVED).count() == 10_000  # not in the request
    (job,) = queued_tasks.results
    assert job.task.name == "hide_banned_comments"
    job.task.call(*job.args, **job.kwargs)  # what the worker runs
    assert Comment.objects.filter(status=S.APPROVED).count() == 0
    assert Comment.objects.filter(status=S.TRASH, held_reason=Reason.BANNED).count() == 10_000
    events = CommentEvent.objects.filter(reason=Reason.BANNED, to_status=S.TRASH)
    assert events.count() == 10_000
    assert events.filter(actor=maria).count() == 10_000
    # Retention keeps what a ban hid.
    assert not privacy.expired(timezone.now() + timedelta(days=365)).exists()
    # Lifting the ban shows them again, also through the queue.
    maria_client.post(commenter_url(email), {"level": "", "reason": ""})
    job = queued_tasks.results[-1]
    assert job.task.name == "restore_banned_comments"
    job.task.call(*job.args, **job.kwargs)
    assert Comment.objects.filter(status=S.APPROVED).count() == 10_000
    assert CommentEvent.objects.filter(reason=Reason.BAN_LIFTED).count() == 10_000


def test_a_ban_without_hiding_leaves_published_comments(db, make_comment, maria, run_on_commit):
    make_comment(author_email="b@example.com")
    with run_on_commit():
        controls.set_level("b@example.com", L.BANNED, by=maria, reason="x")
    assert Comment.objects.get().status == S.APPROVED


def test_a_banned_post_is_spam_by_rule(db, post):
    Commenter.objects.create(email="b@example.com", level=L.BANNED, reason="threats")
    response = post(email="B@Example.com")
    comment = Comment.objects.get()
    assert (comment.status, comment.held_reason) == (S.SPAM, Reason.BANNED)
    assert response["Location"].endswith(f"#comment-{comment.pk}")


def test_hiding_stops_if_the_ban_was_lifted_first(db, make_comment, maria):
    make_comment(author_email="b@example.com")
    assert controls.hide_published("b@example.com", maria) == 0
    assert Comment.objects.get().status == S.APPROVED


# -- the commenter page -------------------------------------------------------------------


def test_the_queue_links_to_the_commenter_page(maria_client, make_comment):
    make_comment(status=S.PENDING, author_email="Someone@Example.com")
    page = maria_client.get(reverse("admin:comments_comment_changelist") + "?status=pending")
    assert commenter_url("someone@example.com").replace("&", "&amp;") in page.content.decode()


def test_the_commenter_page(maria_client, make_comment, django_assert_max_num_queries):
    email = "ann@example.com"
    for n in range(55):
        make_comment(author_email=email if n else "ANN@example.com", body=f"Ann says {n}")
    make_comment(author_email=email, status=S.SPAM, body="Ann spams")
    make_comment(author_email="other@example.com", body="Not Ann")
    Subscriber.objects.create(email=email, confirmation_sent_at=timezone.now())
    with django_assert_max_num_queries(13):
        page = maria_client.get(commenter_url(email))
    body = page.content.decode()
    assert page.status_code == 200
    assert "56 in all" in body and "55 approved" in body and "1 spam" in body
    assert '<dd class="person-reports">none</dd>' in body
    assert "Known" in body and "Confirmation asked, not confirmed" in body
    assert "First seen" in body and "Not Ann" not in body
    assert body.count('href="/admin/comments/comment/') >= 50
    assert "Ann spams" in body  # newest first
    second = maria_client.get(commenter_url(email) + "&page=2").content.decode()
    assert "Ann says 0" in second and "Ann spams" not in second


def test_the_commenter_page_is_for_moderators_only(client, make_comment):
    staff = get_user_model().objects.create_user("s", is_staff=True)
    client.force_login(staff)
    assert client.get(commenter_url("a@example.com")).status_code == 403


def test_a_bad_address_on_the_commenter_page_says_so(maria_client):
    response = maria_client.get(commenter_url("not an address"), follow=True)
    assert "not an e-mail address" in response.content.decode()


def test_setting_a_ban_from_the_page_needs_a_reason_and_keeps_what_was_typed(maria_client):
    url = commenter_url("x@example.com")
    response = maria_client.post(url, {"level": "banned", "reason": "", "hide_published": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and "Say why" in body
    assert 'value="banned" selected' in body
    assert not Commenter.objects.exists()
    maria_client.post(url, {"level": "trusted", "reason": "long-time reader"})
    assert Commenter.objects.get().level == L.TRUSTED
    assert "Trusted" in maria_client.get(url).content.decode()


# -- confirming an address from the status page --------------------------------------------


def test_an_author_confirms_their_address_from_the_status_page(
    client, make_comment, mailoutbox, run_on_commit
):
    from comments import authoring, subscriptions

    comment = make_comment(status=S.PENDING, author_email="Me@Example.com")
    url = authoring.status_url(comment.pk, comment.preview_secret)
    assert "Send me a confirmation link" in client.get(url).content.decode()
    with run_on_commit():
        response = client.post(url, {"confirm_address": "1"}, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302 and "address=sent" in response["Location"]
    subscriber = Subscriber.objects.get(email="me@example.com")
    assert not subscriber.subscriptions.exists()  # subscribed to nothing
    assert len(mailoutbox) == 1
    token = subscriptions.confirm_token(subscriber)
    client.post(reverse("comments:confirm", args=[token]))
    assert commenters.address_confirmed("ME@example.com")
    assert "Your address is confirmed." in client.get(url).content.decode()
    forged = client.post(url, {"confirm_address": "1"}, HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403


def test_levels_set_and_removed_in_the_trust_levels_admin(maria_client, maria, make_comment):
    make_comment(author_email="t@example.com", body="Published before the ban")
    add = reverse("admin:comments_commenter_add")
    response = maria_client.post(
        add,
        {"email": "T@Example.com", "level": "banned", "reason": "spam", "hide_published": "on"},
    )
    assert response.status_code == 302
    rec = Commenter.objects.get()
    assert (rec.email, rec.level, rec.set_by) == ("t@example.com", L.BANNED, maria)
    comment = Comment.objects.get()
    assert (comment.status, comment.held_reason) == (S.TRASH, Reason.BANNED)
    listing = maria_client.get(reverse("admin:comments_commenter_changelist")).content.decode()
    assert commenter_url("t@example.com").replace("&", "&amp;") in listing
    maria_client.post(reverse("admin:comments_commenter_delete", args=[rec.pk]), {"post": "yes"})
    assert not Commenter.objects.exists()
    assert Comment.objects.get().status == S.APPROVED  # lifting the ban showed it again


def test_the_commenter_page_counts_the_reports_against_them(maria_client, make_comment):
    from comments.models import Report

    mine = make_comment(author_email="Ann@example.com", body="Ann says something")
    theirs = make_comment(author_email="bo@example.com", body="Bo says something")
    for n, (comment, decision) in enumerate(
        [(mine, ""), (mine, ""), (mine, Report.Decision.REMOVE), (mine, Report.Decision.KEEP)]
        + [(theirs, "")]
    ):
        Report.objects.create(
            comment=comment, ground=Report.Ground.ABUSE, reporter=f"r{n}", decision=decision
        )
    body = maria_client.get(commenter_url("ann@example.com")).content.decode()
    assert "4 from readers: 2 open, 1 led to a removal" in body
