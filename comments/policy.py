"""The moderation policy: WordPress's Discussion settings, applied to one comment.

`current()` reads the site's policy (one row, edited in the admin). `decide()` says what a
comment Akismet found clean (or could not judge) should become, and why. Words match as
whole words, case-insensitively: "press" holds "press release", never "WordPress".
"""

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils import timezone

from articles import invalidation
from articles.prepared import Prepared
from comments import commenters, text
from comments.models import Comment, Commenter, ModerationPolicy
from comments.reasons import Reason

logger = logging.getLogger(__name__)

# The row's fields as a dict: a new field gives a new key (a process of the previous
# release, during a rolling deploy, would refuse a dict with a field it does not know).
CACHE_KEY = "comments:policy:v6"
# A bound on staleness should an invalidation ever be lost (a cache that was briefly down).
CACHE_SECONDS = 60


def _shared_cache():
    """The default cache if every process sees the same one, else None.

    A local-memory cache is private to its process: a policy cached there would stay
    stale in every other worker after a moderator saves a change. Then we read the row
    (one primary-key query) instead.
    """
    cache = caches["default"]
    return None if isinstance(cache, (LocMemCache, DummyCache)) else cache


# The policy read once per request (a page's schedule and its comment section both need
# it): kept from `request_started` to `request_finished`, dropped with the cached policy.
# Per thread (the site is served by threads); the policy is the same for every reader.
_request = threading.local()
_POLICY = Prepared(lambda pk: ModerationPolicy.objects.filter(pk=pk), pk=0)


def _request_started(**kwargs):
    _request.policy = None


def _request_finished(**kwargs):
    with contextlib.suppress(AttributeError):
        del _request.policy


request_started.connect(_request_started, dispatch_uid="comments-policy-request-started")
request_finished.connect(_request_finished, dispatch_uid="comments-policy-request-finished")


def current():
    """The site's policy, read once per request: from the shared cache or the database
    (created on first use)."""
    policy = getattr(_request, "policy", None)
    if policy is not None:
        return policy
    policy = _read()
    if hasattr(_request, "policy"):  # in a request: kept until its end
        _request.policy = policy
    return policy


def _read():
    shared = _shared_cache()
    if shared is not None:
        try:
            values = shared.get(CACHE_KEY)
        except Exception:  # a cache that is down makes us slower, never unavailable
            logger.warning("cache unavailable; reading the moderation policy from the database")
            values = None
        if values is not None:
            return ModerationPolicy(**values)
    found = _POLICY.objects(pk=1)  # the row, by a query compiled once per process
    policy = found[0] if found else ModerationPolicy.objects.get_or_create(pk=1)[0]
    if shared is not None:
        values = {f.attname: getattr(policy, f.attname) for f in ModerationPolicy._meta.fields}
        with contextlib.suppress(Exception):
            shared.set(CACHE_KEY, values, CACHE_SECONDS)
    return policy


def close_after_days():
    """Days after publication when comments close (None: never), for the page schedule."""
    return current().close_after_days


def forget():
    """The policy was saved: every page gets a new key and the cached policy is dropped
    (`articles.invalidation.policy_changed`)."""
    invalidation.policy_changed()


def drop_cached():
    """Drop the cached policy now and again after the saving transaction commits (so no
    process can re-cache the old row in between). `policy_changed` calls this."""

    if hasattr(_request, "policy"):
        _request.policy = None

    def delete():
        shared = _shared_cache()
        if shared is not None:
            try:
                shared.delete(CACHE_KEY)
            except Exception:
                logger.warning("cache unavailable; the policy change shows within a minute")

    delete()
    transaction.on_commit(delete)


def word_list(lines):
    return [w.strip() for w in (lines or "").splitlines() if w.strip()]


def _lowered(value):
    """`value` in lower case, each character standing where it stood (str.lower() turns
    "İ" into two characters; here it becomes "i")."""
    lowered = value.lower()
    if len(lowered) == len(value):
        return lowered
    return "".join(ch.lower()[:1] for ch in value)


def _has_whole_word(haystack, lowered, word):
    """Is `word` (lower case) in `haystack` with no word character either side? Each place
    the word occurs is tried once, and str.find() only moves forward: linear in the text
    for a given word."""
    start, tried = lowered.find(word), 0
    while start != -1:
        tried += 1
        end = start + len(word)
        if (start == 0 or not text.is_word_char(haystack[start - 1])) and (
            end == len(haystack) or not text.is_word_char(haystack[end])
        ):
            break
        start = lowered.find(word, start + 1)
    text.WORK["words"] += tried + 1
    return start != -1


