"""A reader's comment from POST to queue: save it, check it, file it.

The comment is saved (committed) before anything else can go wrong, so nothing a reader
wrote is ever lost; the Akismet call runs outside any transaction; then `file_comment`
applies Akismet's verdict and the moderation policy through `moderation.change_status`.
"""

import logging

from articles.people import display_name
from comments import notify, spam
from comments import policy as policies
from comments.models import Comment, CommentEvent
from comments.moderation import TransitionError, change_status
from comments.reasons import Reason

logger = logging.getLogger(__name__)

S = Comment.Status
V = Comment.Verdict


def submit(comment, *, honeypot=""):
    """Save a new `comment`, have Akismet check it, and file it. Returns the comment."""
    comment.save()  # autocommit: the project has no ATOMIC_REQUESTS
    if honeypot:
        # The client cannot send the honeypot's value, so Akismet would not see it: we
        # file it ourselves, without spending a call.
        change_status(comment, S.SPAM, actor_label="honeypot", reason=Reason.HONEYPOT)
        return comment
    policy = policies.current()
    # Disallowed words go to the trash whatever Akismet says; don't spend a call on them
    # (as the WordPress plugin since 5.3.3).
    if spam.is_configured() and not policies.disallowed_word(comment, policy):
        spam.check(comment)
    return file_comment(comment, policy=policy)


def _filing(comment, policy):
    """(status, actor_label, reason, params) for a pending comment with its recorded
    verdict."""
    word = policies.disallowed_word(comment, policy)
    if word:
        return S.TRASH, "policy", Reason.DISALLOWED_WORD, {"word": word}
    if comment.verdict == V.SPAM:
        return S.SPAM, "Akismet", Reason.AKISMET_SPAM, {}
    if comment.verdict == V.DISCARD:
        return S.SPAM, "Akismet", Reason.AKISMET_DISCARD, {}
    if comment.verdict == V.ERROR:
        return S.PENDING, "Akismet", Reason.AKISMET_UNREACHABLE, {}
    if comment.verdict == V.UNCHECKED:
        if spam.is_configured():
            return S.PENDING, "policy", Reason.NOT_CHECKED_YET, {}
        return S.PENDING, "policy", Reason.NO_AKISMET_KEY, {}
    decision = policies.decide(comment, policy)
    return decision.status, "policy", decision.reason, decision.params


def file_comment(comment, *, policy=None):
    """Apply the recorded verdict and the policy to a pending comment.

    spam/discard → spam; error → stays pending, to be re-checked; unchecked → pending;
    ham → the policy decides (hold, approve); disallowed words → trash. A comment a
    person has already moved out of pending is left as it is. Moderators are mailed about
    a held comment (not about spam, nor about one still waiting for a re-check). Returns
    the comment.
    """
    if comment.status != S.PENDING:
        return comment
    policy = policy or policies.current()
    to, label, reason, params = _filing(comment, policy)
    if to == S.PENDING and (reason, params) == (comment.held_reason, comment.held_params):
        return comment  # nothing new to record (e.g. a re-check that failed again)
    try:
        change_status(comment, to, actor_label=label, reason=reason, params=params)
    except TransitionError:
        logger.info("comment %s changed while being filed; left as it is", comment.pk)
        comment.refresh_from_db()
        return comment
    if to == S.PENDING:
        notify.comment_held(comment, policy)
    return comment


def check_again(comment):
    """A moderator's "Check again with Akismet" on a pending comment: re-check it
    (`recheck_reason` "edit" if it was edited since the last check, else "recheck_queue")
    and file it by the verdict. Returns the verdict, or None if it is not pending."""
    if comment.status != S.PENDING:
        return None
    edited = comment.history.filter(kind=CommentEvent.Kind.EDIT)
    if comment.checked_at:
        edited = edited.filter(created_at__gt=comment.checked_at)
    reason = "edit" if edited.exists() else "recheck_queue"
    verdict = spam.check(comment, recheck_reason=reason)
    file_comment(comment)
    return verdict


class ReplyRefused(Exception):
    """A staff reply cannot go under this comment."""


def staff_reply(parent, user, body, *, user_ip=None, user_agent="", referrer=""):
    """A moderator's reply from the comment's page: threaded under `parent`, saved first,
    checked by Akismet (which is told `user_role`), and approved in the moderator's name.
    A pending parent is approved first (WordPress's "Approve and Reply")."""
    if parent.status not in (S.PENDING, S.APPROVED):
        raise ReplyRefused("only pending or approved comments can be replied to")
    if parent.depth >= policies.current().thread_depth:
        raise ReplyRefused("this comment is already at the deepest reply level")
    if parent.status == S.PENDING:
        change_status(parent, S.APPROVED, actor=user, reason=Reason.APPROVED_TO_REPLY)
    reply = Comment(
        article=parent.article,
        parent=parent,
        author_name=display_name(user),
        author_email=user.email,
        body=body,
        user=user,
        user_ip=user_ip,
        user_agent=user_agent[:512],
        referrer=referrer[:1024],
    )
    reply.save()
    if spam.is_configured():
        spam.check(reply)
    change_status(reply, S.APPROVED, actor=user, reason=Reason.STAFF_REPLY)
    return reply
