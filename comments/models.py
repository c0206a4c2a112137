import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connections, models, transaction
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.prepared import Prepared
from articles.xmltext import xml_safe
from comments import reasons, render, text
from comments.reasons import Reason

# The reader's text fields: kept free of what XML 1.0 forbids (comments can reach feeds
# and mail), whichever way they are written.
READER_TEXT = ("author_name", "author_email", "author_url", "body")

# WordPress's limits, so nothing a WordPress reader can post is refused here.
MAX_NAME = 245
MAX_EMAIL = 100
MAX_URL = 200
MAX_BODY = 65525


SURGE_AT_LEAST_ONE = _(
    "Enter 1 or more. To stop articles switching to surge by themselves, untick "
    "“switch busy stories to surge automatically” instead."
)

# Spam filed by a rule about its author, not its text: its author sees "awaiting moderation".
BY_RULE = (Reason.BLOCKED, Reason.BANNED)


def new_preview_secret():
    return secrets.token_urlsafe(24)


class CommentQuerySet(models.QuerySet):
    # The stored HTML follows the body whichever way it is written: save(), update(),
    # bulk_create(), bulk_update().

    def update(self, **fields):
        for name in READER_TEXT:
            if isinstance(fields.get(name), str):
                fields[name] = xml_safe(fields[name])
        if "body" in fields and "body_html" not in fields:  # bulk_update() sends both
            if not isinstance(fields["body"], str):
                raise TypeError("update(body=...) takes text: its HTML is rendered from it")
            fields["body_html"] = text.render(fields["body"])
        return super().update(**fields)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.prepare_text()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        for obj in objs:
            obj.prepare_text(fields)
        if "body" in fields and "body_html" not in fields:
            fields.append("body_html")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def approved(self):
        """The one definition of "public": approved comments on published articles."""
        return self.filter(
            status=Comment.Status.APPROVED,
            article__in=Article.objects.published(),
        )

    def awaiting_moderation(self):
        """The moderators' queue: pending comments, whatever held them."""
        return self.filter(status=Comment.Status.PENDING)

    def status_counts(self):
        """{"pending": n, "approved": n, "spam": n, "discard": n, "trash": n}: one grouped
        query for the queue's status filter. "spam" excludes blatant (discard) spam,
        which is counted apart, as the default spam view hides it."""
        counts = dict.fromkeys([*Comment.Status.values, "discard"], 0)
        rows = self.values("status").annotate(
            n=models.Count("pk"),
            discard=models.Count("pk", filter=models.Q(verdict=Comment.Verdict.DISCARD)),
        )
        for row in rows.order_by():
            counts[row["status"]] = row["n"]
            if row["status"] == Comment.Status.SPAM:
                counts["spam"] = row["n"] - row["discard"]
                counts["discard"] = row["discard"]
        return counts

    def with_author_approved_count(self):
        """Annotate `author_approved`: how many approved comments the same email address
        (in any case) has, as WordPress shows "N approved" beside each author (a subquery
        in the same query, so a page of the queue costs one query whatever its length)."""
        # On the lower-cased address (the flood check's index): a per-row lookup on a
        # million comments, not a scan.
        approved = (
            Comment.objects.annotate(email=Lower("author_email"))
            .filter(email=Lower(models.OuterRef("author_email")), status=Comment.Status.APPROVED)
            .order_by()
            .values("email")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            author_approved=Coalesce(models.Subquery(approved), 0),
        )

    def by_email(self, email):
        """Every comment written with this e-mail address (any case): one person's data."""
        return self.filter(author_email__iexact=email.strip())

    def delete_permanently(self):
        """Delete these comments (only spam and trash: nothing public or waiting is ever
        deleted by accident), with their history; returns how many. Their replies move
        up one level, as in WordPress."""
        doomed = self.filter(status__in=[Comment.Status.SPAM, Comment.Status.TRASH])
        ids = list(doomed.values_list("pk", flat=True))
        deleted = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            with transaction.atomic():
                lifted = Comment.objects.filter(parent_id__in=chunk).exclude(pk__in=chunk)
                for reply in lifted.select_related("parent"):
                    Comment.objects.filter(pk=reply.pk).update(
                        parent_id=reply.parent.parent_id, depth=max(reply.depth - 1, 1)
                    )
                deleted += (
                    Comment.objects.filter(pk__in=chunk).delete()[1].get("comments.Comment", 0)
                )
        return deleted

    def for_article_page(self, article, preview=()):
        """The article's approved comments, plus the visitor's own pending ones named in
        their preview cookie as (id, secret) pairs — each shown only with its own secret:
        one query, in thread order's raw material (oldest first)."""
        visible = self.approved().filter(article=article)
        own = models.Q()
        for pk, secret in preview:
            if secret:  # rows older than the secret have "", which never matches
                own |= models.Q(pk=pk, preview_secret=secret)
        if own:
            # Spam by rule (a block, a ban) looks to its author like any pending comment.
            waiting = models.Q(status=Comment.Status.PENDING) | models.Q(
                status=Comment.Status.SPAM, held_reason__in=BY_RULE
            )
            visible = visible | self.filter(own, waiting, article=article)
        return visible.only(
            "pk",
            "parent_id",
            "depth",
            "status",
            "author_name",
            "author_url",
            "body_html",
            "created_at",
            "edited_at",
        ).order_by("created_at", "pk")

    def _email_lowered(self):
        # LOWER(author_email), which the flood index holds: one address in any case.
        return self.alias(email_lowered=Lower("author_email"))

    def recent_from(self, user_ip, email, since):
        """Comments from this IP or this email (in any case) since `since`, in any status
        (flood control)."""
        who = models.Q(email_lowered=(email or "").lower())
        if user_ip:
            who |= models.Q(user_ip=user_ip)
        return self._email_lowered().filter(who, created_at__gte=since)

    def duplicates_of(self, comment):
        """The same text from the same author (name, or email in any case) in the same place, not
        counting trash: WordPress's duplicate check."""
        return (
            self._email_lowered()
            .filter(
                models.Q(author_name=comment.author_name)
                | models.Q(email_lowered=(comment.author_email or "").lower()),
                article_id=comment.article_id,
                parent_id=comment.parent_id,
                body=comment.body,
            )
            .exclude(status=Comment.Status.TRASH)
        )

    def has_duplicate(self, *, article_id, parent_id, author_name, author_email, body):
        """Is there a duplicate (`duplicates_of`) of the comment these fields describe? One
        query, written as SQL: asked on every comment POST, where building the ORM's query
        cost ~500 Python calls, more than the rest of the form's checks."""
        table = Comment._meta.db_table
        parent = "parent_id IS NULL" if parent_id is None else "parent_id = %s"
        sql = (
            f"SELECT 1 FROM {table} WHERE (author_name = %s OR LOWER(author_email) = %s) "
            f"AND article_id = %s AND {parent} AND body = %s AND status <> %s LIMIT 1"
        )
        params = [author_name, (author_email or "").lower(), article_id]
        params += [] if parent_id is None else [parent_id]
        params += [body, Comment.Status.TRASH.value]
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() is not None

    def approved_by_author(self, comment):
        """Earlier approved comments by this author: the same user, or else the same name
        and email (WordPress's "previously approved" rule)."""
        if comment.user_id:
            earlier = self.filter(user_id=comment.user_id)
        else:
            earlier = self.filter(
                author_name=comment.author_name, author_email=comment.author_email
            )
        return earlier.filter(status=Comment.Status.APPROVED).exclude(pk=comment.pk)

    def waiting_for_akismet(self):
        """The one definition of "waiting for Akismet": pending comments it has not judged
        yet, because it could not be reached (error) or has not been asked while a key is
        configured (unchecked). The re-check settles them; moderators are not mailed about
        them until it has (as the WordPress plugin delays its mail)."""
        return self.filter(_waiting_for_akismet())

    def not_waiting_for_akismet(self):
        """These comments, leaving out those `waiting_for_akismet()`."""
        return self.exclude(_waiting_for_akismet())

    def needs_recheck(self, now=None):
        """Comments waiting for Akismet whose back-off has run out."""
        now = now or timezone.now()
        return self.waiting_for_akismet().filter(
            models.Q(next_check_at__isnull=True) | models.Q(next_check_at__lte=now)
        )


