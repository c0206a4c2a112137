"""Readers' e-mail notifications (`comments.subscriptions`): the two boxes, the double
opt-in and its limits, "published" and reply mail sent by the queue after the approval,
one mail per thread per interval then a digest, idempotent jobs, one-click unsubscribe
(RFC 8058), bouncing addresses on a real SMTP server, and personal data."""

import logging
import re
import socketserver
import threading
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments import authoring, privacy, subscriptions, tasks
from comments.forms import CommentForm
from comments.models import Comment, ConfirmationMail, Notification, Subscriber, Subscription
from comments.moderation import change_status

S = Comment.Status
CONFIRM_LINK = re.compile(r"https?://\S+/notifications/confirm/\S+/")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/notifications/unsubscribe/\S+/")


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def path_of(url):
    """The path of an absolute link (the test client takes paths)."""
    return "/" + url.split("://", 1)[1].partition("/")[2]


@pytest.fixture
def ask(post):
    """POST a comment from `email` with the boxes given ticked; returns the comment."""

    def send(email="ada@example.com", published=True, replies=True, **fields):
        if published:
            fields["notify_published"] = "on"
        if replies:
            fields["notify_replies"] = "on"
        response = post(email=email, **fields)
        assert response.status_code == 302
        # Flood control allows one comment per address every 15 s: let time pass.
        Comment.objects.update(created_at=timezone.now() - timedelta(seconds=20))
        return Comment.objects.latest("pk")

    return send


def confirm(client, address):
    """Open the confirmation link mailed to `address` and press its button."""
    (message,) = [m for m in to(address) if "confirm" in m.subject]
    url = CONFIRM_LINK.search(message.body)[0]
    page = client.get(path_of(url))
    assert page.status_code == 200
    if Subscriber.objects.get(email=address).confirmed_at is None:
        assert b"Confirm my e-mail address</button>" in page.content
    return client.post(path_of(url))


@pytest.fixture
def approved(run_on_commit, maria):
    def go(comment):
        with run_on_commit():
            change_status(comment, S.APPROVED, actor=maria)
        return comment

    return go


# -- 1. the form --------------------------------------------------------------------------


def test_two_boxes_unticked_with_their_labels(article):
    html = (
        str(CommentForm(article=article)["notify_published"]),
        str(CommentForm(article=article)["notify_replies"]),
    )
    for box in html:
        assert 'type="checkbox"' in box and "checked" not in box
    from comments.templatetags.comments_tags import form_html

    page = form_html(_anonymous_request(article), article)
    for name, label in (
        ("notify_published", "E-mail me when my comment is published"),
        ("notify_replies", "E-mail me replies to my comment"),
    ):
        assert f'<label for="id_{name}">{label}</label>' in page
        assert f'name="{name}" id="id_{name}"' in page


def _anonymous_request(article):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(article.get_absolute_url())
    request.user = AnonymousUser()
    return request


def test_no_box_no_subscription(post):
    post(email="ada@example.com")
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()
    assert not [m for m in mail.outbox if m.to == ["ada@example.com"]]


# -- 2. double opt-in and its limits ------------------------------------------------------


def test_first_ask_sends_a_confirmation_and_nothing_else_until_confirmed(
    ask, client, approved, settings
):
    settings.SITE_URL = "https://news.example.com"
    comment = ask("Ada@Example.com")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ada@example.com" and subscriber.confirmed_at is None
    (message,) = to("ada@example.com")
    assert message.subject == "[The Newsroom] Please confirm your e-mail address"
    assert CONFIRM_LINK.search(message.body)[0].startswith("https://news.example.com/")
    assert f'"{comment.article.title}"' in message.body
    assert "List-Unsubscribe" not in message.extra_headers

    approved(comment)  # published before the address is confirmed: it waits
    assert len(to("ada@example.com")) == 1
    assert Notification.objects.get().state == Notification.State.PENDING

    page = confirm(client, "ada@example.com")
    assert b"is confirmed" in page.content
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    published = to("ada@example.com")[1]
    assert (
        published.subject
        == f'[The Newsroom] Your comment on "{comment.article.title}" is published'
    )
    assert f"https://news.example.com{comment.get_absolute_url()}" in published.body
    # The author's private status link comes in it too, and opens that comment's page.
    status_url = re.search(r"https://news\.example\.com(/comment-status/\S+/)", published.body)
    assert status_url and status_url[1] == authoring.status_url(comment.pk, comment.preview_secret)
    assert client.get(status_url[1]).status_code == 200
    assert Notification.objects.get().state == Notification.State.SENT


