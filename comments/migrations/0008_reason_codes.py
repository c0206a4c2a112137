import re

from django.db import migrations, models

# The codes of `comments.reasons.Reason` when this migration was written.
CHOICES = [
    ("honeypot", "Honeypot filled in"),
    ("disallowed_word", "Disallowed word"),
    ("akismet_spam", "Akismet: spam"),
    ("akismet_discard", "Akismet: blatant spam"),
    ("akismet_unreachable", "Akismet unreachable"),
    ("not_checked_yet", "Not checked yet"),
    ("no_akismet_key", "No Akismet key"),
    ("gave_up", "Akismet gave up"),
    ("posted_by_moderator", "Posted by a moderator"),
    ("links", "Too many links"),
    ("moderation_word", "Moderation word"),
    ("links_and_word", "Too many links and a moderation word"),
    ("manual_approval", "Manual approval"),
    ("known_author", "Known author"),
    ("first_comment", "First comment"),
    ("approved_to_reply", "Approved to reply"),
    ("staff_reply", "Reply from a moderator"),
    ("akismet_said", "Akismet's verdict"),
    ("key_rejected", "Akismet rejected the key"),
    ("bad_answer", "Unexpected answer"),
    ("timed_out", "Timed out"),
    ("http_error", "HTTP error"),
    ("connection_error", "Connection error"),
    ("akismet_error", "Akismet error"),
    ("feedback_sent", "Feedback sent"),
    ("feedback_failed", "Feedback failed"),
    ("feedback_not_sent", "Feedback not sent"),
    ("erased", "Personal data erased"),
    ("retention", "Retention"),
    ("other", "Other"),
]

# Every sentence the code wrote before this migration (and the demo's wordings of them),
# as (code, pattern): the pattern's named groups are the parameters. Frozen here, as the
# sentences were: later rewording in `comments.reasons` changes nothing below.
WORD = r"'(?P<word>.*)'"
LINKS = r"(?P<links>\d+) links, the limit is (?P<limit>\d+)"
KIND = r"submit-(?P<kind>spam|ham)"
SENTENCES = [
    ("honeypot", r"the hidden honeypot field was filled in \(a bot\)"),
    ("disallowed_word", r"matched disallowed word " + WORD),
    ("akismet_spam", r"Akismet said spam"),
    ("akismet_discard", r"Akismet said blatant spam(?: \(discard\))?"),
    ("akismet_unreachable", r"Akismet unreachable; it will be checked again"),
    ("not_checked_yet", r"not checked by Akismet yet"),
    ("no_akismet_key", r"not checked: no Akismet key"),
    ("gave_up", r"Akismet could not check it within (?P<days>\d+) days; a moderator decides"),
    ("posted_by_moderator", r"posted by a moderator"),
    ("links_and_word", LINKS + r"; matched moderation word " + WORD),
    ("links", LINKS),
    ("moderation_word", r"matched moderation word " + WORD),
    ("manual_approval", r"every comment is approved by a moderator"),
    ("known_author", r"author has a previously approved comment"),
    ("first_comment", r"first comment from this author"),
    ("approved_to_reply", r"approved to reply to it"),
    ("staff_reply", r"reply from a moderator"),
    ("key_rejected", r"Akismet rejected the API key or site URL(?: \((?P<help>.*)\))?"),
    ("bad_answer", r"Akismet answered something unexpected"),
    ("timed_out", r"Akismet timed out after (?P<seconds>\d+(?:\.\d+)?) s"),
    ("http_error", r"Akismet answered HTTP (?P<status>\d+)"),
    ("connection_error", r"Akismet unreachable \((?P<error>\w+)\)"),
    ("akismet_error", r"Akismet error \((?P<error>\w+)\)"),
    ("feedback_sent", KIND + r" sent to Akismet"),
    ("feedback_failed", KIND + r" failed: (?P<error>.*); will retry"),
    (
        "feedback_not_sent",
        KIND + r" not sent: the data Akismet checked is no longer stored "
        r"\(deleted after (?P<days>\d+) days or erased\)",
    ),
    ("erased", r"personal data erased at the commenter's request"),
    ("retention", r"IP address and user agent cleared after (?P<days>\d+) days \(retention\)"),
]
# A check entry's "Akismet said spam" is Akismet's verdict, not a comment filed as spam.
CHECKED = ("akismet_said", r"Akismet said (?P<verdict>ham|spam|discard)(?: \(blatant spam\))?")
NUMBERS = {"links", "limit", "days", "status"}

