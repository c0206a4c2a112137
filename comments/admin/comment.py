"""The queue (`/admin/comments/comment/`) and the comment's page."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from articles.adminlist import ForgivingChangeList
from articles.params import parse_id
from comments import moderation, privacy, spam, text
from comments.admin.filters import ArticleFilter, StatusFilter
from comments.admin.views import CHECK, DELETE, OneCommentViews, excerpt, n_comments
from comments.models import Comment, CommentEvent
from comments.moderation import ACTIONS

S = Comment.Status
V = Comment.Verdict


@admin.register(Comment)
class CommentAdmin(OneCommentViews, admin.ModelAdmin):
    list_filter = [StatusFilter, "verdict", ArticleFilter]
    search_fields = ["body", "author_name", "author_email", "user_ip"]
    search_help_text = "Search the text, name, email or IP address."
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    list_max_show_all = 200
    show_full_result_count = False  # one count query per page, not two
    list_display_links = None  # the excerpt links to the comment's page itself
    actions_selection_counter = True
    show_facets = admin.ShowFacets.NEVER  # the status filter carries its own counts
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["author_name", "author_email", "author_url", "body"]}),
        (
            "Where and from whom",
            {
                "fields": [
                    "article_link",
                    "parent_link",
                    "user",
                    "user_ip",
                    "user_agent",
                    "referrer",
                ]
            },
        ),
        (
            "Moderation",
            {
                "classes": ["collapse"],
                "fields": [
                    "status",
                    "previous_status",
                    "held_because",
                    "created_at",
                    "status_changed_at",
                    "moderated_by",
                    "moderated_at",
                    "notified_at",
                ],
            },
        ),
        (
            "Akismet",
            {
                "classes": ["collapse"],
                "fields": [
                    "verdict",
                    "checked_at",
                    "check_attempts",
                    "next_check_at",
                    "feedback_pending",
                    "akismet_guid",
                    "akismet_pro_tip",
                    "akismet_debug_help",
                    "akismet_payload",
                ],
            },
        ),
    ]
    readonly_fields = [
        "article_link",
        "parent_link",
        "user",
        "user_ip",
        "user_agent",
        "referrer",
        "status",
        "previous_status",
        "held_because",
        "created_at",
        "status_changed_at",
        "moderated_by",
        "moderated_at",
        "notified_at",
        "verdict",
        "checked_at",
        "check_attempts",
        "next_check_at",
        "feedback_pending",
        "akismet_guid",
        "akismet_pro_tip",
        "akismet_debug_help",
        "akismet_payload",
    ]
    EDITABLE = ["author_name", "author_email", "author_url", "body"]

    # -- permissions -------------------------------------------------------------------

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_add_permission(self, request):
        return False  # comments come from readers; staff reply from a comment's page

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status in (S.SPAM, S.TRASH))

    # -- the queue -----------------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return ForgivingChangeList

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article__category", "parent")
            .with_author_approved_count()
        )

    def get_list_display(self, request):
        # Columns that need the request (the row buttons return to this very view).
        return ["author", self._comment_column(request), "article_column", "state", "submitted"]

    @admin.display(description="author", ordering="author_name")
    def author(self, obj):
        search = "?" + urlencode({"q": obj.user_ip, "status": "all"}) if obj.user_ip else ""
        return format_html(
            '<strong class="c-author"><bdi>{}</bdi></strong>'
            '<span class="c-email">{}</span>'
            '{}<span class="c-approved" title="approved comments from this email">{}</span>',
            obj.author_name,
            obj.author_email,
            format_html(
                '<a class="c-ip" href="{}" title="all comments from this IP">{}</a>',
                search,
                obj.user_ip,
            )
            if obj.user_ip
            else "",
            ngettext("%d approved", "%d approved", obj.author_approved) % obj.author_approved,
        )

    def _comment_column(self, request):
        can_moderate = self.has_moderate_permission(request)
        can_delete = self.has_delete_permission(request)
        back = request.get_full_path()
        preserved = urlencode({"_changelist_filters": request.GET.urlencode()})

        @admin.display(description="comment")
        def comment(obj):
            change = reverse("admin:comments_comment_change", args=[obj.pk])
            if request.GET:
                change += "?" + preserved
            buttons = []
            if can_moderate:
                buttons = [
                    (self._moderate_url(obj, name, back), ACTIONS[name][0], name)
                    for name in moderation.OFFERED[obj.status]
                ]
            if can_delete and obj.status in (S.SPAM, S.TRASH):
                buttons.append((self._moderate_url(obj, "delete", back), DELETE, "delete"))
            return format_html(
                '{}<a class="c-excerpt" href="{}">{}</a><div class="c-row-actions">{}'
                '<a class="c-open" href="{}">Open</a></div>',
                format_html(
                    '<span class="c-reply-to">In reply to {}.</span>', obj.parent.author_name
                )
                if obj.parent_id
                else "",
                change,
                excerpt(obj.body),
                format_html_join(
                    "",
                    '<button type="submit" formaction="{}" formmethod="post" '
                    'class="c-button c-button--{}">{}</button>',
                    ((url, name, label) for url, label, name in buttons),
                ),
                change,
            )

        return comment

    @admin.display(description="article", ordering="article__title")
    def article_column(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>'
            '<a class="c-filter" href="?{}" title="only comments on this article">only this</a>',
            obj.article.get_absolute_url(),
            obj.article.title,
            urlencode({"article": obj.article_id, "status": "all"}),
        )

    @admin.display(description="status")
    def state(self, obj):
        return format_html(
            '<span class="c-badge c-badge--{}">{}</span><br>'
            '<span class="c-badge c-badge--verdict-{}" title="Akismet verdict">Akismet: {}</span>'
            '<span class="c-reason">{}</span>',
            obj.status,
            obj.get_status_display(),
            obj.verdict,
            obj.verdict if obj.verdict != V.DISCARD else "discard",
            obj.held_because,
        )

    @admin.display(description="submitted", ordering="created_at")
    def submitted(self, obj):
        return format_html(
            '<time datetime="{}" title="{}">{} ago</time>',
            obj.created_at.isoformat(),
            obj.created_at.strftime("%Y-%m-%d %H:%M"),
            timesince(obj.created_at).split(",")[0],
        )

    def changelist_view(self, request, extra_context=None):
        view = request.GET.get("status", "pending")
        label = dict(StatusFilter.VIEWS).get(view, "Pending")
        extra = {
            "title": f"Comments: {label.lower()}",
            "status_view": view,
            "can_empty": self.has_delete_permission(request),
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    # -- bulk actions -------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by "Delete permanently"
        return actions

    def report(self, request, label, changed, skipped, conflicts):
        level = messages.SUCCESS if changed else messages.WARNING
        note = f"{label}: {n_comments(changed)}."
        if skipped:
            note += f" {skipped} left as they were (the action does not apply to them)."
        if conflicts:
            note += f" {conflicts} changed by someone else meanwhile; not touched."
        self.message_user(request, note, level)

    def _bulk(self, request, queryset, action):
        comments = queryset.select_related("article__category", "user").order_by()
        counts = moderation.moderate_many(comments, action, request.user)
        self.report(request, ACTIONS[action][0], *counts)

    @admin.action(description=ACTIONS["approve"][0], permissions=["moderate"])
    def approve(self, request, queryset):
        self._bulk(request, queryset, "approve")

    @admin.action(description=ACTIONS["unapprove"][0], permissions=["moderate"])
    def unapprove(self, request, queryset):
        self._bulk(request, queryset, "unapprove")

    @admin.action(description=ACTIONS["spam"][0], permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._bulk(request, queryset, "spam")

    @admin.action(description=ACTIONS["not_spam"][0], permissions=["moderate"])
    def not_spam(self, request, queryset):
        self._bulk(request, queryset, "not_spam")

    @admin.action(description=ACTIONS["trash"][0], permissions=["moderate"])
    def trash(self, request, queryset):
        self._bulk(request, queryset, "trash")

    @admin.action(description=ACTIONS["restore"][0], permissions=["moderate"])
    def restore(self, request, queryset):
        self._bulk(request, queryset, "restore")

    @admin.action(description=DELETE, permissions=["delete"])
    def delete_permanently(self, request, queryset):
        total = queryset.count()
        deleted = queryset.delete_permanently()
        note = f"Deleted {n_comments(deleted)} permanently."
        if total - deleted:
            note += f" {total - deleted} kept: only spam and trash can be deleted."
        self.message_user(request, note, messages.SUCCESS if deleted else messages.WARNING)

    @admin.action(description=CHECK, permissions=["moderate"])
    def check_again(self, request, queryset):
        self.recheck(request, list(queryset.filter(status=S.PENDING)))

    @admin.action(
        description="Erase personal data of these commenters (all their comments)",
        permissions=["moderate"],
    )
    def erase_personal_data(self, request, queryset):
        emails = {e for e in queryset.values_list("author_email", flat=True) if e}
        erased = sum(privacy.erase(email, actor=request.user) for email in emails)
        self.message_user(
            request,
            f"Anonymised {n_comments(erased)} by {len(emails)} commenter(s).",
            messages.SUCCESS,
        )

    @admin.action(
        description="Export personal data of this commenter (JSON)", permissions=["moderate"]
    )
    def export_personal_data(self, request, queryset):
        emails = sorted({e for e in queryset.values_list("author_email", flat=True) if e})
        if len(emails) != 1:
            self.message_user(request, "Select comments by one commenter.", messages.WARNING)
            return None
        response = JsonResponse(privacy.export(emails[0]), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="commenter-data.json"'
        return response

    actions = [
        "approve",
        "unapprove",
        "mark_spam",
        "not_spam",
        "trash",
        "restore",
        "delete_permanently",
        "check_again",
        "export_personal_data",
        "erase_personal_data",
    ]

    # -- the comment's page ----------------------------------------------------------------

    @admin.display(description="article")
    def article_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url() if obj.status == S.APPROVED else obj.article.get_absolute_url(),
            obj.article.title,
        )

    @admin.display(description="in reply to")
    def parent_link(self, obj):
        if not obj.parent_id:
            return "—"
        return format_html(
            '<a href="{}">{}: {}</a>',
            reverse("admin:comments_comment_change", args=[obj.parent_id]),
            obj.parent.author_name,
            excerpt(obj.parent.body, 80),
        )

    def delete_model(self, request, obj):
        Comment.objects.filter(pk=obj.pk).delete_permanently()

    def get_readonly_fields(self, request, obj=None):
        if self.has_moderate_permission(request):
            return self.readonly_fields
        return [*self.EDITABLE, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        """Record edits of the name, email, website or text in the history (the values
        before are kept there). The stored Akismet payload stays the original: feedback
        must describe what Akismet judged. A moderator can re-check after editing; that
        check is sent with `recheck_reason=edit`."""
        edited = [f for f in self.EDITABLE if f in form.changed_data]
        super().save_model(request, obj, form, change)
        if change and edited:
            CommentEvent.objects.create(
                comment=obj,
                kind=CommentEvent.Kind.EDIT,
                actor=request.user,
                details={
                    "fields": [str(Comment._meta.get_field(f).verbose_name) for f in edited],
                    "before": {f: form.initial.get(f) for f in edited},
                },
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A malformed id finds nothing here; Django's own view then redirects to the list
        # saying the comment does not exist, as for any unknown id.
        pk = parse_id(unquote(object_id))
        comment = (
            Comment.objects.select_related("article__category", "parent", "user")
            .filter(pk=pk)
            .first()
            if pk
            else None
        )
        extra = {}
        if comment is not None:
            back = reverse("admin:comments_comment_change", args=[comment.pk])
            can_moderate = self.has_moderate_permission(request)
            actions = (
                [
                    (self._moderate_url(comment, name, back), ACTIONS[name][0], name)
                    for name in moderation.applicable(comment)
                ]
                if can_moderate
                else []
            )
            if can_moderate and comment.status == S.PENDING and spam.is_configured():
                actions.append((self._moderate_url(comment, "check", back), CHECK, "check"))
            others = (
                Comment.objects.filter(author_email=comment.author_email)
                .exclude(pk=comment.pk)
                .select_related("article")
                .order_by("-created_at")
            )
            extra = {
                "title": f"Comment by {comment.author_name}",
                "comment": comment,
                "rendered": text.stored(comment),
                "moderation_actions": actions,
                "history": comment.history.select_related("actor"),
                "others": others[:10],
                "others_counts": others.status_counts(),
                "can_reply": can_moderate and comment.status in (S.PENDING, S.APPROVED),
                "reply_url": reverse("admin:comments_comment_reply", args=[comment.pk]),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})
