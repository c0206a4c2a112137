"""A comment's history as people read it on the comment's page: one sentence per entry
("Akismet said spam", "maria marked it not spam", "held: 3 links, the limit is 2")."""

from comments import reasons
from comments.models import Comment, CommentEvent

S = Comment.Status
K = CommentEvent.Kind

# What an automatic change did, by the status it led to.
_AUTOMATIC = {
    S.PENDING: "held",
    S.APPROVED: "approved automatically",
    S.SPAM: "moved to spam",
    S.TRASH: "moved to the trash",
}


def who(event):
    """The person's username, or the automatic actor's label ("Akismet", "policy")."""
    return event.actor.get_username() if event.actor_id else (event.actor_label or "someone")


def describe(event):
    """The entry as a sentence."""
    reason = reasons.sentence(event.reason, event.reason_params)
    if event.kind == K.STATUS:
        if event.details.get("undoes"):
            return f"{who(event)} undid their decision: {S(event.to_status).label.lower()} again"
        if event.actor_id:
            sentence = f"{who(event)} {_person_verb(event)}"
            return f"{sentence} ({reason})" if reason else sentence
        return _AUTOMATIC[event.to_status] + (f": {reason}" if reason else f" by {who(event)}")
    if event.kind == K.CHECK:
        again = event.details.get("recheck_reason")
        return reason + (f" (checked again: {again})" if again else "")
    if event.kind == K.FEEDBACK:
        return reason + (f" (reported by {who(event)})" if event.actor_id else "")
    fields = ", ".join(event.details.get("fields", [])) or "comment"
    return f"{who(event)} edited the {fields}" + (f": {reason}" if reason else "")


def _person_verb(event):
    old, new = event.from_status, event.to_status
    if new == S.SPAM:
        return "marked it as spam"
    if old == S.SPAM:
        return "marked it not spam"
    if new == S.TRASH:
        return "moved it to the trash"
    if old == S.TRASH:
        return "restored it"
    return "approved it" if new == S.APPROVED else "unapproved it"
