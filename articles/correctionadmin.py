"""The admin of corrections and updates: an editor appends a dated note to a published
article (from the article's page: "Add a correction or update"). Saving or deleting one
goes through `articles.corrections`, which saves the article's revision with a reason."""

from django.contrib import admin

from articles import corrections
from articles.models import Correction


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "published_at", "created_by"]
    list_filter = ["kind", "published_at"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title", "note_text"]
    autocomplete_fields = ["article"]
    fields = ["article", "kind", "note", "published_at"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        corrections.save_note(obj, request.user)

    def delete_model(self, request, obj):
        corrections.delete_note(obj, request.user)

    def delete_queryset(self, request, queryset):
        for correction in queryset:
            corrections.delete_note(correction, request.user)
