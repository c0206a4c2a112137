"""The moderation policy: one row, edited like WordPress's Discussion settings page."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from comments.models import ModerationPolicy


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row, edited like WordPress's Discussion settings page."""

    fieldsets = [
        (
            "Before a comment appears",
            {
                "fields": [
                    "manual_approval",
                    "auto_approve_known_authors",
                    "trust_unconfirmed_addresses",
                    "hold_first_time_commenters",
                ]
            },
        ),
        (
            "Hold or refuse",
            {
                "fields": [
                    "link_limit",
                    "moderation_words",
                    "disallowed_words",
                    "reports_to_hold",
                ]
            },
        ),
        (
            "Discussion",
            {
                "fields": [
                    "close_after_days",
                    "flood_interval",
                    "thread_depth",
                    "comments_per_page",
                    "comment_order",
                    "edit_minutes",
                ]
            },
        ),
        ("Email", {"fields": ["notify_moderators", "daily_digest"]}),
        ("Privacy", {"fields": ["personal_data_days"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationPolicy.objects.get_or_create(pk=1)
        return redirect(reverse("admin:comments_moderationpolicy_change", args=[1]))