def match_word(words, *haystacks):
    """The first of `words` found as a whole word (case-insensitive) in any haystack."""
    haystacks = [(h, _lowered(h)) for h in haystacks if h]
    for word in words:
        lowered_word = _lowered(word)
        if lowered_word and any(_has_whole_word(h, low, lowered_word) for h, low in haystacks):
            return word
    return None


def _fields(comment):
    # What WordPress matches keys against: text, name, website, email, IP and user agent.
    return (
        comment.body,
        comment.author_name,
        comment.author_url,
        comment.author_email,
        comment.user_ip or "",
        comment.user_agent,
    )


def disallowed_word(comment, policy):
    return match_word(word_list(policy.disallowed_words), *_fields(comment))


def is_closed(article, policy, now=None):
    """Closed per article, or N days after publication (computed now; nothing is written)."""
    if not article.comments_open:
        return True
    if policy.close_after_days is None:
        return False
    now = now or timezone.now()
    return article.published_at + timedelta(days=policy.close_after_days) <= now


def is_flood(user_ip, email, policy, now=None):
    """Did this IP or email post less than `flood_interval` seconds ago?"""
    if not policy.flood_interval:
        return False
    since = (now or timezone.now()) - timedelta(seconds=policy.flood_interval)
    return Comment.objects.recent_from(user_ip, email, since).exists()


def is_edit_flood(comment, user_ip, policy, now=None):
    """Is an edit of `comment` too soon: less than `flood_interval` seconds after it was
    posted or last edited, or after another comment from this IP or email?"""
    if not policy.flood_interval:
        return False
    since = (now or timezone.now()) - timedelta(seconds=policy.flood_interval)
    if (comment.edited_at or comment.created_at) > since:
        return True
    others = Comment.objects.recent_from(user_ip, comment.author_email, since)
    return others.exclude(pk=comment.pk).exists()


def can_moderate(user):
    """Moderators' own comments skip the queue, as in WordPress. A moderator is staff with
    the permission the admin's actions and the mail ask for (editing comments is not
    moderating them)."""
    if user is None or not (user.is_authenticated and user.is_staff):
        return False
    return user.has_perm("comments.moderate_comment")


@dataclass(frozen=True)
class Decision:
    status: str
    reason: str = ""  # a `Reason` code
    params: dict = field(default_factory=dict)


def decide(comment, policy):
    """What a comment that is not spam becomes under `policy`, and why.

    The caller (`pipeline.file_comment`) has already dealt with Akismet's spam and with
    disallowed words; this is the rest of WordPress's `check_comment`.
    """
    S = Comment.Status
    if can_moderate(comment.user):
        return Decision(S.APPROVED, Reason.POSTED_BY_MODERATOR)
    level = commenters.level_set(comment.author_email)
    if level == Commenter.Level.BANNED:  # banned after posting, before the check
        return Decision(S.SPAM, Reason.BANNED)
    if level == Commenter.Level.PREMODERATE:
        return Decision(S.PENDING, Reason.ALWAYS_PREMODERATE)
    links = text.count_links(comment.body)
    too_many = bool(policy.link_limit and links >= policy.link_limit)
    word = match_word(word_list(policy.moderation_words), *_fields(comment))
    if too_many and word:
        params = {"links": links, "limit": policy.link_limit, "word": word}
        return Decision(S.PENDING, Reason.LINKS_AND_WORD, params)
    if too_many:
        return Decision(S.PENDING, Reason.LINKS, {"links": links, "limit": policy.link_limit})
    if word:
        return Decision(S.PENDING, Reason.MODERATION_WORD, {"word": word})
    if level == Commenter.Level.TRUSTED and commenters.verified(comment):
        # Trusted needs an address proven theirs; typed alone, it is only "known".
        return Decision(S.APPROVED, Reason.TRUSTED_COMMENTER)
    if policy.manual_approval:
        return Decision(S.PENDING, Reason.MANUAL_APPROVAL)
    # An article in surge (`comments.surges`) holds first-time commenters whatever the
    # site-wide switch says (the policy row knows: no query).
    surge = not policy.hold_first_time_commenters and policy.in_surge(comment.article_id)
    if not (policy.auto_approve_known_authors or policy.hold_first_time_commenters or surge):
        return Decision(S.APPROVED)
    if not Comment.objects.approved_by_author(comment).exists():
        return Decision(S.PENDING, Reason.FIRST_COMMENT, {"surge": True} if surge else {})
    if not policy.auto_approve_known_authors:
        return Decision(S.APPROVED)
    if policy.trust_unconfirmed_addresses or commenters.verified(comment):
        return Decision(S.APPROVED, Reason.KNOWN_AUTHOR)
    return Decision(S.PENDING, Reason.UNCONFIRMED_ADDRESS)
