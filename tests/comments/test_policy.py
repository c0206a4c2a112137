"""The moderation policy: each rule, whole-word matching, and a cache every process sees."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import caches

from comments import policy as policies
from comments import text
from comments.models import Comment
from comments.moderation import change_status
from comments.pipeline import file_comment
from comments.reasons import Reason

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def site_policy(db):
    policy = policies.current()
    policy.save()
    return policy


def filed(make_comment, verdict="ham", **fields):
    comment = make_comment(status="pending", verdict=verdict, **fields)
    return file_comment(comment)


def test_wordpress_defaults(db):
    """Manual approval on, 2 links hold, depth 5, 15 s flood, never closing."""
    policy = policies.current()
    assert (policy.manual_approval, policy.auto_approve_known_authors) == (True, False)
    assert (policy.link_limit, policy.thread_depth, policy.flood_interval) == (2, 5, 15)
    assert policy.close_after_days is None


@pytest.mark.parametrize(
    ("words", "text", "found"),
    [
        ("press", "Great WordPress tips", None),
        ("press", "A press release", "press"),
        ("Casino", "best CASINO bonus", "Casino"),
        ("casino", "casinos", None),
        ("casino", "(casino)", "casino"),
        ("free money", "get FREE  money", None),
        ("free money", "get free money now", "free money"),
        ("c++", "I like C++.", "c++"),
    ],
)
def test_words_match_whole_words_case_insensitively(words, text, found):
    """WordPress's substring match holds "WordPress" for "press"; ours does not."""
    assert policies.match_word(policies.word_list(words), text) == found


def test_two_links_hold_counting_bare_urls(site_policy, make_comment):
    """At the limit or above, held with a reason that says how many; below it, held only
    while manual approval is on."""
    manual = filed(make_comment, body="See https://example.com.")
    assert (manual.status, manual.held_reason) == ("pending", Reason.MANUAL_APPROVAL)
    site_policy.manual_approval = False
    site_policy.save()
    one = filed(make_comment, body="See https://example.com.")
    two = filed(make_comment, body="https://a.example and www.b.example")
    three = filed(make_comment, body="https://a.example www.b.example http://c.example/x")
    assert (one.status, one.held_reason) == ("approved", "")
    assert (two.status, two.held_reason, two.held_params) == (
        "pending",
        Reason.LINKS,
        {"links": 2, "limit": 2},
    )
    assert (three.status, three.held_reason, three.held_params) == (
        "pending",
        Reason.LINKS,
        {"links": 3, "limit": 2},
    )


def test_moderation_word_holds(site_policy, make_comment):
    site_policy.manual_approval = False
    site_policy.moderation_words = "casino\n\n  lottery \n"
    site_policy.save()
    held = filed(make_comment, body="Win the Lottery today")
    by_name = filed(make_comment, author_name="Casino King")
    fine = filed(make_comment, body="WordPress and lotteryish words")
    assert (held.status, held.held_reason, held.held_params) == (
        "pending",
        Reason.MODERATION_WORD,
        {"word": "lottery"},
    )
    assert by_name.status == "pending"
    assert fine.status == "approved"


def test_disallowed_word_trashes_even_akismet_spam(site_policy, make_comment):
    """Disallowed words go to the trash, whatever Akismet said (as WordPress)."""
    site_policy.disallowed_words = "viagra"
    site_policy.save()
    ham = filed(make_comment, body="cheap viagra")
    spam = filed(make_comment, verdict="spam", body="VIAGRA!")
    by_ip = filed(make_comment, verdict="ham", user_ip="203.0.113.9")
    assert (ham.status, ham.held_reason, ham.held_params) == (
        "trash",
        Reason.DISALLOWED_WORD,
        {"word": "viagra"},
    )
    assert spam.status == "trash"
    assert ham.history.get(kind="status").actor_label == "policy"  # not Akismet
    assert by_ip.status == "pending"


def test_disallowed_ip(site_policy, make_comment):
    site_policy.disallowed_words = "203.0.113.9"
    site_policy.save()
    assert filed(make_comment, user_ip="203.0.113.9").status == "trash"
    assert filed(make_comment, user_ip="203.0.113.99").status == "pending"


def test_manual_approval_holds_every_clean_comment(site_policy, make_comment):
    comment = filed(make_comment)
    assert (comment.status, comment.held_reason) == ("pending", Reason.MANUAL_APPROVAL)