def _waiting_for_akismet():
    # "A key is configured" is `spam.is_configured()` (spam imports this module).
    verdicts = [Comment.Verdict.ERROR]
    if settings.AKISMET_API_KEY:
        verdicts.append(Comment.Verdict.UNCHECKED)
    return models.Q(status=Comment.Status.PENDING, verdict__in=verdicts)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    class Verdict(models.TextChoices):
        UNCHECKED = "unchecked", _("Unchecked")
        HAM = "ham", _("Ham")
        SPAM = "spam", _("Spam")
        DISCARD = "discard", _("Discard (blatant spam)")
        ERROR = "error", _("Error")

    # How long `purge_comments` keeps things (WordPress + Akismet plugin defaults, but
    # counted from when a comment was marked spam or trashed, not from when it was posted).
    SPAM_KEPT = timedelta(days=15)
    DISCARD_KEPT = timedelta(days=1)
    TRASH_KEPT = timedelta(days=30)
    PAYLOAD_KEPT = timedelta(days=15)

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1, editable=False)
    author_name = models.CharField(_("name"), max_length=MAX_NAME)
    author_email = models.EmailField(_("email"), max_length=MAX_EMAIL)
    author_url = models.URLField(_("website"), max_length=MAX_URL, blank=True)
    body = models.TextField(_("comment"), max_length=MAX_BODY)
    # The body as the thread shows it, rendered by `text.render` whenever the body is saved
    # (the page never renders a comment per request).
    body_html = models.TextField(_("comment as HTML"), blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The status to return to on "Restore" / "Not spam".
    previous_status = models.CharField(
        _("previous status"), max_length=10, choices=Status.choices, blank=True
    )
    # Why it is where it is (not kept once approved): a code and its parameters, read as a
    # sentence through `held_because`.
    held_reason = models.CharField(
        _("reason held"), max_length=32, choices=Reason.choices, blank=True
    )
    held_params = models.JSONField(_("reason held: details"), default=dict, blank=True)

    verdict = models.CharField(
        _("Akismet verdict"), max_length=10, choices=Verdict.choices, default=Verdict.UNCHECKED
    )
    akismet_guid = models.CharField(_("Akismet guid"), max_length=100, blank=True)
    akismet_pro_tip = models.CharField(_("Akismet pro-tip"), max_length=100, blank=True)
    akismet_debug_help = models.CharField(_("Akismet debug help"), max_length=255, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    check_attempts = models.PositiveSmallIntegerField(_("check attempts"), default=0)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    # Feedback for Akismet ("spam" / "ham") that could not be delivered yet.
    feedback_pending = models.CharField(_("feedback pending"), max_length=4, blank=True)

    # What Akismet needs again for submit-spam / submit-ham.
    user_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    referrer = models.TextField(_("referrer"), blank=True)
    akismet_payload = models.JSONField(_("payload sent to Akismet"), default=dict, blank=True)
    # Given only to the author's browser, in the preview cookie: with it alone can a pending
    # comment be shown (a leaked SECRET_KEY signs cookies, but cannot guess this).
    preview_secret = models.CharField(
        _("preview secret"), max_length=32, default=new_preview_secret, editable=False
    )

    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When its author last changed the text (within the policy's edit window); readers see
    # "edited". A moderator's edits in the admin are in the history only.
    edited_at = models.DateTimeField(_("edited by its author"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    # When moderators were told about it being held (one mail each, or the digest).
    notified_at = models.DateTimeField(_("moderators notified"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", _("Can moderate comments (approve, spam, trash)"))]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_public_idx"),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            # The Pending view (the queue's default): its page in the queue's order
            # (created_at, id; read backwards), the exact Pending count (index-only) and the
            # articles with comments waiting read only the pending comments' entries. On the
            # index above PostgreSQL preferred walking every comment newest first, filtering
            # by status (its estimate scatters them evenly); this one holds nothing else.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status="pending"),
                name="comment_pending_idx",
            ),
            models.Index(fields=["verdict", "next_check_at"], name="comment_recheck_idx"),
            models.Index(fields=["user_ip", "created_at"], name="comment_flood_ip_idx"),
            models.Index(Lower("author_email"), "created_at", name="comment_flood_email_idx"),
            # The duplicate check (`has_duplicate`), asked on every comment POST: one author's
            # comments on the article by name (by address: the flood index above), however
            # many comments the article has.
            models.Index(fields=["article", "author_name"], name="comment_dup_name_idx"),
            # The article's comments of the last minutes (`surges.busy_numbers`, on a POST).
            models.Index(
                fields=["article", "created_at", "status"], name="comment_article_recent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}: {self.body[:40]}"

    def get_absolute_url(self):
        """The page of the article's comments that shows it, and its anchor (a long
        thread is paged: `comments.paging`); one query."""
        from comments import paging  # which reads the policy, which imports this module

        return paging.comment_url(self)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "body" in instance.__dict__:
            instance._rendered_body = instance.body  # body_html was rendered from it
        return instance

    def prepare_text(self, fields=None):
        """Clean the reader's text fields about to be written (`fields`: all, if None) and
        render the body again if it changed. Returns the fields written with them."""
        written = set(READER_TEXT if fields is None else fields) - self.get_deferred_fields()
        for name in written & set(READER_TEXT):
            setattr(self, name, xml_safe(getattr(self, name)))
        if "body" in written and getattr(self, "_rendered_body", None) != self.body:
            self.body_html = text.render(self.body)
            self._rendered_body = self.body
            return {"body_html"}
        return set()

    def save(self, *args, **kwargs):
        if self._state.adding and self.parent_id:
            self.depth = self.parent.depth + 1
        update_fields = kwargs.get("update_fields")
        rendered = self.prepare_text(update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *rendered}
        super().save(*args, **kwargs)

    @property
    def rendered_body(self):
        """The stored HTML of the body (safe: only `text.render` writes it)."""
        if not self.body_html and "body" not in self.get_deferred_fields() and self.body:
            return text.render(self.body)  # a row written around the model, by raw SQL
        return mark_safe(self.body_html)  # only text.render writes it, escaping all reader text

    @property
    def held_because(self):
        """Why it is where it is, as people read it ("3 links, the limit is 2"), or ""."""
        return reasons.sentence(self.held_reason, self.held_params)

    held_because.fget.short_description = _("reason held")


_THREAD = Prepared(
    lambda article: Comment.objects.for_article_page(article).values_list(
        *render.ThreadComment.FIELDS
    ),
    article=0,
)


def thread_rows(article_id):
    """`for_article_page(article).values_list(*ThreadComment.FIELDS)` for a reader
    without a preview cookie: the same query, compiled once per process
    (`articles.prepared`)."""
    return _THREAD.tuples(article=article_id)


class CommentEvent(models.Model):
    """One line of a comment's history: a status change, an Akismet call, an edit."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        CHECK = "check", _("Akismet check")
        FEEDBACK = "feedback", _("Feedback to Akismet")
        EDIT = "edit", _("Edit")
        REPORT = "report", _("Decision on readers' reports")

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="history"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # A user, or nobody: then `actor_label` says who (e.g. "Akismet", "policy").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by (system)"), max_length=50, blank=True)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    reason_params = models.JSONField(_("reason: details"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "pk"]

    def __str__(self):
        said = reasons.sentence(self.reason, self.reason_params)
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}" + (
            f": {said}" if said else ""
        )


class ModerationPolicy(models.Model):
    """The site's discussion settings (one row), like WordPress's Discussion screen."""

    manual_approval = models.BooleanField(
        _("every comment must be approved by a moderator"), default=True
    )
    auto_approve_known_authors = models.BooleanField(
        _("approve authors with a previously approved comment"),
        default=False,
        help_text=_("Applies only when manual approval is off. Akismet spam always wins."),
    )
    link_limit = models.PositiveSmallIntegerField(
        _("hold a comment with this many links or more"), default=2
    )
    moderation_words = models.TextField(
        _("moderation words"),
        blank=True,
        help_text=_("One per line; a comment containing one as a whole word is held."),
    )
    disallowed_words = models.TextField(
        _("disallowed words"),
        blank=True,
        help_text=_("One per line; a comment containing one as a whole word goes to the trash."),
    )
    close_after_days = models.PositiveIntegerField(
        _("close comments this many days after publication"),
        null=True,
        blank=True,
        help_text=_("Empty: comments stay open."),
    )
    flood_interval = models.PositiveIntegerField(
        _("seconds between two comments from one IP or email"), default=15
    )
    thread_depth = models.PositiveSmallIntegerField(_("reply depth"), default=5)
    # WordPress's "break comments into pages" and "comments should be displayed with the
    # older/newer comments at the top" (`comments.paging`).
    comments_per_page = models.PositiveSmallIntegerField(
        _("top-level comments per page"),
        default=50,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A long thread is split into pages of this many top-level comments; replies stay "
            "on their thread's page. Page 1 is the article's own page."
        ),
    )
    comment_order = models.CharField(
        _("comments at the top"),
        max_length=6,
        choices=[("oldest", _("Oldest first")), ("newest", _("Newest first"))],
        default="oldest",
        help_text=_("The order of top-level comments; replies always read oldest first."),
    )
    notify_moderators = models.BooleanField(_("email moderators about held comments"), default=True)
    daily_digest = models.BooleanField(
        _("one daily digest instead of one email each"), default=False
    )
    personal_data_days = models.PositiveSmallIntegerField(
        _("clear IP address and user agent this many days after moderation"),
        default=60,
        help_text=_("Done by purge_comments; the privacy page states this period."),
    )
    edit_minutes = models.PositiveSmallIntegerField(
        _("minutes an author may edit their comment after posting"),
        default=10,
        help_text=_(
            "From the same browser or the comment's status link; every edit is checked by "
            "Akismet again. 0: no edits."
        ),
    )
    # Readers' reports (`comments.reports`): this many open reports from different readers
    # send a published comment back to the queue. Never 1: one report alone hides nothing.
    reports_to_hold = models.PositiveSmallIntegerField(
        _("open reports from different readers that send a comment back to the queue"),
        default=3,
        validators=[MinValueValidator(2)],
        help_text=_("At least 2: a single report never takes a comment off the page."),
    )
    # The median time from posting to a moderator's first decision over the latest
    # decided comments, in seconds (None: too few to say). Written by the periodic
    # `typical_wait` job, read with the policy: the article page says it for free.
    # Trust per commenter (`comments.commenters`).
    trust_unconfirmed_addresses = models.BooleanField(
        _("trust unconfirmed addresses, as WordPress does"),
        default=True,
        help_text=_(
            "Warning: anyone can type someone else's e-mail address. While this is on, a "
            "comment is approved as from a known author (above) even when its address was "
            "never confirmed by mail, so a stranger can post in a known author's name. Off: "
            "only confirmed addresses and signed-in users count as known."
        ),
    )
    hold_first_time_commenters = models.BooleanField(
        _("hold first-time commenters"),
        default=False,
        help_text=_(
            "A comment from an address with no approved comment yet waits for a moderator, "
            "whatever the settings above say."
        ),
    )
    typical_wait_seconds = models.PositiveIntegerField(
        _("typical wait for a decision (seconds)"), null=True, blank=True, editable=False
    )
    # Busy stories (`comments.surges`): the thresholds that switch an article into and out
    # of surge, and what surge changes there.
    surge_automatic = models.BooleanField(
        _("switch busy stories to surge automatically"),
        default=True,
        help_text=_(
            "Off: no article switches by itself (moderators can still switch one on or off "
            "by hand, under Comments › Surges)."
        ),
    )
    surge_pending_on = models.PositiveIntegerField(
        _("surge on: pending comments on one article"),
        default=50,
        validators=[MinValueValidator(1, SURGE_AT_LEAST_ONE)],
        help_text=_("An article switches to surge when this many of its comments wait."),
    )
    surge_posts_on = models.PositiveIntegerField(
        _("surge on: comments posted on one article…"),
        default=20,
        validators=[MinValueValidator(1, SURGE_AT_LEAST_ONE)],
        help_text=_("…or when this many comments are posted on it within the minutes below."),
    )
    surge_posts_minutes = models.PositiveSmallIntegerField(
        _("…within this many minutes"),
        default=10,
        validators=[MinValueValidator(1, SURGE_AT_LEAST_ONE)],
    )
    surge_pending_off = models.PositiveIntegerField(
        _("surge off: fewer pending comments than"),
        default=20,
        validators=[MinValueValidator(1, SURGE_AT_LEAST_ONE)],
        help_text=_(
            "Must be below the pending threshold that switches surge on, so an article "
            "does not flap between the two."
        ),
    )
    surge_calm_minutes = models.PositiveSmallIntegerField(
        _("surge off: after this many calm minutes"),
        default=10,
        validators=[MinValueValidator(1, SURGE_AT_LEAST_ONE)],
        help_text=_(
            "Surge ends once the article has had fewer pending comments than above, and "
            "fewer posts than the rate that switches it on, for this long (checked every "
            "minute)."
        ),
    )
    surge_interval = models.PositiveIntegerField(
        _("seconds between two comments on an article in surge"),
        default=120,
        validators=[MinValueValidator(1, SURGE_AT_LEAST_ONE)],
        help_text=_(
            "From one IP address or e-mail on that article; the site-wide interval above "
            "still applies everywhere."
        ),
    )
    # Which articles are in surge, by id: "on" (switched automatically), "forced_on",
    # "forced_off" (a moderator's choice). Kept on the policy row, which every page and
    # every post read anyway: knowing costs no query. Written only by `comments.surges`
    # (from the `Surge` rows, which are the record).
    surges = models.JSONField(_("articles in surge"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("moderation policy")
        verbose_name_plural = _("moderation policy")

    def __str__(self):
        return str(_("Moderation policy"))

    def clean(self):
        on, off = self.surge_pending_on, self.surge_pending_off
        if on is not None and off is not None and off >= on:
            raise ValidationError(
                {
                    "surge_pending_off": _(
                        "Must be below the pending threshold that switches surge on (%(on)s), "
                        "or an article would switch off and on again at once."
                    )
                    % {"on": on}
                }
            )

    def surge_state(self, article_id):
        """ "on", "forced_on", "forced_off", or "" (automatic, not in surge)."""
        return (self.surges or {}).get(str(article_id), "")

    def in_surge(self, article_id):
        return self.surge_state(article_id) in ("on", "forced_on")

    def save(self, *args, **kwargs):
        self.pk = 1  # one row; `comments.policy.current()` reads it (and caches it)
        super().save(*args, **kwargs)


class ScheduledRun(models.Model):
    """One periodic job's run for one slot (e.g. "sweep" at 10:05, "purge" on 2026-06-15):
    the scheduler inserts the row before enqueueing, so two schedulers (or one restarted)
    enqueue each run once."""

    job = models.CharField(max_length=40)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]

    def __str__(self):
        return f"{self.job} {self.slot}"


class Subscriber(models.Model):
    """An e-mail address that asked for notifications (`comments.subscriptions`). Nothing but
    the confirmation mail goes to it until it is confirmed (double opt-in); unsubscribing
    from everything, or a mail server refusing it (bouncing), stops all mail to it."""

    email = models.EmailField(_("email"), max_length=MAX_EMAIL, unique=True)  # lower case
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The last confirmation mail (at most one an hour).
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed from all"), null=True, blank=True)
    bouncing_at = models.DateTimeField(_("refused by its mail server"), null=True, blank=True)
    bounce_detail = models.CharField(_("mail server said"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("notification subscriber")
        verbose_name_plural = _("notification subscribers")

    def __str__(self):
        return self.email

    @property
    def deliverable(self):
        """Confirmed, not unsubscribed from everything, not refused by its mail server."""
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.bouncing_at)


class Subscription(models.Model):
    """One address's wish about one comment: mail when it is published, and/or mail about
    the approved replies to it (the comment's thread)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="subscriptions")
    on_publish = models.BooleanField(_("when published"), default=False)
    on_replies = models.BooleanField(_("replies"), default=False)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    # The last mail about replies (one per `NOTIFY_REPLY_INTERVAL_MINUTES`, then a digest).
    last_reply_mail_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "comment"], name="one_subscription")
        ]

    def __str__(self):
        return f"{self.subscriber} on comment {self.comment_id}"


class ConfirmationMail(models.Model):
    """A confirmation mail sent (or about to be) to a subscriber, and from which IP address
    it was asked for: the per-address and per-IP limits count these."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="confirmations"
    )
    user_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    def __str__(self):
        return f"confirmation for {self.subscriber}"


class Notification(models.Model):
    """One thing a subscription is to be told about — its comment published, or one
    approved reply — and whether it was. Unique per (subscription, comment, kind): a job
    delivered twice, or a comment approved twice, records and sends nothing new."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published")
        REPLY = "reply", _("Reply")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")  # unconfirmed, rate-limited, or not sent yet
        SENDING = "sending", _("Being sent")  # claimed by a worker
        SENT = "sent", _("Sent")
        REFUSED = "refused", _("Refused by the mail server")
        DROPPED = "dropped", _("Dropped (unsubscribed)")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="notifications"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "comment", "kind"], name="one_notification"
            )
        ]
        indexes = [models.Index(fields=["state", "kind"], name="notification_state_idx")]

    def __str__(self):
        return f"{self.kind} {self.comment_id} for {self.subscription}"


