"""The moderators' actions, each one object: what it is called, which comments it applies
to, who may take it, and what it does.

Every place that offers an action reads `ACTIONS`: the queue's row buttons and bulk actions,
the comment's page, the confirmation page the mail's links open, and the mail itself. An
action is checked (`permitted`, `applies`) before it is executed; `execute` takes one
comment or many and returns what to tell the moderator, as (level, text) pairs. Status
changes go through `moderation.change_status`, which keeps the allowed transitions.
"""

from django.contrib import messages
from django.db.models import QuerySet
from django.utils.translation import ngettext

from articles import invalidation
from comments import moderation, queue, spam, tasks, throttle
from comments.history import who
from comments.models import Comment
from comments.moderation import TransitionError
from comments.reasons import MODERATOR_REASONS, NOTE_MAX, Reason

S = Comment.Status
MODERATE = "comments.moderate_comment"
DELETE = "comments.delete_comment"


def n_comments(n):
    return ngettext("%d comment", "%d comments", n) % n


class Action:
    """A status change a moderator takes: from any of `applies_to` to `to`. Subclasses
    change what `execute` does (Delete, CheckAgain); instances set the rest."""

    name = ""
    label = ""
    applies_to = frozenset()  # the statuses it acts on
    to = None  # the status it leads to; None: back to the one before
    permission = MODERATE
    admin_permission = "moderate"  # the same, as CommentAdmin's has_<…>_permission
    row_button_for = frozenset()  # the statuses whose queue rows show it as a button
    on_comment_page = True
    mail_verb = ""  # set: the moderators' mail links to it ("Approve it: …")
    bulk_name = ""  # the bulk action's name in the queue, if not `name`
    leaves_nothing = False  # True: the comment is gone afterwards, its page too
    asks_reason = False  # True: the moderator may say why (`moderator_reason`)
    key = ""  # the queue's keyboard key; actions that never apply to one status may share one

    def __init__(self, **attributes):
        for key, value in attributes.items():
            if not hasattr(type(self), key):
                raise TypeError(f"an action has no {key!r}")
            setattr(self, key, value)
        self.applies_to = frozenset(self.applies_to)
        self.row_button_for = frozenset(self.row_button_for)
        self.bulk_name = self.bulk_name or self.name

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    def permitted(self, user, comment=None):
        """May `user` take this action (on `comment`, if given)?"""
        return user.has_perm(self.permission)

    def ready(self):
        """Can it be taken at all on this site (e.g. is there an Akismet key)?"""
        return True

    def applies(self, comment):
        return comment.status in self.applies_to

    def offered(self, comment, user):
        """Show it as a button for `comment` to `user`?"""
        return self.ready() and self.applies(comment) and self.permitted(user, comment)

    def target(self, comment):
        """The status it moves `comment` to, or None if it does not apply."""
        if not self.applies(comment):
            return None
        if self.to is not None:
            return self.to
        previous = comment.previous_status  # pending if we do not know where it was
        return previous if previous and previous != comment.status else S.PENDING

    def execute(self, comments, user, why=("", None)):
        """Take the action on one comment or many; returns the (level, text) to report.
        `why`: the moderator's (reason, params) from `moderator_reason`, recorded in the
        history of each comment (only by an action that `asks_reason`)."""
        why = why if self.asks_reason else ("", None)
        if isinstance(comments, Comment):
            return self._one(comments, user, why)
        return self._many(comments, user, why)

    def take(self, comment, user, why=("", None)):
        """Change `comment`'s status, recording `why` (reason, params); True if it changed,
        False if the action does not apply. Raises `TransitionError` if someone else changed
        it first."""
        to = self.target(comment)
        if to is None:
            return False
        reason, params = why
        moderation.change_status(comment, to, actor=user, reason=reason, params=params)
        return True

    def _one(self, comment, user, why=("", None)):
        who, label = comment.author_name, self.label
        try:
            changed = self.take(comment, user, why)
        except TransitionError:
            return [(messages.ERROR, "Someone else changed this comment meanwhile; look again.")]
        status = comment.get_status_display().lower()
        if changed:
            return [(messages.INFO, f"{label}: the comment by {who} is now {status}.")]
        return [(messages.WARNING, f"{label} does not apply: the comment by {who} is {status}.")]

    def _many(self, comments, user, why=("", None)):
        # One decision on many comments: written in batches (`moderation.decide_many`), a
        # few queries and one new page version per article each, not per comment.
        reason, params = why
        with invalidation.bulk_decision():
            changed, skipped, conflicts = moderation.decide_many(
                comments, self.target, actor=user, reason=reason, params=params
            )
        changed = len(changed)
        note = f"{self.label}: {n_comments(changed)}."
        if skipped:
            note += f" {skipped} left as they were (the action does not apply to them)."
        if conflicts:
            note += f" {conflicts} changed by someone else meanwhile; not touched."
        return [(messages.SUCCESS if changed else messages.WARNING, note)]