def test_known_author_is_approved_when_manual_approval_is_off(site_policy, make_comment):
    """Same name and email as an approved comment: approved; a newcomer waits."""
    site_policy.manual_approval = False
    site_policy.auto_approve_known_authors = True
    site_policy.save()
    make_comment(author_name="Ada", author_email="ada@example.com")
    known = filed(make_comment, author_name="Ada", author_email="ada@example.com")
    new = filed(make_comment, author_name="Bea", author_email="bea@example.com")
    assert known.status == "approved"
    assert (new.status, new.held_reason) == ("pending", Reason.FIRST_COMMENT)
    # No story in surge: the reason says nothing of one.
    assert new.held_params == {}


def test_known_author_is_still_held_with_manual_approval_on(site_policy, make_comment):
    site_policy.auto_approve_known_authors = True
    site_policy.save()
    make_comment(author_name="Ada", author_email="ada@example.com")
    assert filed(make_comment, author_name="Ada", author_email="ada@example.com").status == (
        "pending"
    )


@pytest.mark.parametrize("verdict", ["spam", "discard"])
def test_akismet_spam_beats_auto_approval(site_policy, make_comment, verdict):
    site_policy.manual_approval = False
    site_policy.auto_approve_known_authors = True
    site_policy.save()
    make_comment(author_name="Ada", author_email="ada@example.com")
    ada = {"author_name": "Ada", "author_email": "ada@example.com"}
    comment = filed(make_comment, verdict=verdict, **ada)
    assert comment.status == "spam"
    assert comment.history.get().actor_label == "Akismet"


def test_error_and_unchecked_stay_pending(site_policy, make_comment):
    site_policy.manual_approval = False
    site_policy.save()
    error = filed(make_comment, verdict="error")
    unchecked = filed(make_comment, verdict="unchecked")
    assert (error.status, error.held_reason) == ("pending", Reason.AKISMET_UNREACHABLE)
    assert (unchecked.status, unchecked.held_reason) == ("pending", Reason.NO_AKISMET_KEY)


def test_file_comment_leaves_a_decided_comment_alone(make_comment):
    """A comment a person already moved is not re-filed by a late re-check."""
    comment = make_comment(status="approved", verdict="spam")
    assert file_comment(comment).status == "approved"
    assert not comment.history.exists()


def test_moderators_comments_skip_the_queue(site_policy, make_comment, moderator, editor):
    """As in WordPress, a moderator's own (clean) comment is approved; an editor's is not."""
    assert filed(make_comment, user=moderator).status == "approved"
    assert filed(make_comment, user=editor).status == "pending"


def test_closing_after_n_days_is_computed_when_read(site_policy, make_article):
    """Closed from the Nth day after publication, without writing anything."""
    article = make_article(published_at=NOW - timedelta(days=14))
    assert not policies.is_closed(article, site_policy, now=NOW)
    site_policy.close_after_days = 14
    site_policy.save()
    with time_machine.travel(NOW - timedelta(seconds=1), tick=False):
        assert not policies.is_closed(article, site_policy)
    with time_machine.travel(NOW, tick=False):
        assert policies.is_closed(article, site_policy)
    article.refresh_from_db()
    assert article.comments_open


def test_closed_per_article(site_policy, make_article):
    assert policies.is_closed(make_article(comments_open=False), site_policy)


def test_flood_interval(site_policy, make_comment):
    with time_machine.travel(NOW, tick=False):
        make_comment(user_ip="192.0.2.5", author_email="a@example.com")
    with time_machine.travel(NOW + timedelta(seconds=14), tick=False):
        assert policies.is_flood("192.0.2.5", "b@example.com", site_policy)
        assert policies.is_flood("192.0.2.6", "a@example.com", site_policy)
    with time_machine.travel(NOW + timedelta(seconds=16), tick=False):
        assert not policies.is_flood("192.0.2.5", "a@example.com", site_policy)
    site_policy.flood_interval = 0
    with time_machine.travel(NOW, tick=False):
        assert not policies.is_flood("192.0.2.5", "a@example.com", site_policy)


# The cache: "a change takes effect at once in every process". Each process has its own
# local-memory cache; a shared cache (Redis, Memcached, files) is one for all of them.
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
FILES = "django.core.cache.backends.filebased.FileBasedCache"


def in_process(settings, backend, location):
    """Switch `caches` to what one worker process would see."""
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}