def test_opening_the_confirm_link_confirms_nothing(ask, client):
    ask()
    url = CONFIRM_LINK.search(to("ada@example.com")[0].body)[0]
    assert client.get(path_of(url)).status_code == 200
    assert Subscriber.objects.get().confirmed_at is None


def test_confirming_twice_is_a_friendly_no_op(ask, client):
    ask()
    confirm(client, "ada@example.com")
    again = confirm(client, "ada@example.com")
    assert again.status_code == 200 and b"already confirmed" in again.content


def test_a_confirmed_address_is_not_asked_again(ask, client):
    ask()
    confirm(client, "ada@example.com")
    ask(comment="Another one.")
    assert len([m for m in to("ada@example.com") if "confirm" in m.subject]) == 1
    assert Subscription.objects.count() == 2


def test_one_confirmation_per_address_an_hour_the_comment_still_posts(ask, caplog):
    caplog.set_level(logging.WARNING, logger="comments.subscriptions")
    ask(comment="First.")
    ask(comment="Second.")  # a different IP: the address limit holds anyway
    assert Comment.objects.count() == 2
    assert len(to("ada@example.com")) == 1
    assert "it had one in the last hour" in caplog.text
    # An hour later it may ask again.
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=61))
    ask(comment="Third.")
    assert len(to("ada@example.com")) == 2


def test_a_few_confirmations_per_ip_an_hour(ask, caplog, settings):
    settings.NOTIFY_CONFIRMATIONS_PER_IP = 5
    caplog.set_level(logging.WARNING, logger="comments.subscriptions")
    for n in range(7):
        ask(email=f"victim{n}@example.com", ip="203.0.113.9", comment=f"Hello {n}.")
        # flood control: one comment per IP every 15 s
        Comment.objects.update(created_at=timezone.now() - timedelta(seconds=20))
    assert Comment.objects.count() == 7
    assert len([m for m in mail.outbox if "confirm" in m.subject]) == 5
    assert ConfirmationMail.objects.filter(user_ip="203.0.113.9").count() == 5
    assert caplog.text.count("203.0.113.9 asked for 5 in the last hour") == 2


def test_boxes_are_recorded_before_the_check_is_enqueued(
    akismet_server, article, run_on_commit, client
):
    """A worker may approve the comment (the policy, Akismet ham) before the request ends:
    the subscription is there already, so "published" is owed all the same."""
    from comments import policy as policies
    from comments.pipeline import submit

    policy = policies.current()
    policy.manual_approval = False
    policy.save()
    comment = Comment(
        article=article,
        author_name="Ada",
        author_email="ada@example.com",
        body="Straight through.",
        user_ip="192.0.2.7",
    )
    with run_on_commit():
        submit(comment, notify_published=True)
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (S.APPROVED, "ham")
    assert Notification.objects.get().kind == Notification.Kind.PUBLISHED
    confirm(client, "ada@example.com")
    assert "is published" in to("ada@example.com")[-1].subject


def test_the_honeypot_subscribes_nobody(post):
    post(email="bot@example.com", notify_published="on", phone="http://spam.example")
    assert not Subscriber.objects.exists() and not mail.outbox


def test_a_bad_or_expired_confirmation_link(ask, client, monkeypatch):
    ask()
    url = path_of(CONFIRM_LINK.search(to("ada@example.com")[0].body)[0])
    assert client.get(url[:-3] + "xx/").status_code == 404
    later = signing.time.time() + 8 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    gone = client.post(url)
    assert gone.status_code == 410 and b"This link has expired" in gone.content
    assert Subscriber.objects.get().confirmed_at is None


# -- 3. mail from the queue after the approval ---------------------------------------------


@pytest.fixture
def confirmed(ask, client):
    """A's comment, asking for both, the address confirmed."""

    def make(email="ada@example.com", **kwargs):
        comment = ask(email, **kwargs)
        confirm(client, email)
        return comment

    return make