class Delete(Action):
    """Spam and trash only: anything else is refused, not merely "does not apply"."""

    permission = DELETE
    admin_permission = "delete"
    on_comment_page = False  # the page has Django's own Delete link

    def permitted(self, user, comment=None):
        return super().permitted(user) and (comment is None or self.applies(comment))

    def _one(self, comment, user, why=None):
        Comment.objects.filter(pk=comment.pk).delete_permanently()
        return [(messages.INFO, f"Deleted the comment by {comment.author_name} permanently.")]

    def _many(self, comments, user, why=None):
        if not isinstance(comments, QuerySet):
            comments = Comment.objects.filter(pk__in=[c.pk for c in comments])
        total = comments.count()
        deleted = comments.delete_permanently()
        note = f"Deleted {n_comments(deleted)} permanently."
        if total - deleted:
            note += f" {total - deleted} kept: only spam and trash can be deleted."
        return [(messages.SUCCESS if deleted else messages.WARNING, note)]


class CheckAgain(Action):
    """Ask Akismet again about pending comments: the checks are enqueued (a worker calls
    Akismet and files each comment), within the per-minute budget of the key."""

    def ready(self):
        return spam.is_configured()

    def _one(self, comment, user, why=None):
        return self._many([comment], user)

    def _many(self, comments, user, why=None):
        if not self.ready():
            return [(messages.ERROR, "No Akismet key is configured: nothing can be checked.")]
        comments = [c for c in comments if self.applies(c)]
        if not comments:
            return [(messages.WARNING, "Only pending comments are checked again.")]
        granted = throttle.take_rechecks(len(comments))
        queued = sum(
            queue.enqueue(tasks.recheck_comment, c.pk, c.check_attempts) is not None
            for c in comments[:granted]
        )
        notes = []
        if queued:
            notes.append(
                (
                    messages.SUCCESS,
                    f"{n_comments(queued)} queued for a new check with Akismet; each is "
                    "filed by its verdict in a moment.",
                )
            )
        if queued < granted:
            notes.append(
                (
                    messages.ERROR,
                    f"{granted - queued} could not be queued: the queue is unreachable. "
                    "Try again later.",
                )
            )
        if granted < len(comments):
            notes.append(
                (
                    messages.WARNING,
                    f"{len(comments) - granted} not checked: at most "
                    f"{throttle.RECHECKS_PER_MINUTE} checks a minute, to save the Akismet "
                    "key's quota. Try again in a minute.",
                )
            )
        return notes


ALL = [
    Action(
        name="approve",
        label="Approve",
        applies_to={S.PENDING},
        to=S.APPROVED,
        row_button_for={S.PENDING},
        mail_verb="Approve",
        key="a",
    ),
    Action(
        name="unapprove",
        asks_reason=True,
        label="Unapprove",
        applies_to={S.APPROVED},
        to=S.PENDING,
        row_button_for={S.APPROVED},
        key="u",
    ),
    Action(
        name="spam",
        asks_reason=True,
        label="Mark as spam",
        applies_to={S.PENDING, S.APPROVED, S.TRASH},
        to=S.SPAM,
        row_button_for={S.PENDING, S.APPROVED},
        mail_verb="Spam",
        bulk_name="mark_spam",
        key="s",
    ),
    Action(
        name="not_spam", label="Not spam", applies_to={S.SPAM}, row_button_for={S.SPAM}, key="u"
    ),
    Action(
        name="trash",
        asks_reason=True,
        label="Move to trash",
        applies_to={S.PENDING, S.APPROVED, S.SPAM},
        to=S.TRASH,
        row_button_for={S.PENDING, S.APPROVED},
        mail_verb="Trash",
        key="t",
    ),
    Action(
        name="restore", label="Restore", applies_to={S.TRASH}, row_button_for={S.TRASH}, key="u"
    ),
    Delete(
        name="delete",
        label="Delete permanently",
        applies_to={S.SPAM, S.TRASH},
        leaves_nothing=True,
        row_button_for={S.SPAM, S.TRASH},
        bulk_name="delete_permanently",
    ),
    CheckAgain(
        name="check",
        label="Check again with Akismet",
        applies_to={S.PENDING},
        bulk_name="check_again",
    ),
]
ACTIONS = {action.name: action for action in ALL}