@pytest.mark.parametrize("backend", [LOCMEM, FILES])
def test_a_change_shows_at_once_in_every_process(settings, tmp_path, site_policy, backend):
    """Worker B reads the policy, worker A saves a change, worker B sees it at once."""
    shared = str(tmp_path)
    where = {"a": shared if backend == FILES else "worker-a", "b": shared}
    if backend == LOCMEM:
        where["b"] = "worker-b"
    in_process(settings, backend, where["b"])
    assert policies.current().link_limit == 2
    in_process(settings, backend, where["a"])
    policy = policies.current()
    policy.link_limit = 5
    policy.save()
    in_process(settings, backend, where["b"])
    assert policies.current().link_limit == 5


def test_a_shared_cache_saves_the_query(settings, tmp_path, site_policy, django_assert_num_queries):
    """With a shared cache, reading the policy costs no query after the first."""
    in_process(settings, FILES, str(tmp_path))
    policies.current()
    with django_assert_num_queries(0):
        assert policies.current().thread_depth == 5
    assert caches["default"].get(policies.CACHE_KEY)["thread_depth"] == 5


def test_a_broken_cache_falls_back_to_the_database(settings, tmp_path, site_policy, monkeypatch):
    """A cache that is down makes reading slower, never failing."""
    in_process(settings, FILES, str(tmp_path))

    def boom(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "get", boom)
    monkeypatch.setattr(caches["default"], "set", boom)
    monkeypatch.setattr(caches["default"], "delete", boom)
    policy = policies.current()
    policy.thread_depth = 3
    policy.save()
    assert policies.current().thread_depth == 3


def test_flood_control_ignores_the_case_of_the_email(site_policy, make_comment):
    """F1@EXAMPLE.COM is the address f1@example.com was: it waits its turn too."""
    with time_machine.travel(NOW, tick=False):
        make_comment(user_ip="192.0.2.5", author_email="f1@example.com")
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        assert policies.is_flood("192.0.2.9", "F1@EXAMPLE.COM", site_policy)
        assert policies.is_flood("192.0.2.9", "F1@Example.com", site_policy)
        assert not policies.is_flood("192.0.2.9", "f2@example.com", site_policy)


def test_a_duplicate_is_one_whatever_the_case_of_the_email(make_comment, article):
    first = make_comment(author_name="Ada", author_email="ada@example.com", body="Same words.")
    again = Comment(
        article=article, author_name="Someone", author_email="ADA@Example.COM", body=first.body
    )
    assert Comment.objects.duplicates_of(again).exists()


def test_links_and_a_word_together_say_both(site_policy, make_comment):
    """Two links and a moderation word: held, and the reason names the count, the limit
    and the word (the queue shows that sentence)."""
    site_policy.manual_approval = False
    site_policy.moderation_words = "casino"
    site_policy.save()
    held = filed(make_comment, body="Casino at https://a.example and www.b.example")
    assert (held.status, held.held_reason, held.held_params) == (
        "pending",
        Reason.LINKS_AND_WORD,
        {"links": 2, "limit": 2, "word": "casino"},
    )


def test_decisions_name_why_a_comment_was_approved(site_policy, make_comment, moderator):
    """A moderator's comment and a known author's are approved for a stated reason."""
    site_policy.manual_approval = False
    site_policy.auto_approve_known_authors = True
    make_comment(author_name="Ada", author_email="ada@example.com")
    by_moderator = make_comment(status="pending", user=moderator)
    known = make_comment(status="pending", author_name="Ada", author_email="ada@example.com")
    assert policies.decide(by_moderator, site_policy) == policies.Decision(
        "approved", Reason.POSTED_BY_MODERATOR
    )
    assert policies.decide(known, site_policy) == policies.Decision("approved", Reason.KNOWN_AUTHOR)


def test_a_user_with_the_permission_but_not_staff_is_no_moderator(db):
    """Moderating needs both: staff (the admin) and the moderate permission."""
    user = get_user_model().objects.create_user("perm-only", password="a-Long-pass-phrase-9")
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    assert user.has_perm("comments.moderate_comment")
    assert not policies.can_moderate(user)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Visit İstanbul today", "istanbul"),  # "İ".lower() is two characters
        ("İİİ casino", "casino"),  # positions stay aligned after such characters
        ("İcasino", None),
        ("casino casinos", "casino"),  # the first place is a whole word
        ("casinos and then casino", "casino"),  # the first is not, a later one is
    ],
)
def test_words_are_found_where_they_stand(text, found):
    words = ["istanbul", "casino"]
    assert policies.match_word(words, text) == found


def test_each_place_of_a_word_is_tried_once():
    """The work counter the linear-time tests read: one step per place tried, plus one."""
    text.WORK.clear()
    assert policies.match_word(["casino"], "casinos, casinoX and casino") == "casino"
    assert text.WORK["words"] == 4
    # Counted across words and calls (a request's total), not the last search alone.
    assert policies.match_word(["lottery", "casino"], "casino") == "casino"
    assert text.WORK["words"] == 4 + 1 + 2


