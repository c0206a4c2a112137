"""What moderators do to one person (by e-mail address): set a trust level, ban, lift a
ban, and an author's own request to confirm their address (`comments.commenters` reads).

A ban can hide the person's published comments: moved to trash by a worker in batches
(`hide_published`, each move in the comment's history with reason "banned"), shown again
when the ban is lifted (`restore_hidden`). Trash hidden by a ban is kept while the ban
stands (retention never purges it).
"""

from django.utils import timezone

from comments import moderation, queue, subscriptions
from comments.commenters import level_set, normalise, of, record
from comments.models import Comment, Commenter, Subscriber
from comments.reasons import Reason

S = Comment.Status
L = Commenter.Level
# Comments moved per transaction when a ban hides (or its lifting shows) a history.
BATCH = 500


def set_level(email, level, *, by, reason="", hide_published=False):
    """A moderator sets `level` for `email` ("" to go back to computed new/known). Lifting a
    ban shows again what it hid. Hiding (with a ban) and showing are done by a worker after
    the commit, in batches: the request never waits for a long history. Returns the record
    (None when cleared)."""
    email = normalise(email)
    was = level_set(email)
    if level:
        rec, _created = Commenter.objects.update_or_create(
            email=email,
            defaults={"level": L(level), "reason": reason, "set_by": by, "set_at": timezone.now()},
        )
    else:
        Commenter.objects.filter(email=email).delete()
        rec = None
    from comments import tasks

    actor_id = getattr(by, "pk", None)
    if level == L.BANNED and hide_published:
        queue.after_commit(tasks.hide_banned_comments, email, actor_id)
    elif was == L.BANNED and level != L.BANNED:
        queue.after_commit(tasks.restore_banned_comments, email, actor_id)
    return rec


def _in_batches(comments, old, to, *, actor, reason, params=None, batch=BATCH):
    moved = 0
    while True:
        pks = list(comments.filter(status=old).order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return moved
        done = moderation.change_status_many(
            pks, old, to, actor=actor, actor_label="ban", reason=reason, params=params
        )
        moved += done
        if not done:  # someone else moved them meanwhile
            return moved


def hide_published(email, actor=None, batch=BATCH):
    """Move a banned address's published comments to trash (reason "banned"), in batches.
    Nothing happens if the ban was lifted meanwhile. Returns how many moved."""
    rec = record(email)
    if rec is None or rec.level != L.BANNED:
        return 0
    params = {"reason": rec.reason} if rec.reason else {}
    return _in_batches(
        of(email),
        S.APPROVED,
        S.TRASH,
        actor=actor,
        reason=Reason.BANNED,
        params=params,
        batch=batch,
    )


def restore_hidden(email, actor=None, batch=BATCH):
    """Show again what a ban hid (its trash with reason "banned"), unless banned again."""
    if level_set(email) == L.BANNED:
        return 0
    hidden = of(email).filter(held_reason=Reason.BANNED)
    return _in_batches(
        hidden, S.TRASH, S.APPROVED, actor=actor, reason=Reason.BAN_LIFTED, batch=batch
    )


def ask_to_confirm(comment, ip=None):
    """The author of `comment` asks to confirm their address from its status page, without
    subscribing to anything: the notifications' confirmation mail (same limits, same
    link). Returns "confirmed" (nothing to do), "sent" or "limited" (a mail went out in the
    last hour, or this IP address asked too often)."""
    email = normalise(comment.author_email)
    subscriber, _created = Subscriber.objects.get_or_create(email=email)
    if subscriber.confirmed_at and not subscriber.bouncing_at:
        return "confirmed"
    return "sent" if subscriptions.ask_confirmation(subscriber, ip) else "limited"
