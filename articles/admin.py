from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.adminlist import ForgivingChangeList
from articles.models import Article, Category
from articles.params import SelectedIds
from articles.people import display_name


@admin.register(Category)
class CategoryAdmin(SelectedIds, admin.ModelAdmin):
    list_display = ["indented_name", "path", "position"]
    list_editable = ["position"]
    search_fields = ["name", "path"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "position", "description"]
    ordering = ["tree_order"]

    def get_changelist(self, request, **kwargs):
        return ForgivingChangeList

    @admin.display(description=_("name"), ordering="tree_order")
    def indented_name(self, category):
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            category.depth * 1.5,
            "└ " if category.depth else "",
            category.name,
        )


@admin.register(Article)
class ArticleAdmin(SelectedIds, admin.ModelAdmin):
    list_display = [
        "title",
        "category_path",
        "status",
        "published_at",
        "author_names",
        "featured",
        "preview_link",
    ]
    list_filter = ["status", "category", "published_at", "comments_open"]
    search_fields = ["title", "standfirst", "body", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors"]
    list_select_related = ["category"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at", "preview_link"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "authors", "standfirst", "body"]}),
        (_("Image"), {"fields": ["image", "image_alt", "image_caption"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "featured",
                    "comments_open",
                    "meta_description",
                    "preview_link",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    def get_changelist(self, request, **kwargs):
        return ForgivingChangeList

    @admin.display(description=_("category"), ordering="category__path")
    def category_path(self, article):
        return article.category.path

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return ", ".join(display_name(a) for a in article.authors.all())

    @admin.display(description=_("on the site"))
    def preview_link(self, article):
        if not article.pk:
            return "—"
        label = _("View") if article.is_published else _("Preview")
        return format_html('<a href="{}" target="_blank">{}</a>', article.get_absolute_url(), label)

    @admin.action(description=_("Publish selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.save(update_fields=["status", "updated_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save(update_fields=["status", "updated_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%d article moved to draft.", "%d articles moved to draft.", count) % count,
            messages.SUCCESS,
        )
