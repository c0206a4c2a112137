"""Corrections and updates: dated notes appended to published articles.

A note is part of the article: writing, changing or deleting one saves the article with a
reason (a revision like any other, `articles.revisions`), which moves its time modified
(`updated_at`: the page's "Updated" line, JSON-LD `dateModified`, the feeds) and, through
the article's save, the content version (`articles.invalidation`). Where the notes show on
the article page is the setting `CORRECTIONS_POSITION` ("top" or "bottom").
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from articles.models import Article, Correction

POSITIONS = ("top", "bottom")


def position():
    """Where the notes show on the article page: "top" (under the headline) or "bottom"."""
    return settings.CORRECTIONS_POSITION


def _revise(article_id, user, reason):
    article = Article.objects.select_for_update().get(pk=article_id)
    article._history_user = user
    article._change_reason = reason
    article.save()


@transaction.atomic
def save_note(correction, user=None):
    """Store `correction` (new or changed) and save its article's revision with a reason."""
    added = correction.pk is None
    if added and user is not None and correction.created_by_id is None:
        correction.created_by = user
    correction.save()
    kind = correction.get_kind_display()
    reason = (_("%s added") if added else _("%s changed")) % kind
    _revise(correction.article_id, user, reason)
    return correction


@transaction.atomic
def delete_note(correction, user=None):
    """Remove `correction` and save its article's revision with a reason."""
    article_id, kind = correction.article_id, correction.get_kind_display()
    correction.delete()
    _revise(article_id, user, _("%s removed") % kind)


def schema_corrections(corrections):
    """schema.org `correction` values of an article: its corrections (not its updates) as
    CorrectionComment items, oldest first."""
    return [
        {
            "@type": "CorrectionComment",
            "text": c.note_text,
            "datePublished": c.published_at.isoformat(),
        }
        for c in corrections
        if c.kind == Correction.Kind.CORRECTION
    ]
