"""Revisions of articles and categories: reading them, comparing two, proposing, applying.

Every save of an article or a category keeps a revision, a row of its history table
(django-simple-history: `Article.history`, `Category.history`), with who saved it, when,
and every field. Articles' revisions also have a state (`RevisionState`): most are SAVED
(what was stored); a writer's edit of a published article is a proposal IN_REVIEW, kept
beside the live text until an editor publishes it now (`apply`) or at a time (`schedule`,
applied by `apply_due`, which the scheduler runs every minute).

Applying a proposal is a normal save of the article (so caches, the search vector, feeds
and sitemaps follow), which records a SAVED revision of its own.
"""

import difflib
import logging
import re
from dataclasses import dataclass
from html import unescape

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.html import sanitize_article_html
from articles.models import Article, Category, RevisionState

logger = logging.getLogger(__name__)

State = RevisionState.State

# The fields a person edits, in the order the diff shows them.
ARTICLE_FIELDS = [
    "title",
    "slug",
    "category",
    "standfirst",
    "body",
    "image",
    "image_alt",
    "image_caption",
    "status",
    "published_at",
    "unpublish_at",
    "featured",
    "comments_open",
    "meta_description",
]
CATEGORY_FIELDS = ["name", "slug", "parent", "position", "description"]

# Block-level tags end a paragraph in the body's text rendition.
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|tr|table)>|<(br|hr)\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")
# What a diff compares: words, runs of spaces, runs of punctuation.
_WORDS = re.compile(r"\w+|\s+|[^\w\s]+")


def body_paragraphs(html):
    """The body's text, one paragraph (or heading, list item) a line: what the diff reads,
    so a change shows as words, not as markup."""
    text = _BLOCK_END.sub("\n", html or "")
    lines = (" ".join(unescape(_TAG.sub(" ", line)).split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def fields_of(model):
    return ARTICLE_FIELDS if model is Article else CATEGORY_FIELDS


def history_of(obj):
    """The object's revisions, newest first."""
    return type(obj).history.filter(id=obj.pk).select_related("history_user")


def latest_saved_id(model, pk):
    """The id of the newest revision that was stored (the one a form is based on), or None."""
    history = model.history.filter(id=pk)
    if model is Article:
        history = history.filter(revision_state=State.SAVED)
    return history.order_by("-history_id").values_list("history_id", flat=True).first()


def _shown(record, name, categories):
    """A field's value of a revision as text a person reads."""
    value = getattr(record, f"{name}_id" if name in ("category", "parent") else name, None)
    if name == "body":
        return body_paragraphs(value)
    if name in ("category", "parent"):
        if value is None:
            return ""
        category = categories.get(value)
        return category.path if category else _("(deleted category #%s)") % value
    if name in ("published_at", "unpublish_at"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
    if name == "comments_open":
        return _("yes") if value else _("no")
    if name == "status":
        return str(dict(Article.Status.choices).get(value, value))
    return "" if value is None else str(value)


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    # (op, text): op "same", "del" or "ins"; words, spaces and punctuation.
    chunks: list


def _chunks(old, new):
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    chunks = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            chunks.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            chunks.append(("ins", "".join(b[j1:j2])))
    return chunks


def compare(old, new):
    """What changed from revision `old` to revision `new` (of one article or category), as
    text: one FieldDiff per field that differs, words deleted and inserted."""
    model = old.instance_type
    names = fields_of(model)
    category_ids = {
        getattr(r, f"{n}_id")
        for r in (old, new)
        for n in ("category", "parent")
        if n in names and getattr(r, f"{n}_id", None)
    }
    categories = Category.objects.in_bulk(category_ids)
    diffs = []
    for name in names:
        before, after = _shown(old, name, categories), _shown(new, name, categories)
        if before != after:
            label = str(model._meta.get_field(name).verbose_name)
            diffs.append(FieldDiff(name, label, before, after, _chunks(before, after)))
    return diffs


def _record_from(article, user, state, reason, apply_at=None):
    """A revision holding `article`'s current (unsaved) field values, not applied."""
    History = Article.history.model
    values = {}
    for field in History._meta.fields:
        if field.attname in {"id"} or not hasattr(article, field.attname):
            continue
        if field.name.startswith("history_") or field.name in ("revision_state", "apply_at"):
            continue
        values[field.attname] = getattr(article, field.attname)
    values["body"] = sanitize_article_html(values.get("body") or "")
    return History.objects.create(
        id=article.pk,
        history_date=timezone.now(),
        history_type="~",
        history_user=user,
        history_change_reason=reason,
        revision_state=state,
        apply_at=apply_at,
        **values,
    )


def propose(article, user):
    """Keep `article`'s edited fields (not saved) as a revision in review: the live text
    stays until an editor applies it. It replaces the same person's earlier revision still
    in review (dropped: the new one is where they went on from)."""
    Article.history.filter(id=article.pk, revision_state=State.IN_REVIEW, history_user=user).update(
        revision_state=State.DROPPED
    )
    return _record_from(article, user, State.IN_REVIEW, _("Submitted for review"))


def pending(article):
    """The revisions of `article` waiting to go live (in review or scheduled), newest first."""
    return history_of(article).filter(revision_state__in=[State.IN_REVIEW, State.SCHEDULED])


@transaction.atomic
def apply(record, user=None, reason=None):
    """Make revision `record` the article's text: a normal save (which records a SAVED
    revision). Returns the article, or None if it is gone (the revision is dropped) or the
    revision was applied or dropped already (two schedulers, a double click)."""
    record = Article.history.select_for_update().get(history_id=record.history_id)
    if record.revision_state not in (State.IN_REVIEW, State.SCHEDULED):
        logger.info("revision %s is %s already", record.history_id, record.revision_state)
        return None
    article = Article.objects.select_for_update().filter(pk=record.id).first()
    if article is None:
        record.revision_state = State.DROPPED
        record.save(update_fields=["revision_state"])
        logger.warning(
            "revision %s of article %s dropped: the article no longer exists",
            record.history_id,
            record.id,
        )
        return None
    for name in ARTICLE_FIELDS:
        attname = f"{name}_id" if name == "category" else name
        if name in ("status", "published_at", "unpublish_at", "featured"):
            continue  # publishing fields stay the live article's
        setattr(article, attname, getattr(record, attname))
    if not Category.objects.filter(pk=article.category_id).exists():
        article.category_id = Article.objects.values_list("category_id").get(pk=article.pk)[0]
    article._history_user = user or record.history_user
    article._change_reason = reason or _("Revision #%s went live") % record.history_id
    article.save()
    record.revision_state = State.APPLIED
    record.save(update_fields=["revision_state"])
    return article


def schedule(record, at):
    """Let revision `record` go live at `at` (the scheduler applies it within a minute)."""
    record.revision_state = State.SCHEDULED
    record.apply_at = at
    record.save(update_fields=["revision_state", "apply_at"])


def apply_due(now=None):
    """Apply every scheduled revision whose time has come, oldest first; a revision of a
    deleted article is dropped and logged. Returns the revisions applied."""
    now = now or timezone.now()
    due = Article.history.filter(revision_state=State.SCHEDULED, apply_at__lte=now).order_by(
        "apply_at", "history_id"
    )
    applied = []
    for record in due:
        if apply(record) is not None:
            applied.append(record.history_id)
    return applied
