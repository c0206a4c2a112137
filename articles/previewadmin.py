"""The admin of preview links: an editor makes one for a draft, a scheduled article or a
revision waiting to go live (from the article's page), copies its address, and revokes it
when it is no longer needed. Links are kept (who, for what, until when), never deleted."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import preview
from articles.models import PreviewLink


class PreviewLinkForm(forms.ModelForm):
    hours = forms.IntegerField(
        label=_("Valid for (hours)"),
        min_value=1,
        max_value=24 * 30,
        initial=settings.PREVIEW_LINK_HOURS,
        help_text=_("The link stops working after this many hours (at most 30 days)."),
    )

    class Meta:
        model = PreviewLink
        fields = ["article", "revision_id"]
        help_texts = {
            "revision_id": _(
                "Optional: the number of a revision in review or scheduled (see the "
                "article's revisions). Empty: the article as it is stored."
            )
        }

    def clean(self):
        cleaned = super().clean()
        article = cleaned.get("article")
        if article is not None:
            problem = preview.check(article, cleaned.get("revision_id"))
            if problem:
                raise ValidationError(problem)
        return cleaned


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    form = PreviewLinkForm
    change_form_template = "admin/articles/previewlink/change_form.html"
    list_display = ["article", "revision_id", "created_by", "created_at", "expires_at", "state"]
    list_filter = ["created_at"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title"]
    autocomplete_fields = ["article"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["article", "revision_id", "hours"]
        return ["state", "article", "revision_id", "created_by", "created_at",
                "expires_at", "revoked_at"]  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:  # a stored link is read-only: its page only revokes it
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            preview.issue(obj, request.user, form.cleaned_data["hours"])
        elif "_revoke" in request.POST:
            preview.revoke(obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request, _("Preview link made: copy its address and send it."), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:articles_previewlink_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if "_revoke" in request.POST:
            self.message_user(request, _("The preview link no longer works."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        link = self.get_object(request, object_id)
        if link is not None:
            extra_context = {
                **(extra_context or {}),
                "preview_address": request.build_absolute_uri(preview.url(link)),
                "preview_live": link.is_live,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("state"))
    def state(self, link):
        if link.revoked_at is not None:
            return _("revoked")
        if link.expires_at <= timezone.now():
            return _("expired")
        return _("works")

    @admin.action(description=_("Revoke selected preview links"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for link in queryset.filter(revoked_at__isnull=True):
            preview.revoke(link)
            count += 1
        self.message_user(
            request,
            ngettext("%d preview link revoked.", "%d preview links revoked.", count) % count,
            messages.SUCCESS,
        )
