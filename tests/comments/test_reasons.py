"""Reasons are codes with parameters, read as sentences in one place (`comments.reasons`):
the wording people read, rewording that changes nothing else, and the migration that
turned the stored sentences into codes."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comments import notify, reasons
from comments import policy as policies
from comments.models import Comment
from comments.pipeline import file_comment
from comments.reasons import Reason

R = Reason
migration = importlib.import_module("comments.migrations.0008_reason_codes")

# Every code, with parameters, and the sentence people have always read for it.
WORDING = [
    (R.HONEYPOT, {}, "the hidden honeypot field was filled in (a bot)"),
    (R.DISALLOWED_WORD, {"word": "viagra"}, "matched disallowed word 'viagra'"),
    (R.AKISMET_SPAM, {}, "Akismet said spam"),
    (R.AKISMET_DISCARD, {}, "Akismet said blatant spam (discard)"),
    (R.AKISMET_UNREACHABLE, {}, "Akismet unreachable; it will be checked again"),
    (R.NOT_CHECKED_YET, {}, "not checked by Akismet yet"),
    (R.NO_AKISMET_KEY, {}, "not checked: no Akismet key"),
    (
        R.GAVE_UP,
        {"days": 15},
        "Akismet could not check it within 15 days; a moderator decides",
    ),
    (R.POSTED_BY_MODERATOR, {}, "posted by a moderator"),
    (R.LINKS, {"links": 3, "limit": 2}, "3 links, the limit is 2"),
    (R.MODERATION_WORD, {"word": "casino"}, "matched moderation word 'casino'"),
    (
        R.LINKS_AND_WORD,
        {"links": 4, "limit": 2, "word": "casino"},
        "4 links, the limit is 2; matched moderation word 'casino'",
    ),
    (R.MANUAL_APPROVAL, {}, "every comment is approved by a moderator"),
    (R.KNOWN_AUTHOR, {}, "author has a previously approved comment"),
    (R.FIRST_COMMENT, {}, "first comment from this author"),
    (R.APPROVED_TO_REPLY, {}, "approved to reply to it"),
    (R.STAFF_REPLY, {}, "reply from a moderator"),
    (R.AKISMET_SAID, {"verdict": "ham"}, "Akismet said ham"),
    (R.AKISMET_SAID, {"verdict": "discard"}, "Akismet said discard (blatant spam)"),
    (
        R.KEY_REJECTED,
        {"help": "Empty API key"},
        "Akismet rejected the API key or site URL (Empty API key)",
    ),
    (R.KEY_REJECTED, {"help": ""}, "Akismet rejected the API key or site URL"),
    (R.BAD_ANSWER, {}, "Akismet answered something unexpected"),
    (R.TIMED_OUT, {"seconds": 0.3}, "Akismet timed out after 0.3 s"),
    (R.TIMED_OUT, {"seconds": 2}, "Akismet timed out after 2 s"),
    (R.HTTP_ERROR, {"status": 503}, "Akismet answered HTTP 503"),
    (R.CONNECTION_ERROR, {"error": "ConnectError"}, "Akismet unreachable (ConnectError)"),
    (R.AKISMET_ERROR, {"error": "AkismetError"}, "Akismet error (AkismetError)"),
    (R.FEEDBACK_SENT, {"kind": "ham"}, "submit-ham sent to Akismet"),
    (
        R.FEEDBACK_FAILED,
        {"kind": "spam", "error": R.HTTP_ERROR, "error_params": {"status": 500}},
        "submit-spam failed: Akismet answered HTTP 500; will retry",
    ),
    (
        R.FEEDBACK_NOT_SENT,
        {"kind": "spam", "days": 15},
        "submit-spam not sent: the data Akismet checked is no longer stored (deleted after "
        "15 days or erased)",
    ),
    (R.ERASED, {}, "personal data erased at the commenter's request"),
    (
        R.RETENTION,
        {"days": 60},
        "IP address and user agent cleared after 60 days (retention)",
    ),
    (R.OTHER, {"text": "the author asked"}, "the author asked"),
    ("", {}, ""),
]
# Codes added after the sentences became codes (the migration above never met them): a
# moderator's reasons, and an author's edit.
NEWER = [
    (R.OTHER, {"note": "asked by the author"}, "asked by the author"),
    (R.OTHER, {}, "other reason"),
    (R.OFF_TOPIC, {}, "off-topic"),
    (R.ABUSIVE, {"note": "insults"}, "abusive: insults"),
    (R.ADVERTISING, {}, "spam or advertising"),
    (R.PERSONAL_DATA, {"note": "a phone number"}, "contains personal data: a phone number"),
    (R.DUPLICATE, {}, "a duplicate"),
    (R.EDITED, {}, "edited by its author; waiting to be approved again"),
    # Controls per commenter.
    (
        R.BLOCKED,
        {"kind": "domain", "value": "example.net", "reason": "bots"},
        "blocked e-mail domain example.net (bots)",
    ),
    (
        R.BLOCKED,
        {"kind": "network", "value": "203.0.113.0/24", "reason": ""},
        "blocked network 203.0.113.0/24",
    ),
    (R.BANNED, {"reason": "threats"}, "its author is banned (threats)"),
    (R.BAN_LIFTED, {}, "its author's ban was lifted"),
    (R.TRUSTED_COMMENTER, {}, "its author is trusted (confirmed address)"),
    (R.ALWAYS_PREMODERATE, {}, "its author is always premoderated"),
    (
        R.UNCONFIRMED_ADDRESS,
        {},
        "author has an approved comment, but the address is not confirmed",
    ),
    (R.REPORTED, {"reports": 3}, "reported by 3 readers; waiting for a moderator's decision"),
    (R.ILLEGAL, {"note": "defamation"}, "illegal content: defamation"),
    (R.NO_BREACH, {}, "breaks neither the site's rules nor the law"),
]


@pytest.mark.parametrize(("code", "params", "said"), WORDING + NEWER)
def test_each_code_reads_as_it_always_has(code, params, said):
    assert reasons.sentence(code, params) == said


def test_every_code_has_a_sentence():
    assert set(reasons.SENTENCES) == set(Reason)
    assert {code for code, _params, _said in WORDING + NEWER} == {*Reason, ""}


# -- rewording ---------------------------------------------------------------------------


@pytest.fixture
def all_alike(monkeypatch):
    """Every sentence reworded to the same words: now only the codes tell reasons apart."""
    monkeypatch.setattr(reasons, "SENTENCES", dict.fromkeys(Reason, "reworded"))


@pytest.fixture
def open_policy(db):
    policy = policies.current()
    policy.manual_approval = False
    policy.save()
    return policy


LINKS = "See https://example.org/x. "


def test_rewording_changes_nothing_in_how_comments_are_filed(
    all_alike, open_policy, make_comment, settings
):
    """Filing again with the same reason and parameters records nothing; another reason,
    or the same one with other parameters, is recorded, though all read alike."""
    settings.AKISMET_API_KEY = "a-key"
    links = make_comment(status="pending", verdict="ham", body=LINKS * 3)
    file_comment(links)
    assert (links.held_reason, links.held_params) == (R.LINKS, {"links": 3, "limit": 2})
    assert links.held_because == "reworded"
    file_comment(links)
    assert links.history.count() == 1
    Comment.objects.filter(pk=links.pk).update(body=LINKS * 4)
    links.refresh_from_db()
    file_comment(links)
    assert links.held_params == {"links": 4, "limit": 2}
    assert links.history.count() == 2

    waiting = make_comment(status="pending", verdict="error")
    file_comment(waiting)
    file_comment(waiting)  # a re-check that failed again: nothing new
    assert [e.reason for e in waiting.history.all()] == [R.AKISMET_UNREACHABLE]
    Comment.objects.filter(pk=waiting.pk).update(verdict="unchecked")
    waiting.refresh_from_db()
    file_comment(waiting)
    assert [e.reason for e in waiting.history.all()] == [
        R.AKISMET_UNREACHABLE,
        R.NOT_CHECKED_YET,
    ]


NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def test_rewording_changes_nothing_in_giving_up(all_alike, akismet_server, make_comment):
    """The re-check knows a comment it gave up on by its code: once each, never mistaking
    another reason that reads the same for it."""
    old = NOW - timedelta(days=16)
    given_up = make_comment(status="pending", verdict="error", created_at=old)
    held = make_comment(status="pending", verdict="error", created_at=old)
    Comment.objects.filter(pk=held.pk).update(held_reason=R.AKISMET_UNREACHABLE)
    for _ in range(2):
        with time_machine.travel(NOW, tick=False):
            call_command("recheck_comments", verbosity=0)
    for comment in (given_up, held):
        comment.refresh_from_db()
        assert (comment.held_reason, comment.held_params) == (R.GAVE_UP, {"days": 15})
        assert comment.history.filter(reason=R.GAVE_UP).count() == 1
    assert akismet_server.calls("comment-check") == []


def test_a_reworded_sentence_shows_in_the_queue_the_page_and_the_mail(
    monkeypatch, open_policy, maria_client, make_comment
):
    monkeypatch.setitem(reasons.SENTENCES, R.LINKS, "{links} links (at most {limit} go live)")
    comment = make_comment(status="pending", verdict="ham", body=LINKS * 2)
    file_comment(comment)
    said = "2 links (at most 2 go live)"
    assert said in maria_client.get("/admin/comments/comment/").content.decode()
    page = maria_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert f"held: {said}" in page
    notify.send_held_mail(comment.pk)
    assert f"Held because: {said}" in mail.outbox[0].body


# -- the migration -----------------------------------------------------------------------


@pytest.mark.parametrize(("code", "params", "said"), WORDING)
def test_the_migration_reads_every_sentence_back(code, params, said):
    """Each sentence written before codes parses to its code and parameters, and going
    back writes it again, word for word."""
    assert migration.parse(said, check=code == R.AKISMET_SAID) == (code, params)
    assert migration.sentence(code, params) == said


@pytest.mark.parametrize(
    ("said", "check", "code", "params"),
    [
        ("Akismet said spam", True, R.AKISMET_SAID, {"verdict": "spam"}),  # a check entry
        ("Akismet said spam", False, R.AKISMET_SPAM, {}),  # a comment filed as spam
        ("Akismet said blatant spam", False, R.AKISMET_DISCARD, {}),  # the demo's words
        ("looks fine", False, R.OTHER, {"text": "looks fine"}),
        ("2 links", False, R.OTHER, {"text": "2 links"}),
        (
            "submit-ham failed: something new; will retry",
            False,
            R.FEEDBACK_FAILED,
            {"kind": "ham", "error": R.OTHER, "error_params": {"text": "something new"}},
        ),
    ],
)
def test_the_migration_keeps_what_it_cannot_read_as_free_text(said, check, code, params):
    assert migration.parse(said, check=check) == (code, params)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_both_ways(article):
    before = [("comments", "0007_comment_preview_secret")]
    after = [("comments", "0008_reason_codes")]
    held = {
        "3 links, the limit is 2; matched moderation word 'casino'": (
            R.LINKS_AND_WORD,
            {"links": 3, "limit": 2, "word": "casino"},
        ),
        "Akismet could not check it within 15 days; a moderator decides": (
            R.GAVE_UP,
            {"days": 15},
        ),
        "a note a moderator typed": (R.OTHER, {"text": "a note a moderator typed"}),
        "": ("", {}),
    }
    events = {
        ("check", "Akismet said spam"): (R.AKISMET_SAID, {"verdict": "spam"}),
        ("status", "Akismet said spam"): (R.AKISMET_SPAM, {}),
        ("feedback", "submit-ham failed: Akismet answered HTTP 503; will retry"): (
            R.FEEDBACK_FAILED,
            {"kind": "ham", "error": R.HTTP_ERROR, "error_params": {"status": 503}},
        ),
        ("edit", "IP address and user agent cleared after 60 days (retention)"): (
            R.RETENTION,
            {"days": 60},
        ),
        ("status", "looks fine"): (R.OTHER, {"text": "looks fine"}),
    }
    try:
        apps = _migrate(before)
        OldComment = apps.get_model("comments", "Comment")
        OldEvent = apps.get_model("comments", "CommentEvent")
        comments = {}
        for said in held:
            comments[said] = OldComment.objects.create(
                article_id=article.pk,
                author_name="Reader",
                author_email="reader@example.com",
                body="Hello.",
                held_reason=said,
            ).pk
        owner = next(iter(comments.values()))
        made = {
            key: OldEvent.objects.create(comment_id=owner, kind=key[0], reason=key[1]).pk
            for key in events
        }

        apps = _migrate(after)
        NewComment = apps.get_model("comments", "Comment")
        NewEvent = apps.get_model("comments", "CommentEvent")
        for said, expected in held.items():
            row = NewComment.objects.get(pk=comments[said])
            assert (row.held_reason, row.held_params) == expected
        for key, expected in events.items():
            row = NewEvent.objects.get(pk=made[key])
            assert (row.reason, row.reason_params) == expected

        apps = _migrate(before)
        OldComment = apps.get_model("comments", "Comment")
        OldEvent = apps.get_model("comments", "CommentEvent")
        for said in held:
            assert OldComment.objects.get(pk=comments[said]).held_reason == said
        for key in events:
            assert OldEvent.objects.get(pk=made[key]).reason == key[1]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