class Commenter(models.Model):
    """A moderator's decision about one person, by e-mail address (lower case): trusted,
    always premoderated, or banned (`comments.commenters`). "New" and "known" have no
    row: they are computed from the address's approved comments."""

    class Level(models.TextChoices):
        TRUSTED = "trusted", _("Trusted")
        PREMODERATE = "premoderate", _("Always premoderate")
        BANNED = "banned", _("Banned")

    email = models.EmailField(_("email"), max_length=MAX_EMAIL, unique=True)  # lower case
    level = models.CharField(_("trust level"), max_length=12, choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        verbose_name = _("commenter's trust level")
        verbose_name_plural = _("commenters' trust levels")

    def __str__(self):
        return f"{self.email}: {self.get_level_display()}"


class Block(models.Model):
    """Comments from an address, a domain, an IP address or a network are stored as spam
    by rule (`comments.blocks`), until `expires_at` if set."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        DOMAIN = "domain", _("E-mail domain")
        NETWORK = "network", _("IP or network")

    kind = models.CharField(_("block"), max_length=8, choices=Kind.choices)
    # Lower case: an address, a domain ("example.com"), or a network in CIDR form
    # ("203.0.113.0/24"; one address is a /32 or /128).
    value = models.CharField(
        _("value"),
        max_length=MAX_EMAIL,
        help_text=_(
            "An address (name@example.com), a domain (example.com, with its subdomains), "
            "or an IP address or network in CIDR form (203.0.113.7, 203.0.113.0/24, "
            "2001:db8::/32)."
        ),
    )
    # For networks: the first and last address, as fixed-width hex (32 digits, IPv4 mapped
    # into IPv6), so "is this IP in a blocked network" is a range comparison in SQL.
    first = models.CharField(max_length=32, blank=True, editable=False)
    last = models.CharField(max_length=32, blank=True, editable=False)
    reason = models.CharField(_("reason"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Empty: until removed.")
    )

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="block_unique_value"),
        ]
        indexes = [models.Index(fields=["kind", "first", "last"], name="block_network_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class Report(models.Model):
    """A reader's report about a published comment (a notice, for illegal content), and the
    moderator's decision on it (the statement of reasons). Written by `comments.reports`."""

    class Ground(models.TextChoices):
        ILLEGAL = "illegal", _("Illegal content")
        ABUSE = "abuse", _("Abuse or harassment")
        SPAM = "spam", _("Spam")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Other")

    class Decision(models.TextChoices):
        KEEP = "keep", _("Kept")
        REMOVE = "remove", _("Removed")

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports"
    )
    ground = models.CharField(_("reason"), max_length=10, choices=Ground.choices)
    # For illegal content, the notice's ground: which law, or which kind of illegal content.
    law = models.CharField(_("law or kind of illegal content"), max_length=200, blank=True)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True)
    email = models.EmailField(_("reporter's email"), max_length=MAX_EMAIL, blank=True)
    # Who reported, as a keyed hash of the IP address (never the address itself): one
    # report per reader and comment. Never shown to the comment's author.
    reporter = models.CharField(_("reporter (hashed)"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    moderators_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision = models.CharField(_("decision"), max_length=6, choices=Decision.choices, blank=True)
    decision_reason = models.CharField(
        _("decision: reason"), max_length=32, choices=Reason.choices, blank=True
    )
    decision_note = models.TextField(_("decision: note"), max_length=reasons.NOTE_MAX, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [
            # Retention clears the key ("" repeats then): one report per reader while kept.
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=~models.Q(reporter=""),
                name="one_report_per_reader",
            )
        ]
        indexes = [models.Index(fields=["decided_at", "comment"], name="report_open_idx")]

    def __str__(self):
        return f"{self.get_ground_display()} report on comment {self.comment_id}"


class ReportMonth(models.Model):
    """Totals for the transparency page, one row per month, updated when a report is filed
    and when it is decided: deleting comments (and their reports) never changes a past
    month. `filed`: {ground: n}; `decided`: {decision: n}; `decision_seconds`: each
    decision's time from the report, for the median."""

    month = models.DateField(_("month"), unique=True)  # its first day
    filed = models.JSONField(default=dict)
    decided = models.JSONField(default=dict)
    decision_seconds = models.JSONField(default=list)

    class Meta:
        verbose_name = _("reports in a month")
        verbose_name_plural = _("reports by month")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class ReportedComment(Comment):
    """The moderators' Reported view of the queue (`comments.admin.reports`): the same
    comments, those with open reports."""

    class Meta:
        proxy = True
        verbose_name = _("reported comment")
        verbose_name_plural = _("reported comments")


class Surge(models.Model):
    """An article's surge state (`comments.surges`): one row per article that has ever
    switched, or been switched by hand. The policy row's `surges` mirrors the states."""

    class Mode(models.TextChoices):
        AUTO = "auto", _("Automatic")
        ON = "on", _("Forced on")
        OFF = "off", _("Forced off")

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.AUTO)
    active = models.BooleanField(_("in surge"), default=False)
    changed_at = models.DateTimeField(_("switched"), default=timezone.now)
    # Automatic and on: since when the article has been calm (None: busy).
    calm_since = models.DateTimeField(_("calm since"), null=True, blank=True)

    class Meta:
        verbose_name = _("surge")
        verbose_name_plural = _("surges")
        indexes = [models.Index(fields=["active", "mode"], name="surge_active_idx")]

    def __str__(self):
        return f"Surge: {self.article.title}"

    @property
    def state(self):
        """What the policy row's `surges` says for this article."""
        if self.mode == self.Mode.AUTO:
            return "on" if self.active else ""
        return "forced_on" if self.mode == self.Mode.ON else "forced_off"


class SurgeEvent(models.Model):
    """One switch of an article's surge (automatic or a moderator's), with the numbers."""

    class Cause(models.TextChoices):
        PENDING = "pending", _("Pending comments reached the threshold")
        RATE = "rate", _("Posting rate reached the threshold")
        CALM = "calm", _("Calm long enough")
        AUTOMATIC_OFF = "automatic_off", _("Automatic switching turned off")
        FORCED_ON = "forced_on", _("Forced on by a moderator")
        FORCED_OFF = "forced_off", _("Forced off by a moderator")
        AUTOMATIC = "automatic", _("Back to automatic by a moderator")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    on = models.BooleanField(_("in surge after"))
    cause = models.CharField(_("why"), max_length=16, choices=Cause.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The numbers when it switched: pending, posts in the window, the thresholds.
    params = models.JSONField(_("numbers"), default=dict, blank=True)
    # The moderators' mail about an automatic switch on, claimed before it is sent.
    alerted_at = models.DateTimeField(_("moderators mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("surge switch")
        verbose_name_plural = _("surge history")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "created_at"], name="surge_event_article_idx")]

    def __str__(self):
        return f"{self.article_id} {'on' if self.on else 'off'} ({self.cause})"

    @property
    def numbers(self):
        """The numbers in words: "52 pending (on at 50)", "21 posts in 10 minutes"…"""
        p = self.params or {}
        said = []
        if "pending" in p:
            said.append(f"{p['pending']} pending")
        if "posts" in p:
            said.append(f"{p['posts']} posted in {p.get('minutes', '?')} min")
        if "threshold" in p:
            said.append(f"threshold {p['threshold']}")
        return ", ".join(said)


class ModerationDay(models.Model):
    """The moderation report's totals for one day and one section (the article's top-level
    category, by slug), counted where each thing happens (`comments.stats`), so purging
    spam and trash never changes a past day. Moves into a status count by anyone (a person,
    Akismet, the policy); a move back out the same day takes it off again (an undo)."""

    day = models.DateField(_("day"))
    section = models.CharField(_("section"), max_length=60)
    received = models.PositiveIntegerField(_("received"), default=0)
    approved = models.PositiveIntegerField(_("approved"), default=0)
    spam = models.PositiveIntegerField(_("spam"), default=0)
    trash = models.PositiveIntegerField(_("trash"), default=0)
    # A person's first decision on a comment (its time is in `DecisionTime`).
    decided = models.PositiveIntegerField(_("decided by a person"), default=0)
    # Akismet's first verdict on a comment, and a person disagreeing with it.
    akismet_ham = models.PositiveIntegerField(_("Akismet said ham"), default=0)
    akismet_spam = models.PositiveIntegerField(_("Akismet said spam"), default=0)
    missed_spam = models.PositiveIntegerField(_("missed spam"), default=0)
    false_positives = models.PositiveIntegerField(_("false positives"), default=0)
    reports_filed = models.PositiveIntegerField(_("reports filed"), default=0)
    reports_kept = models.PositiveIntegerField(_("reports decided: kept"), default=0)
    reports_removed = models.PositiveIntegerField(_("reports decided: removed"), default=0)

    class Meta:
        verbose_name = _("moderation report")
        verbose_name_plural = _("moderation report")
        ordering = ["day", "section"]
        constraints = [
            models.UniqueConstraint(fields=["day", "section"], name="moderation_day_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.section}"


class DecisionTime(models.Model):
    """A histogram of the time from posting to a person's first decision, per day and
    section: `bucket` is the bucket's upper bound in seconds (`comments.stats.BUCKETS`; 0
    for the last, open one), `count` the decisions in it. p50 and p90 come from it."""

    day = models.DateField()
    section = models.CharField(max_length=60)
    bucket = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "section", "bucket"], name="decision_time_unique"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.section} ≤{self.bucket}s: {self.count}"


class QueueSample(models.Model):
    """Comments awaiting moderation per section, sampled by the scheduler every hour."""

    taken_at = models.DateTimeField(db_index=True)
    section = models.CharField(max_length=60)
    pending = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["taken_at", "section"], name="queue_sample_unique")
        ]

    def __str__(self):
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.section}: {self.pending}"


class AkismetAlert(models.Model):
    """Something Akismet told us about the account (an `X-akismet-alert-code` /
    `X-akismet-alert-msg` answer) or a rejected key: one row per distinct alert, shown to
    moderators until one of them marks it dealt with (`comments.alerts`)."""

    code = models.CharField(_("code"), max_length=40)
    message = models.CharField(_("message"), max_length=500)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    count = models.PositiveIntegerField(_("times seen"), default=1)
    dealt_with_at = models.DateTimeField(_("dealt with"), null=True, blank=True)
    dealt_with_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dealt with by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Akismet alert")
        verbose_name_plural = _("Akismet alerts")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["code", "message"], name="akismet_alert_unique")
        ]

    def __str__(self):
        return f"{self.code}: {self.message}"