def test_an_empty_word_list_is_empty():
    assert policies.word_list(None) == []
    assert policies.word_list("") == []
    assert policies.word_list(" casino \n\n lottery ") == ["casino", "lottery"]


def test_a_request_that_ends_twice_is_harmless(db):
    """The end-of-request receiver without a started request (the signal also closes the
    database connections, so the receiver is called directly) raises nothing."""
    policies._request_finished()
    policies._request_finished()
    assert policies.current().link_limit == 2


@pytest.mark.parametrize(
    ("verdict", "label", "reason"),
    [
        ("error", "Akismet", Reason.AKISMET_UNREACHABLE),
        ("unchecked", "policy", None),  # not checked yet, or no key: the site's own rule
        ("ham", "policy", Reason.MANUAL_APPROVAL),
    ],
)
def test_the_history_names_who_filed_a_comment(site_policy, make_comment, verdict, label, reason):
    comment = filed(make_comment, verdict=verdict)
    event = comment.history.get(kind="status")
    assert (comment.status, event.actor_label) == ("pending", label)
    if reason:
        assert comment.held_reason == reason


def test_approving_clears_why_a_comment_was_held(site_policy, make_comment, moderator):
    """An approved comment carries no hold reason nor its parameters; the history names
    the person, with no automatic label beside."""
    site_policy.manual_approval = False
    site_policy.save()
    held = filed(make_comment, body="https://a.example and www.b.example")
    assert held.held_params == {"links": 2, "limit": 2}
    change_status(held, "approved", actor=moderator, reason=Reason.LINKS, params={"links": 2})
    held.refresh_from_db()
    assert (held.held_reason, held.held_params) == ("", {})
    event = held.history.filter(kind="status").latest("pk")
    assert (event.actor, event.actor_label) == (moderator, "")


@pytest.mark.parametrize(
    ("key", "reason"), [("", Reason.NO_AKISMET_KEY), ("k", Reason.NOT_CHECKED_YET)]
)
def test_an_unchecked_comment_waits_for_the_policy(
    settings, site_policy, make_comment, key, reason
):
    """Not checked: held by the site's own rule, saying whether a check is still to come."""
    settings.AKISMET_API_KEY = key
    comment = filed(make_comment, verdict="unchecked")
    event = comment.history.get(kind="status")
    assert (comment.status, comment.held_reason, event.actor_label) == ("pending", reason, "policy")


def test_an_edit_is_a_flood_within_the_interval_of_the_authors_last_words(make_comment):
    """An edit too soon after the comment was posted or edited, or after another comment
    from the same address or e-mail, is flood; the comment itself does not count."""
    from datetime import timedelta

    from django.utils import timezone

    from comments.models import ModerationPolicy

    policy = ModerationPolicy(flood_interval=15)
    now = timezone.now() + timedelta(hours=1)  # a clock of the caller's, not the machine's
    old = now - timedelta(seconds=60)
    comment = make_comment(author_email="ann@example.com", user_ip="192.0.2.1")
    type(comment).objects.filter(pk=comment.pk).update(created_at=old)
    comment.refresh_from_db()
    assert not policies.is_edit_flood(comment, "192.0.2.1", policy, now=now)
    # Posted (or edited) exactly the interval ago is no longer flood; a second less is.
    comment.edited_at = now - timedelta(seconds=15)
    assert not policies.is_edit_flood(comment, "192.0.2.1", policy, now=now)
    comment.edited_at = now - timedelta(seconds=14)
    assert policies.is_edit_flood(comment, "192.0.2.1", policy, now=now)
    comment.edited_at = None
    # Another comment just now, from the same address (another e-mail) or the same e-mail
    # (another address).
    other = make_comment(author_email="bo@example.com", user_ip="192.0.2.1")
    type(other).objects.filter(pk=other.pk).update(created_at=now - timedelta(seconds=5))
    assert policies.is_edit_flood(comment, "192.0.2.1", policy, now=now)
    assert not policies.is_edit_flood(comment, "198.51.100.9", policy, now=now)
    type(other).objects.filter(pk=other.pk).update(author_email="ANN@example.com")
    assert policies.is_edit_flood(comment, "198.51.100.9", policy, now=now)
    assert not policies.is_edit_flood(comment, "198.51.100.9", ModerationPolicy(flood_interval=0))
