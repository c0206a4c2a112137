"""The admin of author profiles and tags (registered from articles.admin)."""

from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from articles.models import Author, Tag

# The largest photo the form takes: below the proxy's limit for admin uploads (README,
# "Deployment"), so an editor always gets this message rather than the proxy's error page.
PHOTO_MAX_BYTES = 10 * 1024 * 1024


class AuthorForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "user", "role", "bio", "photo"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        size = getattr(photo, "size", None)
        if size is not None and size > PHOTO_MAX_BYTES and photo != self.initial.get("photo"):
            raise forms.ValidationError(
                _("This photo is %(size)s; the largest accepted is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(size),
                    "limit": filesizeformat(PHOTO_MAX_BYTES),
                },
            )
        return photo


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "slug", "role", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]  # the article form's tag autocomplete searches these
    prepopulated_fields = {"slug": ["name"]}
