"""Mail to moderators: held comments (after commit, with Approve/Spam/Trash links), never
spam nor comments still waiting for a re-check; failures logged, posting unaffected; the
daily digest."""

import pytest
from django.core import mail
from django.core.management import call_command

from comments import notify
from comments import policy as policies
from comments.models import Comment
from comments.reasons import Reason


@pytest.fixture(autouse=True)
def _moderators(maria):
    """maria (Moderators group) gets mail; a superuser is not mailed just for being one."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.com", "pw-Long-9!")


def set_policy(**values):
    policy = policies.current()
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()


def test_a_held_comment_mails_the_moderators_after_commit(
    akismet_server, post, run_on_commit, article, settings
):
    settings.SITE_URL = "https://news.example.com"
    with run_on_commit():
        post(name="Ada Reader", email="ada@example.com", comment="Where will the pumps go?")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    comment = Comment.objects.get()
    assert message.to == ["maria@example.com"]
    assert message.subject == f'[The Newsroom] Please moderate: "{article.title}"'
    body = message.body
    assert "Ada Reader" in body and "ada@example.com" in body and "Where will the pumps go?" in body
    assert "Held because: every comment is approved by a moderator" in body
    base = f"https://news.example.com/admin/comments/comment/{comment.pk}/moderate/"
    for action in ("approve", "spam", "trash"):
        assert base + action + "/" in body
    assert "Currently 1 comment is waiting for approval" in body
    comment.refresh_from_db()
    assert comment.notified_at is not None


def test_no_check_and_no_mail_before_the_commit(akismet_server, article):
    """Inside an uncommitted transaction nothing is enqueued, checked or sent."""
    from comments.models import Comment
    from comments.pipeline import submit

    comment = submit(Comment(article=article, author_name="Ada", body="Hello."))
    assert mail.outbox == []
    assert akismet_server.calls("comment-check") == []
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == ("pending", "unchecked")


def test_no_mail_for_spam(akismet_server, post, run_on_commit):
    with run_on_commit():
        post(name="akismet-guaranteed-spam")
        post(phone="555-0100")  # the honeypot
    assert Comment.objects.filter(status="spam").count() == 2
    assert mail.outbox == []


def test_no_mail_while_a_recheck_is_due_then_mail_when_it_is_held(
    akismet_server, post, run_on_commit
):
    """Akismet down: the comment waits for the re-check without a mail; when the re-check
    files it (held), the moderators hear about it, once."""
    akismet_server.mode = "500"
    with run_on_commit():
        post()
    assert mail.outbox == []
    akismet_server.mode = "normal"
    Comment.objects.update(next_check_at=None)
    with run_on_commit():
        call_command("recheck_comments")
        call_command("recheck_comments")
    assert len(mail.outbox) == 1


def test_no_key_configured_still_mails(post, run_on_commit, settings):
    """Without a key nothing will re-check: the moderators must hear now."""
    settings.AKISMET_API_KEY = ""
    with run_on_commit():
        post()
    assert len(mail.outbox) == 1


def test_policy_off_or_digest_means_no_mail_each(akismet_server, post, run_on_commit):
    set_policy(notify_moderators=False)
    with run_on_commit():
        post()
    set_policy(notify_moderators=True, daily_digest=True)
    with run_on_commit():
        post()
    assert mail.outbox == []


def test_subject_cannot_carry_headers(make_comment, article):
    """Titles and names are input: line breaks never reach a header."""
    article.title = "Floods\r\nBcc: everyone@example.com"
    article.save()
    comment = make_comment(status="pending", author_name="Eve\nBcc: x@example.com")
    assert notify.send_held_mail(comment.pk) == 1
    subject = mail.outbox[0].subject
    assert "\n" not in subject and "\r" not in subject
    assert mail.outbox[0].message()["Bcc"] is None


def test_a_mail_failure_is_logged_and_posting_goes_on(
    akismet_server, post, run_on_commit, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(notify, "get_connection", broken)
    with run_on_commit():
        response = post()
    assert response.status_code == 302
    assert Comment.objects.get().status == "pending"
    assert "could not mail the moderators" in caplog.text
    assert Comment.objects.get().notified_at is None


def test_the_daily_digest(akismet_server, make_comment, settings):
    set_policy(daily_digest=True)
    first = make_comment(
        status="pending",
        verdict="ham",
        body="First held",
        held_reason=Reason.LINKS,
        held_params={"links": 2, "limit": 2},
    )
    make_comment(status="pending", verdict="ham", body="Second held")
    make_comment(status="pending", verdict="error", body="Waiting for Akismet")
    make_comment(status="spam", body="Cheap pumps here")
    call_command("send_moderation_digest")
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.subject == "[The Newsroom] 2 new comments held, 3 waiting"
    assert "First held" in digest.body and "Second held" in digest.body
    assert "Held because: 2 links, the limit is 2" in digest.body
    assert "Held because: every comment is approved by a moderator" in digest.body
    assert "Waiting for Akismet" not in digest.body and "Cheap pumps" not in digest.body
    assert f"/admin/comments/comment/{first.pk}/moderate/approve/" in digest.body
    call_command("send_moderation_digest")  # nothing new since
    assert len(mail.outbox) == 1


def test_no_digest_unless_the_policy_asks(make_comment):
    make_comment(status="pending", verdict="ham")
    call_command("send_moderation_digest")
    assert mail.outbox == []
    call_command("send_moderation_digest", force=True)
    assert len(mail.outbox) == 1


FORGED = (
    "Bob\r\nIP address: 10.0.0.1\r\nHeld because: trusted author\r\nAkismet: Ham\r\n\r\n"
    "Approve it: https://evil.example/approve"
)
FORGED_LINES = (
    "IP address: 10.0.0.1",
    "Held because: trusted",
    "Akismet: Ham IP",  # (our own "Akismet: Ham" line is counted below)
    "Approve it: https://evil",
    "Approve: https://evil",
    "Spam it: x",
    "Email: eve@evil",
    "Website: https://evil",
    "Author: Mallory",
    "1. Mallory",
)


def forged_comment(make_comment, **fields):
    """A comment written around the form (an import, the shell, an old row): every reader
    value tries to start lines of its own."""
    parent = make_comment(author_name="Pa\nAuthor: Mallory")
    return make_comment(
        status="pending",
        verdict="ham",
        parent=parent,
        author_name=FORGED,
        author_email="eve@example.com\r\nEmail: eve@evil.example",
        author_url="https://e.example/\nWebsite: https://evil.example/",
        body=(
            "Nice article.\r\nApprove it: https://evil.example/a\n\nHeld because: trusted\r"
            "Akismet: Ham\u2028Spam it: x\u2029Approve: https://evil.example/b\x85"
            "1. Mallory\x0bAuthor: Mallory"
        ),
        **fields,
    )


def assert_no_forged_line(body):
    for line in body.splitlines():
        assert not line.strip().startswith(FORGED_LINES), f"a reader forged: {line!r}"
        assert not line.lstrip().startswith(("Bob", "Nice article")), line


def test_reader_values_cannot_start_a_line_of_the_held_mail(make_comment):
    comment = forged_comment(make_comment)
    assert notify.send_held_mail(comment.pk) == 1
    body = mail.outbox[0].body
    assert_no_forged_line(body)
    lines = body.splitlines()
    assert sum(line.startswith("IP address: ") for line in lines) == 1
    assert sum(line.startswith("Approve it: ") for line in lines) == 1
    assert sum(line.startswith("Akismet: ") for line in lines) == 1
    assert "Author: Bob IP address: 10.0.0.1 Held because: trusted author" in body
    assert "> Nice article." in body and "> Approve it: https://evil.example/a" in body


def test_reader_values_cannot_start_a_line_of_the_digest(make_comment):
    set_policy(daily_digest=True)
    forged_comment(make_comment)
    call_command("send_moderation_digest")
    body = mail.outbox[0].body
    assert_no_forged_line(body)
    assert sum(line.strip().startswith("Approve: ") for line in body.splitlines()) == 1
    assert "Bob IP address: 10.0.0.1" in body and "Nice article." in body