def test_published_mail_after_the_approval_is_committed(confirmed, maria, settings):
    settings.SITE_URL = "https://news.example.com"
    comment = confirmed()
    change_status(comment, S.APPROVED, actor=maria)  # not committed: nothing yet
    assert len(to("ada@example.com")) == 1


def test_published_mail_headers_and_links(confirmed, approved, client, settings):
    settings.SITE_URL = "https://news.example.com"
    comment = approved(confirmed())
    message = to("ada@example.com")[-1]
    header = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<https://news\.example\.com/notifications/unsubscribe/[^>]+/>", header)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in message.body  # the thread's link
    links = UNSUBSCRIBE_LINK.findall(message.body)
    assert len(links) == 2 and links[0] != links[1]
    assert comment.body in message.body
    # The headers as they go over the wire.
    wire = message.message()
    assert wire["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert wire["List-Unsubscribe"] == header


def test_reply_mail_only_for_approved_replies_never_ones_own(
    confirmed, approved, make_comment, article
):
    parent = approved(confirmed(published=False))
    before = len(to("ada@example.com"))
    own = make_comment(parent=parent, author_email="ADA@example.com", status=S.PENDING)
    approved(own)
    held = make_comment(parent=parent, author_name="Bo", status=S.PENDING)
    assert len(to("ada@example.com")) == before  # own reply, and a held one: nothing
    approved(held)
    (reply_mail,) = to("ada@example.com")[before:]
    assert reply_mail.subject == f'[The Newsroom] Bo replied to your comment on "{article.title}"'
    assert held.body in reply_mail.body and "Bo wrote:" in reply_mail.body
    assert reply_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_mail_per_thread_per_interval_then_a_digest(
    confirmed, approved, make_comment, settings
):
    settings.NOTIFY_REPLY_INTERVAL_MINUTES = 30
    parent = approved(confirmed(published=False))
    before = len(to("ada@example.com"))
    replies = [make_comment(parent=parent, author_name=f"R{n}", status=S.PENDING) for n in range(3)]
    for reply in replies:
        approved(reply)
    assert len(to("ada@example.com")) == before + 1  # the first; the others wait
    assert subscriptions.deliver_due() == 0  # the interval is not over
    Subscription.objects.update(last_reply_mail_at=timezone.now() - timedelta(minutes=31))
    assert tasks.notifications.call() == 1
    digest = to("ada@example.com")[-1]
    assert "2 new replies to your comment" in digest.subject
    assert "R1 wrote:" in digest.body and "R2 wrote:" in digest.body and "R0" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert subscriptions.deliver_due() == 0


def test_a_retried_job_never_sends_twice(confirmed, approved, make_comment):
    comment = approved(confirmed())
    sent = len(to("ada@example.com"))
    assert tasks.notify_approved.call(comment.pk) == 0
    assert tasks.deliver_subscriber.call(Subscriber.objects.get().pk) == 0
    confirmation = ConfirmationMail.objects.get()
    assert tasks.send_confirmation.call(confirmation.pk) == 0
    assert len(to("ada@example.com")) == sent
    assert Notification.objects.count() == 1
    assert tasks.notify_approved.call("1; DROP") == 0  # malformed: refused, not retried


def test_a_comment_unapproved_before_its_mail_is_not_mailed_about(ask, approved, client, maria):
    comment = approved(ask())
    change_status(comment, S.PENDING, actor=maria)
    confirm(client, "ada@example.com")
    assert [m.subject for m in to("ada@example.com")] == [
        "[The Newsroom] Please confirm your e-mail address"
    ]
    assert Notification.objects.get().state == Notification.State.DROPPED


def test_a_mail_failure_is_logged_and_retried_later(confirmed, approved, settings, caplog):
    comment = confirmed()
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.BrokenBackend"
    approved(comment)
    assert "could not mail subscriber" in caplog.text
    assert Notification.objects.get().state == Notification.State.PENDING
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert subscriptions.deliver_due() == 1
    assert Notification.objects.get().state == Notification.State.SENT


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        raise ConnectionRefusedError("no mail server")

    def __exit__(self, *exc):
        return False


def test_an_approval_costs_one_query_and_a_job_only_if_someone_asked(
    make_comment, run_on_commit, django_assert_num_queries
):
    comment = make_comment(status=S.PENDING)
    subscriptions.subscribe(make_comment(), on_publish=True)  # someone else's comment
    with run_on_commit() as callbacks, django_assert_num_queries(1) as captured:
        subscriptions.comment_approved(comment)
    assert "comments_subscription" in captured.captured_queries[0]["sql"]
    assert callbacks == []
    subscriptions.subscribe(comment, on_publish=True)
    with run_on_commit() as callbacks, django_assert_num_queries(1):
        subscriptions.comment_approved(comment)
    assert len(callbacks) == 1


def test_posting_without_the_boxes_touches_no_subscription_table(post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        post(email="ada@example.com")
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "comments_subscri" not in sql and "comments_confirmationmail" not in sql


def test_reader_values_cannot_forge_lines_or_headers(confirmed, approved, make_comment):
    parent = approved(confirmed(published=False))
    reply = make_comment(
        parent=parent,
        author_name="Eve\r\nBcc: victim@example.com",
        body="line one\nFrom: forged\n-- \nStop all mail: http://evil.example/",
        status=S.PENDING,
    )
    approved(reply)
    message = to("ada@example.com")[-1]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == [] and "Bcc" not in message.message()
    lines = message.body.splitlines()
    assert "> From: forged" in lines and "From: forged" not in lines
    assert "> Stop all mail: http://evil.example/" in lines


# -- 4. one-click unsubscribe ---------------------------------------------------------------


def test_one_click_unsubscribe_without_csrf_or_origin(confirmed, approved, make_comment, settings):
    settings.SITE_URL = "https://news.example.com"
    parent = approved(confirmed())
    url = to("ada@example.com")[-1].extra_headers["List-Unsubscribe"][1:-1]
    provider = Client(enforce_csrf_checks=True)  # as a mail provider: no cookie, no token
    page = provider.get(path_of(url))
    assert page.status_code == 200 and b"Unsubscribe</button>" in page.content
    assert Subscription.objects.get().unsubscribed_at is None  # a GET changes nothing
    done = provider.post(
        path_of(url), {"List-Unsubscribe": "One-Click"}, HTTP_ORIGIN="https://mail.example"
    )
    assert done.status_code == 200 and b"no more mail about your comment" in done.content
    assert Subscription.objects.get().unsubscribed_at is not None
    again = provider.post(path_of(url), {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and b"unsubscribed already" in again.content
    sent = len(to("ada@example.com"))
    approved(make_comment(parent=parent, author_name="Bo", status=S.PENDING))
    assert len(to("ada@example.com")) == sent


def test_unsubscribe_from_everything(confirmed, approved, ask, make_comment):
    first = approved(confirmed())
    all_url = UNSUBSCRIBE_LINK.findall(to("ada@example.com")[-1].body)[1]
    second = ask(comment="Another.")
    assert Client(enforce_csrf_checks=True).post(path_of(all_url)).status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None
    sent = len(to("ada@example.com"))
    approved(second)
    approved(make_comment(parent=first, author_name="Bo", status=S.PENDING))
    assert len(to("ada@example.com")) == sent
    assert subscriptions.deliver_due() == 0


def test_a_confirm_link_from_before_unsubscribing_turns_nothing_back_on(confirmed, client):
    confirmed()
    subscriber = Subscriber.objects.get()
    subscriptions.unsubscribe(subscriber)
    page = confirm(client, "ada@example.com")
    assert b"no longer turns mail on" in page.content
    assert Subscriber.objects.get().unsubscribed_at is not None


def test_a_tampered_or_unknown_unsubscribe_token_is_404(confirmed, approved, client):
    approved(confirmed())
    url = path_of(UNSUBSCRIBE_LINK.search(to("ada@example.com")[-1].body)[0])
    assert client.post(url[:-4] + "abc/").status_code == 404
    forged = subscriptions.unsubscribe_token(subscriber=Subscriber(pk=999))
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    assert Subscription.objects.get().unsubscribed_at is None


def test_the_confirm_form_keeps_djangos_csrf_check(ask):
    ask()
    url = path_of(CONFIRM_LINK.search(to("ada@example.com")[0].body)[0])
    assert Client(enforce_csrf_checks=True).post(url).status_code == 403
    assert Subscriber.objects.get().confirmed_at is None


# -- 5. an address the mail server refuses ----------------------------------------------------


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP: refuses RCPT for addresses starting "gone", keeps the rest."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 localhost test SMTP")
        rcpt = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 localhost")
            elif verb == b"RCPT":
                address = line.decode().split(":", 1)[1].strip(" <>\r\n")
                if address.startswith("gone"):
                    self.server.refused.append(address)
                    self.reply(f"550 5.1.1 <{address}>: no such user")
                else:
                    rcpt.append(address)
                    self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 go ahead")
                body = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(chunk)
                self.server.accepted.append((rcpt, b"".join(body).decode()))
                rcpt = []
                self.reply("250 OK queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def smtp_server(settings):
    server = None
    for port in range(9250, 9300):
        try:
            server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _SMTPHandler)
            break
        except OSError:
            continue
    server.daemon_threads = True
    server.refused, server.accepted = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.shutdown()
    server.server_close()


def test_a_refused_address_is_marked_bouncing_without_retries(
    smtp_server, approved, make_comment, caplog
):
    caplog.set_level(logging.WARNING, logger="comments.subscriptions")
    good = make_comment(author_email="ok@example.com", status=S.PENDING)
    bad = make_comment(author_email="gone@example.com", status=S.PENDING)
    for comment in (good, bad):
        subscriptions.subscribe(comment, on_publish=True, on_replies=True)
    Subscriber.objects.update(confirmed_at=timezone.now())
    approved(good)
    approved(bad)
    assert [rcpt for rcpt, _data in smtp_server.accepted] == [["ok@example.com"]]
    data = smtp_server.accepted[0][1]
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in data
    assert smtp_server.refused == ["gone@example.com"]
    gone = Subscriber.objects.get(email="gone@example.com")
    assert gone.bouncing_at is not None and "550 5.1.1" in gone.bounce_detail
    assert "refused subscriber" in caplog.text
    state = Notification.objects.get(subscription__subscriber=gone).state
    assert state == Notification.State.REFUSED
    # No retry storm: nothing more is tried for it.
    approved(make_comment(parent=bad, author_name="Bo", status=S.PENDING))
    assert subscriptions.deliver_due() == 0
    assert smtp_server.refused == ["gone@example.com"]


def test_a_refused_confirmation_marks_the_address(smtp_server, ask):
    ask(email="gone@example.com")
    assert smtp_server.refused == ["gone@example.com"]
    assert Subscriber.objects.get().bouncing_at is not None


# -- 6. personal data -----------------------------------------------------------------------


def test_export_and_erase_cover_notifications(confirmed, approved):
    approved(confirmed())
    data = privacy.export("ADA@example.com")["notifications"]
    assert data["email"] == "ada@example.com" and data["confirmed"]
    (subscription,) = data["subscriptions"]
    assert subscription["when_published"] and subscription["replies"]
    assert subscription["mails"][0]["about"] == "published"
    assert data["confirmation_mails"][0]["ip_address"].startswith("198.51.100.")
    privacy.erase("ada@example.com")
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists() and not ConfirmationMail.objects.exists()
    assert privacy.export("ada@example.com")["notifications"] is None


def test_retention_forgets_unconfirmed_and_unsubscribed_addresses(ask, confirmed, capsys):
    ask("late@example.com")
    confirmed("kept@example.com")
    confirmed("left@example.com")
    subscriptions.unsubscribe(Subscriber.objects.get(email="left@example.com"))
    call_command("purge_comments")
    assert Subscriber.objects.count() == 3  # nothing old enough yet
    eight_days = timezone.now() - timedelta(days=8)
    Subscriber.objects.update(created_at=eight_days)
    ConfirmationMail.objects.update(created_at=eight_days)
    Subscriber.objects.filter(email="left@example.com").update(
        unsubscribed_at=timezone.now() - timedelta(days=31)
    )
    call_command("purge_comments", "--dry-run")
    assert "forget 2 notification addresses and 3 confirmation records" in capsys.readouterr().out
    call_command("purge_comments")
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.com"]
    assert not ConfirmationMail.objects.exists()


def test_the_privacy_page_tells(db, client, settings):
    settings.NOTIFY_CONFIRM_DAYS = 9
    page = client.get("/privacy/").content.decode()
    assert "E-mail notifications" in page and "IP address that asked" in page
    assert "forgotten 9 days after its last confirmation mail" in page
