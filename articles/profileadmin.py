"""The admin of author profiles and tags (registered from articles.admin)."""

from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from articles.models import Author, Tag

# The largest photo the form takes: below the proxy's limit for admin uploads (README,
# "Deployment"), so an editor always gets this message rather than the proxy's error page.
PHOTO_MAX_BYTES = 10 * 1024 * 1024


class PhotoField(forms.ImageField):
    """An image no larger than PHOTO_MAX_BYTES: the size is checked before Pillow opens
    the file (a huge upload is refused without being decoded)."""

    def to_python(self, data):
        size = getattr(data, "size", None)
        if size is not None and size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; a photo may be at most %(limit)s."),
                code="too_large",
                params={"size": filesizeformat(size), "limit": filesizeformat(PHOTO_MAX_BYTES)},
            )
        return super().to_python(data)


class AuthorForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "user", "role", "bio", "photo"]
        field_classes = {"photo": PhotoField}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "slug", "role", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "role"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]  # the article form's tag autocomplete searches these
    prepopulated_fields = {"slug": ["name"]}
