"""A reader's comment from POST to queue: save it, check it, file it.

The comment is saved (committed) before anything else can go wrong, so nothing a reader
wrote is ever lost; the Akismet call runs outside any transaction; then `file_comment`
applies Akismet's verdict and the moderation policy through `moderation.change_status`.
"""

import logging

from comments import policy as policies
from comments import spam
from comments.models import Comment
from comments.moderation import TransitionError, change_status

logger = logging.getLogger(__name__)

S = Comment.Status
V = Comment.Verdict

HONEYPOT_REASON = "the hidden honeypot field was filled in (a bot)"
UNREACHABLE_REASON = "Akismet unreachable; it will be checked again"


def submit(comment, *, honeypot=""):
    """Save a new `comment`, have Akismet check it, and file it. Returns the comment."""
    comment.save()  # autocommit: the project has no ATOMIC_REQUESTS
    if honeypot:
        # The client cannot send the honeypot's value, so Akismet would not see it: we
        # file it ourselves, without spending a call.
        change_status(comment, S.SPAM, actor_label="honeypot", reason=HONEYPOT_REASON)
        return comment
    policy = policies.current()
    # Disallowed words go to the trash whatever Akismet says; don't spend a call on them
    # (as the WordPress plugin since 5.3.3).
    if spam.is_configured() and not policies.disallowed_word(comment, policy):
        spam.check(comment)
    return file_comment(comment, policy=policy)


def _filing(comment, policy):
    """(status, actor_label, reason) for a pending comment with its recorded verdict."""
    word = policies.disallowed_word(comment, policy)
    if word:
        return S.TRASH, "policy", f"matched disallowed word '{word}'"
    if comment.verdict == V.SPAM:
        return S.SPAM, "Akismet", "Akismet said spam"
    if comment.verdict == V.DISCARD:
        return S.SPAM, "Akismet", "Akismet said blatant spam (discard)"
    if comment.verdict == V.ERROR:
        return S.PENDING, "Akismet", UNREACHABLE_REASON
    if comment.verdict == V.UNCHECKED:
        if spam.is_configured():
            return S.PENDING, "policy", "not checked by Akismet yet"
        return S.PENDING, "policy", "not checked: no Akismet key"
    decision = policies.decide(comment, policy)
    return decision.status, "policy", decision.reason


def file_comment(comment, *, policy=None):
    """Apply the recorded verdict and the policy to a pending comment.

    spam/discard → spam; error → stays pending, to be re-checked; unchecked → pending;
    ham → the policy decides (hold, approve); disallowed words → trash. A comment a
    person has already moved out of pending is left as it is. Returns the comment.
    """
    if comment.status != S.PENDING:
        return comment
    policy = policy or policies.current()
    to, label, reason = _filing(comment, policy)
    if to == S.PENDING and reason == comment.held_reason:
        return comment  # nothing new to record (e.g. a re-check that failed again)
    try:
        change_status(comment, to, actor_label=label, reason=reason)
    except TransitionError:
        logger.info("comment %s changed while being filed; left as it is", comment.pk)
        comment.refresh_from_db()
    return comment
