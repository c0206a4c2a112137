"""Comments in the admin: the site's moderation policy, and a basic comment list.

The moderators' queue (actions, history, filters with counts) is the next issue; here
the status and Akismet's verdict are read-only, because only `moderation.change_status`
may change a status.
"""

from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

from comments.models import Comment, CommentEvent, ModerationPolicy


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row, edited like WordPress's Discussion settings page."""

    fieldsets = [
        ("Before a comment appears", {"fields": ["manual_approval", "auto_approve_known_authors"]}),
        ("Hold or refuse", {"fields": ["link_limit", "moderation_words", "disallowed_words"]}),
        ("Discussion", {"fields": ["close_after_days", "flood_interval", "thread_depth"]}),
        ("Email", {"fields": ["notify_moderators", "daily_digest"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationPolicy.objects.get_or_create(pk=1)
        return redirect(reverse("admin:comments_moderationpolicy_change", args=[1]))


class HistoryInline(admin.TabularInline):
    model = CommentEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "actor_label", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_name", "excerpt", "article", "status", "verdict", "created_at"]
    list_filter = ["status", "verdict"]
    search_fields = ["body", "author_name", "author_email", "user_ip"]
    date_hierarchy = "created_at"
    list_select_related = ["article"]
    raw_id_fields = ["article", "parent", "user"]
    inlines = [HistoryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "status",
        "previous_status",
        "held_reason",
        "verdict",
        "akismet_guid",
        "akismet_pro_tip",
        "akismet_debug_help",
        "checked_at",
        "check_attempts",
        "next_check_at",
        "feedback_pending",
        "user_ip",
        "user_agent",
        "referrer",
        "akismet_payload",
        "created_at",
        "status_changed_at",
        "moderated_by",
        "moderated_at",
    ]

    @admin.display(description="comment")
    def excerpt(self, obj):
        return obj.body[:80]
