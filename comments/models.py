from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

# WordPress's limits, so nothing a WordPress reader can post is refused here.
MAX_NAME = 245
MAX_EMAIL = 100
MAX_URL = 200
MAX_BODY = 65525


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """The one definition of "public": approved comments on published articles."""
        return self.filter(
            status=Comment.Status.APPROVED,
            article__in=Article.objects.published(),
        )

    def awaiting_moderation(self):
        return self.filter(status=Comment.Status.PENDING)

    def for_article_page(self, article, preview_ids=()):
        """The article's approved comments, plus the visitor's own pending ones named in
        their preview token: one query, in thread order's raw material (oldest first)."""
        visible = self.approved().filter(article=article)
        if preview_ids:
            own = self.filter(
                article=article, status=Comment.Status.PENDING, pk__in=list(preview_ids)
            )
            visible = visible | own
        return visible.only(
            "pk", "parent_id", "depth", "status", "author_name", "author_url", "body", "created_at"
        ).order_by("created_at", "pk")

    def recent_from(self, user_ip, email, since):
        """Comments from this IP or this email since `since`, in any status (flood control)."""
        who = models.Q(author_email=email)
        if user_ip:
            who |= models.Q(user_ip=user_ip)
        return self.filter(who, created_at__gte=since)

    def duplicates_of(self, comment):
        """The same text from the same author (name or email) in the same place, not
        counting trash: WordPress's duplicate check."""
        return self.filter(
            models.Q(author_name=comment.author_name) | models.Q(author_email=comment.author_email),
            article_id=comment.article_id,
            parent_id=comment.parent_id,
            body=comment.body,
        ).exclude(status=Comment.Status.TRASH)

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

    def needs_recheck(self, now=None):
        """Pending comments Akismet has not judged yet (error or never checked) whose
        back-off has run out."""
        now = now or timezone.now()
        return self.filter(
            status=Comment.Status.PENDING,
            verdict__in=[Comment.Verdict.ERROR, Comment.Verdict.UNCHECKED],
        ).filter(models.Q(next_check_at__isnull=True) | models.Q(next_check_at__lte=now))


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
    held_reason = models.CharField(_("reason held"), max_length=255, blank=True)

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

    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
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

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_public_idx"),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            models.Index(fields=["verdict", "next_check_at"], name="comment_recheck_idx"),
            models.Index(fields=["user_ip", "created_at"], name="comment_flood_ip_idx"),
            models.Index(fields=["author_email", "created_at"], name="comment_flood_email_idx"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}: {self.body[:40]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.parent_id:
            self.depth = self.parent.depth + 1
        super().save(*args, **kwargs)

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED


class CommentEvent(models.Model):
    """One line of a comment's history: a status change, an Akismet call, an edit."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        CHECK = "check", _("Akismet check")
        FEEDBACK = "feedback", _("Feedback to Akismet")
        EDIT = "edit", _("Edit")

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
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "pk"]

    def __str__(self):
        who = self.actor.get_username() if self.actor else self.actor_label
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.kind} {self.reason}"


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
    notify_moderators = models.BooleanField(_("email moderators about held comments"), default=True)
    daily_digest = models.BooleanField(
        _("one daily digest instead of one email each"), default=False
    )

    class Meta:
        verbose_name = _("moderation policy")
        verbose_name_plural = _("moderation policy")

    def __str__(self):
        return str(_("Moderation policy"))

    def save(self, *args, **kwargs):
        from comments import policy

        self.pk = 1
        super().save(*args, **kwargs)
        policy.forget()

    @classmethod
    def current(cls):
        """The site's policy (see `comments.policy.current` for how it is cached)."""
        from comments import policy

        return policy.current()
