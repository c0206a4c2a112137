"""The moderation policy: one row, edited like WordPress's Discussion settings page."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from comments.models import SURGE_AT_LEAST_ONE, ModerationPolicy

SURGE_NUMBERS = [
    "surge_pending_on",
    "surge_posts_on",
    "surge_posts_minutes",
    "surge_pending_off",
    "surge_calm_minutes",
    "surge_interval",
]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = ModerationPolicy
        fields = ["surge_automatic", *SURGE_NUMBERS]  # the admin adds the rest (fieldsets)
        # 0 and negative numbers get the same clear message (not "greater than or equal
        # to 0"); the model's validators say it for any other writer.
        error_messages = {name: {"min_value": SURGE_AT_LEAST_ONE} for name in SURGE_NUMBERS}


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row, edited like WordPress's Discussion settings page."""

    form = PolicyForm
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
        (
            "Busy stories (surge)",
            {
                "description": "An article in surge holds first-time commenters, lets each "
                "reader post on it once per interval below, and tells readers that each "
                "comment is read before it appears. Moderators get one e-mail when it "
                "starts. Force one article on or off under Comments › Surges.",
                "fields": ["surge_automatic", *SURGE_NUMBERS],
            },
        ),
        ("Email", {"fields": ["notify_moderators", "daily_digest"]}),
        ("Privacy", {"fields": ["personal_data_days"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Only what the form edits: the fields the jobs write (the typical wait, the surge
        states of `comments.surges`) are kept as they are in the row, not as this request
        read them (a switch may have happened meanwhile)."""
        fields = [f.name for f in obj._meta.concrete_fields if f.editable and not f.primary_key]
        obj.save(update_fields=fields)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationPolicy.objects.get_or_create(pk=1)
        return redirect(reverse("admin:comments_moderationpolicy_change", args=[1]))
