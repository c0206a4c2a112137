"""Why a comment is where it is, and what each line of its history says: a code and its
parameters, stored as data (`Comment.held_reason` + `held_params`, `CommentEvent.reason`
+ `reason_params`), and turned into a sentence here only, by `sentence()`.

Code compares codes (and parameters), never sentences: rewording one changes what people
read, nothing else. This module imports no model (the models import it).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    # Why a comment was filed where it is (the held reason, and status entries).
    HONEYPOT = "honeypot", _("Honeypot filled in")
    DISALLOWED_WORD = "disallowed_word", _("Disallowed word")
    AKISMET_SPAM = "akismet_spam", _("Akismet: spam")
    AKISMET_DISCARD = "akismet_discard", _("Akismet: blatant spam")
    AKISMET_UNREACHABLE = "akismet_unreachable", _("Akismet unreachable")
    NOT_CHECKED_YET = "not_checked_yet", _("Not checked yet")
    NO_AKISMET_KEY = "no_akismet_key", _("No Akismet key")
    GAVE_UP = "gave_up", _("Akismet gave up")
    POSTED_BY_MODERATOR = "posted_by_moderator", _("Posted by a moderator")
    LINKS = "links", _("Too many links")
    MODERATION_WORD = "moderation_word", _("Moderation word")
    LINKS_AND_WORD = "links_and_word", _("Too many links and a moderation word")
    MANUAL_APPROVAL = "manual_approval", _("Manual approval")
    KNOWN_AUTHOR = "known_author", _("Known author")
    FIRST_COMMENT = "first_comment", _("First comment")
    APPROVED_TO_REPLY = "approved_to_reply", _("Approved to reply")
    STAFF_REPLY = "staff_reply", _("Reply from a moderator")
    # Akismet's answers (check entries) and failures.
    AKISMET_SAID = "akismet_said", _("Akismet's verdict")
    KEY_REJECTED = "key_rejected", _("Akismet rejected the key")
    BAD_ANSWER = "bad_answer", _("Unexpected answer")
    TIMED_OUT = "timed_out", _("Timed out")
    HTTP_ERROR = "http_error", _("HTTP error")
    CONNECTION_ERROR = "connection_error", _("Connection error")
    AKISMET_ERROR = "akismet_error", _("Akismet error")
    # Feedback to Akismet.
    FEEDBACK_SENT = "feedback_sent", _("Feedback sent")
    FEEDBACK_FAILED = "feedback_failed", _("Feedback failed")
    FEEDBACK_NOT_SENT = "feedback_not_sent", _("Feedback not sent")
    # Personal data.
    ERASED = "erased", _("Personal data erased")
    RETENTION = "retention", _("Retention")
    # A moderator's reasons for Unapprove / Spam / Trash (`MODERATOR_REASONS`), each with
    # an optional note in their own words: {"note": …}.
    OFF_TOPIC = "off_topic", _("Off-topic")
    ABUSIVE = "abusive", _("Abusive")
    ADVERTISING = "advertising", _("Spam or advertising")
    PERSONAL_DATA = "personal_data", _("Personal data")
    DUPLICATE = "duplicate", _("Duplicate")
    # Readers' reports (`comments.reports`): sent back to the queue by {"reports": n} open
    # reports; a moderator's reasons for a decision on reports.
    REPORTED = "reported", _("Reported by readers")
    ILLEGAL = "illegal", _("Illegal content")
    NO_BREACH = "no_breach", _("Breaks no rule or law")
    # Its author changed the text (a published comment goes back to the queue).
    EDITED = "edited", _("Edited by its author")
    # Controls per commenter (`comments.commenters`, `comments.blocks`).
    BLOCKED = "blocked", _("Blocked")
    BANNED = "banned", _("Commenter banned")
    BAN_LIFTED = "ban_lifted", _("Ban lifted")
    TRUSTED_COMMENTER = "trusted_commenter", _("Trusted commenter")
    ALWAYS_PREMODERATE = "always_premoderate", _("Always premoderated")
    UNCONFIRMED_ADDRESS = "unconfirmed_address", _("Known author, address not confirmed")
    # Anything else (a moderator's own words, or a sentence from before codes): {"text": …}.
    OTHER = "other", _("Other")


R = Reason

# The reasons a moderator may give for taking a comment off (or keeping it off) the page,
# in the order the forms offer them; the reader sees the one chosen on the status page.
MODERATOR_REASONS = (
    R.OFF_TOPIC,
    R.ABUSIVE,
    R.ADVERTISING,
    R.PERSONAL_DATA,
    R.DUPLICATE,
    R.ILLEGAL,
    R.OTHER,
)
# The reasons for keeping a reported comment: the same note beside them.
KEEP_REASONS = (R.NO_BREACH, R.OTHER)
# A moderator's own words beside the reason: at most this long.
NOTE_MAX = 300


def _noted(words):
    return lambda p: words + (f": {p['note']}" if p.get("note") else "")


# The sentence for each code: a template filled with the parameters by name, or a function
# of them. Codes missing here (none, today) read as their label.
SENTENCES = {
    R.HONEYPOT: "the hidden honeypot field was filled in (a bot)",
    R.DISALLOWED_WORD: "matched disallowed word '{word}'",
    R.AKISMET_SPAM: "Akismet said spam",
    R.AKISMET_DISCARD: "Akismet said blatant spam (discard)",
    R.AKISMET_UNREACHABLE: "Akismet unreachable; it will be checked again",
    R.NOT_CHECKED_YET: "not checked by Akismet yet",
    R.NO_AKISMET_KEY: "not checked: no Akismet key",
    R.GAVE_UP: "Akismet could not check it within {days} days; a moderator decides",
    R.POSTED_BY_MODERATOR: "posted by a moderator",
    R.LINKS: "{links} links, the limit is {limit}",
    R.MODERATION_WORD: "matched moderation word '{word}'",
    R.LINKS_AND_WORD: lambda p: f"{sentence(R.LINKS, p)}; {sentence(R.MODERATION_WORD, p)}",
    R.MANUAL_APPROVAL: "every comment is approved by a moderator",
    R.KNOWN_AUTHOR: "author has a previously approved comment",
    R.FIRST_COMMENT: lambda p: (
        "first comment from this author"
        + (" (the story was in surge: first comments wait)" if p.get("surge") else "")
    ),
    R.APPROVED_TO_REPLY: "approved to reply to it",
    R.STAFF_REPLY: "reply from a moderator",
    R.AKISMET_SAID: lambda p: f"Akismet said {VERDICT_WORDS.get(p['verdict'], p['verdict'])}",
    R.KEY_REJECTED: lambda p: (
        "Akismet rejected the API key or site URL" + (f" ({p['help']})" if p.get("help") else "")
    ),
    R.BAD_ANSWER: "Akismet answered something unexpected",
    R.TIMED_OUT: "Akismet timed out after {seconds:g} s",
    R.HTTP_ERROR: "Akismet answered HTTP {status}",
    R.CONNECTION_ERROR: "Akismet unreachable ({error})",
    R.AKISMET_ERROR: "Akismet error ({error})",
    R.FEEDBACK_SENT: "submit-{kind} sent to Akismet",
    R.FEEDBACK_FAILED: lambda p: (
        f"submit-{p['kind']} failed: {sentence(p['error'], p.get('error_params'))}; will retry"
    ),
    R.FEEDBACK_NOT_SENT: "submit-{kind} not sent: the data Akismet checked is no longer "
    "stored (deleted after {days} days or erased)",
    R.ERASED: "personal data erased at the commenter's request",
    R.RETENTION: "IP address and user agent cleared after {days} days (retention)",
    R.OFF_TOPIC: _noted("off-topic"),
    R.ABUSIVE: _noted("abusive"),
    R.ADVERTISING: _noted("spam or advertising"),
    R.PERSONAL_DATA: _noted("contains personal data"),
    R.DUPLICATE: _noted("a duplicate"),
    R.REPORTED: "reported by {reports} readers; waiting for a moderator's decision",
    R.ILLEGAL: _noted("illegal content"),
    R.NO_BREACH: _noted("breaks neither the site's rules nor the law"),
    R.EDITED: "edited by its author; waiting to be approved again",
    R.BLOCKED: lambda p: (
        f"blocked {BLOCK_WORDS.get(p.get('kind'), 'by rule')} {p.get('value', '')}"
        + (f" ({p['reason']})" if p.get("reason") else "")
    ),
    R.BANNED: lambda p: "its author is banned" + (f" ({p['reason']})" if p.get("reason") else ""),
    R.BAN_LIFTED: "its author's ban was lifted",
    R.TRUSTED_COMMENTER: "its author is trusted (confirmed address)",
    R.ALWAYS_PREMODERATE: "its author is always premoderated",
    R.UNCONFIRMED_ADDRESS: "author has an approved comment, but the address is not confirmed",
    R.OTHER: lambda p: p.get("text") or p.get("note") or "other reason",
}

# How a block's kind reads in a sentence ("blocked e-mail domain example.com").
BLOCK_WORDS = {"email": "e-mail address", "domain": "e-mail domain", "network": "network"}

# How a check entry names Akismet's verdict (`Comment.Verdict`'s label, in lower case).
VERDICT_WORDS = {"discard": "discard (blatant spam)"}


def sentence(code, params=None):
    """The sentence a person reads for `code` with `params`: "" for no code."""
    if not code:
        return ""
    params = params or {}
    template = SENTENCES.get(code)
    if template is None:
        return str(Reason(code).label)
    if callable(template):
        return template(params)
    return template.format(**params)
