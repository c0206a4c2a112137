"""Preview links: a signed URL that shows a draft, a scheduled article or a revision waiting
to go live (in review or scheduled) to someone without an account.

The URL carries the link's token id signed (`django.core.signing`, its own salt): a
tampered or unknown token is a 404. The link is stored (`PreviewLink`: who made it, for
what, until when, revoked when), so it can be revoked; a revoked or expired link is a 410
(`Gone`). The page is never cached anywhere (`private, no-store`, outside the page cache),
says `noindex` (meta and `X-Robots-Tag`) and shows a "Preview" banner.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import revisions
from articles.models import Article, Category, PreviewLink, RevisionState

SALT = "articles.preview"
State = RevisionState.State
PREVIEWABLE_REVISIONS = (State.IN_REVIEW, State.SCHEDULED)


class Unknown(Exception):
    """No such link (tampered, or never made): a 404."""


class Gone(Exception):
    """The link was revoked or has expired, or its revision is no longer waiting: a 410."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def previewable_revision(article, revision_id):
    """The revision `revision_id` of `article` if it waits to go live, else None."""
    return (
        Article.history.filter(
            id=article.pk, history_id=revision_id, revision_state__in=PREVIEWABLE_REVISIONS
        )
        .select_related("history_user")
        .first()
    )


def check(article, revision_id):
    """Why a preview link to `article` (or its revision `revision_id`) makes no sense, as
    a sentence, or None: an article the public sees has its own address, and a revision
    must be waiting to go live."""
    if revision_id is None:
        if article.is_published:
            return _("This article is public: send its address instead of a preview link.")
        return None
    if previewable_revision(article, revision_id) is None:
        return _(
            "Revision #%(id)s of this article is not waiting to go live (in review or "
            "scheduled); choose one from the article's revisions."
        ) % {"id": revision_id}
    return None


def issue(link, user, hours=None):
    """Store new link `link` (its article and revision set) for `hours` (default
    PREVIEW_LINK_HOURS) from now, made by `user`."""
    hours = settings.PREVIEW_LINK_HOURS if hours is None else hours
    link.token = uuid.uuid4()
    link.created_by = user
    link.expires_at = timezone.now() + timedelta(hours=hours)
    link.revoked_at = None
    link.save()
    return link


def create(article, user, *, revision_id=None, hours=None):
    """A new preview link to `article` (or its waiting revision `revision_id`)."""
    return issue(PreviewLink(article=article, revision_id=revision_id), user, hours)


def revoke(link):
    """Stop `link` working now (a second revocation keeps the first time)."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


def url(link):
    return reverse("articles:preview", args=[signing.dumps(str(link.token), salt=SALT)])


def resolve(token):
    """(link, article to show) for a signed `token`; raises Unknown or Gone. The article
    shown is the stored article, or an unsaved copy holding the revision's fields."""
    try:
        token_id = uuid.UUID(signing.loads(token, salt=SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise Unknown from None
    link = PreviewLink.objects.filter(token=token_id).select_related("article__category").first()
    if link is None:
        raise Unknown
    if link.revoked_at is not None:
        raise Gone(_("This preview link was withdrawn by the newsroom."))
    if link.expires_at <= timezone.now():
        raise Gone(_("This preview link has expired."))
    if link.revision_id is None:
        return link, link.article
    record = previewable_revision(link.article, link.revision_id)
    if record is None:
        raise Gone(_("The change this link previewed has gone live or was withdrawn."))
    article = revisions.show_m2m(record.instance, record)
    # The revision's category, or the article's own if that one was deleted since.
    article.category = Category.objects.filter(pk=article.category_id).first() or (
        link.article.category
    )
    return link, article
