"""Revisions of articles and categories: reading them, comparing two, proposing, applying.

Every save of an article or a category keeps a revision, a row of its history table
(django-simple-history: `Article.history`, `Category.history`), with who saved it, when,
and every field. Articles' revisions also have a state (`RevisionState`): most are SAVED
(what was stored); a writer's edit of a published article is a proposal IN_REVIEW, kept
beside the live text until an editor publishes it now (`apply`) or at a time (`schedule`,
applied by `apply_due`, which the scheduler runs every minute).

Applying a proposal is a normal save of the article (so caches, the search vector, feeds
and sitemaps follow), which records a SAVED revision of its own.

An article's authors and tags (many-to-many) are kept in each of its revisions as the
ordered ids (`author_ids`, `tag_ids`), written in the row's own insert (`record_m2m`, on
django-simple-history's `pre_create_historical_record`): the ones a form is about to set
(`set_pending_m2m`; the admin sets the many-to-many after the save) or else the stored
ones. Revisions made before they were kept have None: "not recorded", never a change.
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
from articles.models import Article, Category, RevisionState, Tag
from articles.people import display_name

logger = logging.getLogger(__name__)

State = RevisionState.State

# The fields a person edits, in the order the diff shows them.
ARTICLE_FIELDS = [
    "title",
    "slug",
    "category",
    "authors",
    "tags",
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
# The many-to-many fields an article's revision keeps, and the history column of each.
M2M_FIELDS = {"authors": "author_ids", "tags": "tag_ids"}

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


def set_pending_m2m(article, authors=None, tags=None):
    """The authors and tags (objects or ids) `article`'s next revision records: the ones a
    form sets after the save (the admin saves the many-to-many after the article). None:
    the stored ones."""
    pending = {}
    for column, items in (("author_ids", authors), ("tag_ids", tags)):
        if items is not None:
            pending[column] = sorted(getattr(item, "pk", item) for item in items)
    article._revision_m2m = pending


def m2m_ids(article):
    """{"author_ids": [...], "tag_ids": [...]} for a revision of `article`: the pending ones
    (`set_pending_m2m`) or else the stored ones (a query for each)."""
    ids = dict(getattr(article, "_revision_m2m", None) or {})
    for name, column in M2M_FIELDS.items():
        if column in ids:
            continue
        if article.pk is None:
            ids[column] = []
            continue
        field = Article._meta.get_field(name)
        rows = field.remote_field.through.objects.filter(article_id=article.pk)
        ids[column] = sorted(rows.values_list(field.m2m_reverse_name(), flat=True))
    return ids


def record_m2m(sender, instance, history_instance, **kwargs):
    """Fill a new article revision's authors and tags before its row is inserted (a
    `pre_create_historical_record` receiver, connected in `ArticlesConfig.ready`)."""
    for column, ids in m2m_ids(instance).items():
        setattr(history_instance, column, ids)


def restorable_m2m(record):
    """What restoring `record` gives its article's authors and tags: ({field: [ids that
    still exist]}, {field: [ids gone]}), or (None, None) when the revision does not record
    them (made before they were kept; not an article)."""
    if getattr(record, "author_ids", None) is None or record.tag_ids is None:
        return None, None
    User = Article.authors.field.related_model
    found = {
        "authors": set(User.objects.filter(pk__in=record.author_ids).values_list("pk", flat=True)),
        "tags": set(Tag.objects.filter(pk__in=record.tag_ids).values_list("pk", flat=True)),
    }
    kept, gone = {}, {}
    for name, column in M2M_FIELDS.items():
        ids = getattr(record, column)
        kept[name] = [i for i in ids if i in found[name]]
        gone[name] = [i for i in ids if i not in found[name]]
    return kept, gone


def show_m2m(article, record):
    """Let `article` (revision `record`'s unsaved copy, for a preview) show the revision's
    authors and tags that still exist, as a prefetch leaves them (`article.authors.all()`
    reads them); a revision that does not record them shows the stored ones."""
    if record.author_ids is None or record.tag_ids is None:
        return article
    User = Article.authors.field.related_model
    authors = User.objects.filter(pk__in=record.author_ids).select_related("author_profile")
    tags = Tag.objects.filter(pk__in=record.tag_ids)
    article._prefetched_objects_cache = {"authors": authors.order_by("pk"), "tags": tags}
    for queryset in article._prefetched_objects_cache.values():
        list(queryset)  # evaluated now: its results are kept, as a prefetch's are
    return article


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
    # Said instead of a change (authors and tags a revision does not record).
    note: str = ""


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


def _m2m_names(old, new):
    """{"authors": {id: name}, "tags": {id: name}} for the ids two revisions record (a
    query for each kind named, none when both revisions hold the same)."""
    names = {"authors": {}, "tags": {}}
    ids = {name: set() for name in M2M_FIELDS}
    for name, column in M2M_FIELDS.items():
        a, b = getattr(old, column), getattr(new, column)
        if a is not None and b is not None and set(a) != set(b):
            ids[name] = set(a) | set(b)
    if ids["authors"]:
        User = Article.authors.field.related_model
        for user in User.objects.filter(pk__in=ids["authors"]):
            names["authors"][user.pk] = display_name(user)
    if ids["tags"]:
        names["tags"] = dict(Tag.objects.filter(pk__in=ids["tags"]).values_list("pk", "name"))
    return names


def _m2m_diff(name, label, old, new, names):
    """Authors as the byline before → after (names gone struck, names added inserted);
    tags as +added −removed. None when equal."""
    column = M2M_FIELDS[name]
    before, after = getattr(old, column), getattr(new, column)
    if before is None and after is None:
        return None
    if before is None or after is None:
        unrecorded = old if before is None else new
        note = _("not recorded in revision #%s (made before authors and tags were kept)") % (
            unrecorded.history_id
        )
        return FieldDiff(name, label, "", "", [], note)
    if set(before) == set(after):
        return None
    known = names[name]
    gone_label = _("(deleted author #%s)") if name == "authors" else _("(deleted tag #%s)")

    def shown(pk):
        return known.get(pk) or gone_label % pk

    if name == "authors":
        old_text = ", ".join(shown(pk) for pk in before) or _("(none)")
        new_text = ", ".join(shown(pk) for pk in after) or _("(none)")
        chunks = []
        for pk in before:
            chunks += [("same", ", ")] if chunks else []
            chunks.append(("same" if pk in after else "del", shown(pk)))
        chunks += [] if before else [("same", _("(none)"))]
        chunks.append(("same", " → "))
        start = len(chunks)
        for pk in after:
            chunks += [("same", ", ")] if len(chunks) > start else []
            chunks.append(("same" if pk in before else "ins", shown(pk)))
        chunks += [] if after else [("same", _("(none)"))]
        return FieldDiff(name, label, old_text, new_text, chunks)
    added = sorted((shown(pk) for pk in set(after) - set(before)), key=str.casefold)
    removed = sorted((shown(pk) for pk in set(before) - set(after)), key=str.casefold)
    chunks = []
    for op, sign, items in (("ins", "+", added), ("del", "−", removed)):
        for text in items:
            chunks += [("same", f" {sign}" if chunks else sign), (op, text)]
    old_text = ", ".join(sorted((shown(pk) for pk in before), key=str.casefold))
    new_text = ", ".join(sorted((shown(pk) for pk in after), key=str.casefold))
    return FieldDiff(name, label, old_text, new_text, chunks)


def compare(old, new):
    """What changed from revision `old` to revision `new` (of one article or category), as
    text: one FieldDiff per field that differs, words deleted and inserted; an article's
    authors and tags as names added and removed."""
    model = old.instance_type
    names = fields_of(model)
    category_ids = {
        getattr(r, f"{n}_id")
        for r in (old, new)
        for n in ("category", "parent")
        if n in names and getattr(r, f"{n}_id", None)
    }
    categories = Category.objects.in_bulk(category_ids)
    m2m_names = _m2m_names(old, new) if model is Article else {}
    diffs = []
    for name in names:
        if name in M2M_FIELDS:
            label = str(model._meta.get_field(name).verbose_name)
            diff = _m2m_diff(name, label, old, new, m2m_names)
            if diff is not None:
                diffs.append(diff)
            continue
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
    values.update(m2m_ids(article))
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
        if name in ("status", "published_at", "unpublish_at", "featured", *M2M_FIELDS):
            continue  # publishing fields stay the live article's
        setattr(article, attname, getattr(record, attname))
    if not Category.objects.filter(pk=article.category_id).exists():
        article.category_id = Article.objects.values_list("category_id").get(pk=article.pk)[0]
    kept, _gone = restorable_m2m(record)
    if kept is not None:  # the authors and tags it names that still exist
        set_pending_m2m(article, kept["authors"], kept["tags"])
    article._history_user = user or record.history_user
    article._change_reason = reason or _("Revision #%s went live") % record.history_id
    article.save()
    if kept is not None:
        article.authors.set(kept["authors"])
        article.tags.set(kept["tags"])
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