class DecidedMeanwhile(Exception):
    """Someone (or something) changed the comment after the moderator saw it; the message
    says who and to what. Nothing was overwritten."""


class DoesNotApply(ValueError):
    """The action does not apply to the comment as it is (and as the moderator saw it)."""


def keyed(user, comment):
    """{key: action name} of the keyboard actions `user` may take on `comment` now."""
    return {a.key: a.name for a in ALL if a.key and a.offered(comment, user)}


def key_help():
    """[(key, what it does)] for the queue's list of keys: one line per key."""
    labels = {}
    for action in ALL:
        if action.key:
            labels.setdefault(action.key, []).append(action.label)
    return [(key, " / ".join(names)) for key, names in labels.items()]


def meanwhile(comment):
    """ "Decided meanwhile by maria: spam." for a comment someone else just changed."""
    latest = moderation.latest_status_event(comment.pk)
    status = comment.get_status_display().lower()
    return f"Decided meanwhile by {who(latest)}: {status}."


def decide(action, comment, user, why=("", None), seen=""):
    """Take `action` on one `comment` as the moderator saw it (status `seen`, if given): the
    queue's keyboard path, one comment at a time, each decision undoable
    (`moderation.undo`). Returns the status `CommentEvent` of the change. Raises
    `DecidedMeanwhile` if the comment is no longer as seen (nothing is overwritten),
    `DoesNotApply` if the action never applied to it."""
    if seen and comment.status != seen:
        raise DecidedMeanwhile(meanwhile(comment))
    if not action.applies(comment):
        raise DoesNotApply(f"{action.label} does not apply to a {comment.status} comment.")
    try:
        action.take(comment, user, why if action.asks_reason else ("", None))
    except TransitionError:
        comment.refresh_from_db(fields=["status"])
        raise DecidedMeanwhile(meanwhile(comment)) from None
    return comment.status_event


class ReasonRefused(ValueError):
    """The reason sent with an action is not one of ours, or its note is too long."""


def reason_choices():
    """(code, label) of the reasons a moderator may give, for the forms' menus."""
    return [(str(code), str(Reason(code).label)) for code in MODERATOR_REASONS]


def moderator_reason(data):
    """The (reason, params) a moderator sent with an action (`reason`: a code of
    `MODERATOR_REASONS`, `reason_note`: their own words; both optional), for
    `Action.execute`. A note alone is "other". Raises `ReasonRefused` for anything else."""
    code = (data.get("reason") or "").strip()
    note = " ".join((data.get("reason_note") or "").split())
    if len(note) > NOTE_MAX:
        raise ReasonRefused(f"The note is too long: at most {NOTE_MAX} characters.")
    if not code:
        return (Reason.OTHER, {"note": note}) if note else ("", None)
    if code not in MODERATOR_REASONS:
        raise ReasonRefused("That reason is not one of the list; choose again.")
    return Reason(code), ({"note": note} if note else {})


def row_buttons(comment, user):
    """The buttons a queue row shows for `comment`, as on WordPress's comment screen."""
    return [a for a in ALL if comment.status in a.row_button_for and a.offered(comment, user)]


def page_buttons(comment, user):
    """The buttons the comment's page shows: every action that applies to it now."""
    return [a for a in ALL if a.on_comment_page and a.offered(comment, user)]


def in_mail():
    """The actions the moderators' mail links to, in order."""
    return [a for a in ALL if a.mail_verb]