# The sentences, for going back.
TEMPLATES = {
    "honeypot": "the hidden honeypot field was filled in (a bot)",
    "disallowed_word": "matched disallowed word '{word}'",
    "akismet_spam": "Akismet said spam",
    "akismet_discard": "Akismet said blatant spam (discard)",
    "akismet_unreachable": "Akismet unreachable; it will be checked again",
    "not_checked_yet": "not checked by Akismet yet",
    "no_akismet_key": "not checked: no Akismet key",
    "gave_up": "Akismet could not check it within {days} days; a moderator decides",
    "posted_by_moderator": "posted by a moderator",
    "links": "{links} links, the limit is {limit}",
    "moderation_word": "matched moderation word '{word}'",
    "links_and_word": "{links} links, the limit is {limit}; matched moderation word '{word}'",
    "manual_approval": "every comment is approved by a moderator",
    "known_author": "author has a previously approved comment",
    "first_comment": "first comment from this author",
    "approved_to_reply": "approved to reply to it",
    "staff_reply": "reply from a moderator",
    "akismet_said": "Akismet said {verdict}",
    "key_rejected": "Akismet rejected the API key or site URL",
    "bad_answer": "Akismet answered something unexpected",
    "timed_out": "Akismet timed out after {seconds:g} s",
    "http_error": "Akismet answered HTTP {status}",
    "connection_error": "Akismet unreachable ({error})",
    "akismet_error": "Akismet error ({error})",
    "feedback_sent": "submit-{kind} sent to Akismet",
    "feedback_failed": "submit-{kind} failed: {error}; will retry",
    "feedback_not_sent": "submit-{kind} not sent: the data Akismet checked is no longer "
    "stored (deleted after {days} days or erased)",
    "erased": "personal data erased at the commenter's request",
    "retention": "IP address and user agent cleared after {days} days (retention)",
    "other": "{text}",
}


def parse(text, check=False):
    """(code, params) for a stored sentence; one no pattern matches is kept as it is, as
    ("other", {"text": text})."""
    if not text:
        return "", {}
    for code, pattern in [CHECKED, *SENTENCES] if check else SENTENCES:
        match = re.fullmatch(pattern, text, re.DOTALL)
        if match:
            params = {k: v or "" for k, v in match.groupdict().items()}
            for name in NUMBERS & params.keys():
                params[name] = int(params[name])
            if "seconds" in params:
                seconds = float(params["seconds"])
                params["seconds"] = int(seconds) if seconds.is_integer() else seconds
            if code == "feedback_failed":
                params["error"], params["error_params"] = parse(params["error"])
            return code, params
    return "other", {"text": text}


def sentence(code, params):
    if not code:
        return ""
    params = dict(params or {})
    if code == "key_rejected":
        help_text = params.get("help")
        return TEMPLATES[code] + (f" ({help_text})" if help_text else "")
    if code == "akismet_said" and params.get("verdict") == "discard":
        params["verdict"] = "discard (blatant spam)"
    if code == "feedback_failed":
        params["error"] = sentence(params.get("error"), params.get("error_params"))
    try:
        return TEMPLATES[code].format(**params)
    except (KeyError, ValueError):
        return code


def _convert(model, text_field, params_field, change, kind=False):
    """Rewrite every row's reason with `change`, a thousand rows at a time, in pk order (a
    row is read once: a converted value is never taken for an old one)."""
    fields = ["pk", text_field, params_field] + (["kind"] if kind else [])
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list(*fields)[:1000]
        )
        if not rows:
            return
        last = rows[-1][0]
        changed = []
        for pk, value, params, *rest in rows:
            new_value, new_params = change(value, params, *rest)
            if (new_value, new_params) != (value, params):
                changed.append(
                    model(pk=pk, **{text_field: new_value, params_field: new_params})
                )
        model.objects.bulk_update(changed, [text_field, params_field])


def to_codes(apps, schema_editor):
    _convert(
        apps.get_model("comments", "Comment"),
        "held_reason",
        "held_params",
        lambda text, _params: parse(text),
    )
    _convert(
        apps.get_model("comments", "CommentEvent"),
        "reason",
        "reason_params",
        lambda text, _params, kind: parse(text, check=kind == "check"),
        kind=True,
    )


def to_sentences(apps, schema_editor):
    _convert(
        apps.get_model("comments", "Comment"),
        "held_reason",
        "held_params",
        lambda code, params: (sentence(code, params)[:255], {}),
    )
    _convert(
        apps.get_model("comments", "CommentEvent"),
        "reason",
        "reason_params",
        lambda code, params, _kind: (sentence(code, params), {}),
        kind=True,
    )


class Migration(migrations.Migration):
    """Reasons become codes with parameters (`comments.reasons`): each stored sentence is
    parsed; one that matches no known sentence is kept word for word, as code "other".
    Going back writes the sentences again."""

    dependencies = [("comments", "0007_comment_preview_secret")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="held_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason held: details"),
        ),
        migrations.AddField(
            model_name="commentevent",
            name="reason_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason: details"),
        ),
        migrations.RunPython(to_codes, to_sentences),
        migrations.AlterField(
            model_name="comment",
            name="held_reason",
            field=models.CharField(
                blank=True, choices=CHOICES, max_length=32, verbose_name="reason held"
            ),
        ),
        migrations.AlterField(
            model_name="commentevent",
            name="reason",
            field=models.CharField(
                blank=True, choices=CHOICES, max_length=32, verbose_name="reason"
            ),
        ),
    ]
