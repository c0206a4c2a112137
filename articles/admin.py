from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import (
    profileadmin,  # noqa: F401 (registers the authors' and tags' admin)
    revisions,
    workflow,
)
from articles.adminlist import DateProbingChangeList, ForgivingChangeList
from articles.models import Article, Category
from articles.params import SelectedIds, parse_id
from articles.people import display_name
from articles.revisionadmin import RevisionForm, RevisionsAdmin

# Panels other apps add to the article's admin page (`register_panel`): callables
# (request, article) -> HTML ("" for none). The comments app adds its surge history this
# way: articles never imports comments.
PANELS = []


def register_panel(panel):
    if panel not in PANELS:
        PANELS.append(panel)


# The review workflow's buttons on the article form: (value of `_workflow`, permission).
WORKFLOW_ACTIONS = {
    "submit": workflow.CHANGE,
    "request_changes": workflow.PUBLISH,
    "publish": workflow.PUBLISH,
}
# What only editors set: a writer sees them read-only (and a forged value is ignored).
PUBLISHING_FIELDS = ["status", "published_at", "unpublish_at", "featured"]


class ArticleForm(RevisionForm):
    change_request = forms.CharField(
        label=_("Changes to request"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("What the writer should change; they see this note."),
    )

    def clean(self):
        cleaned = super().clean()
        # The form shows times to the second: a time left as it was keeps its stored
        # microseconds, so a save records no change of it.
        for name in ("published_at", "unpublish_at"):
            new, old = cleaned.get(name), getattr(self.instance, name, None)
            if new and old and new.replace(microsecond=0) == old.replace(microsecond=0):
                cleaned[name] = old
        if (
            self.data.get("_workflow") == "request_changes"
            and not cleaned.get("change_request", "").strip()
        ):
            self.add_error(
                "change_request", _("Say what should change: the writer sees this note.")
            )
        return cleaned


class ScheduleRevisionForm(forms.Form):
    at = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


@admin.register(Category)
class CategoryAdmin(SelectedIds, RevisionsAdmin):
    list_display = ["indented_name", "path", "position"]
    list_editable = ["position"]
    search_fields = ["name", "path"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "position", "description", "base_revision"]
    change_form_template = "admin/articles/revision_change_form.html"
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
class ArticleAdmin(SelectedIds, RevisionsAdmin):
    form = ArticleForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title",
        "category_path",
        "workflow_status",
        "published_at",
        "author_names",
        "featured",
        "preview_link",
    ]
    list_filter = ["status", "category", "published_at", "comments_open"]
    search_fields = ["title", "standfirst", "body", "slug"]
    date_hierarchy = "published_at"
    # One count of the articles a page, not two: the list's own, without "(N total)", which
    # counted the whole archive again (7 ms at 100,000 articles).
    show_full_result_count = False
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors"]
    autocomplete_fields = ["tags"]
    list_select_related = ["category"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at", "preview_link"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "category",
                    "authors",
                    "tags",
                    "standfirst",
                    "body",
                    "base_revision",
                ]
            },
        ),
        (_("Image"), {"fields": ["image", "image_alt", "image_caption"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "unpublish_at",
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
        waiting = Article.history.filter(
            id=OuterRef("pk"),
            revision_state__in=[revisions.State.IN_REVIEW, revisions.State.SCHEDULED],
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related("authors")
            .annotate(change_waiting=Exists(waiting))
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields += PUBLISHING_FIELDS
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if (
            obj is not None
            and obj.status == Article.Status.IN_REVIEW
            and workflow.can_publish(request.user)
        ):
            fieldsets.append((_("Review"), {"fields": ["change_request"]}))
        return fieldsets

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/history/<int:history_id>/publish/",
                self.admin_site.admin_view(self.publish_revision_view),
                name="articles_article_publish_revision",
            ),
        ] + super().get_urls()

    # The workflow. A step's permission is checked before anything is saved: a writer's
    # forged "publish" is a 403 and changes nothing.
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        action = request.POST.get("_workflow") if request.method == "POST" else None
        if action is not None:
            if action not in WORKFLOW_ACTIONS:
                return HttpResponseBadRequest("Unknown workflow step.")
            if not request.user.has_perm(WORKFLOW_ACTIONS[action]):
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        can_publish = workflow.can_publish(user)
        status = obj.status if obj is not None else Article.Status.DRAFT
        context.update(
            can_submit=obj is None or status == Article.Status.DRAFT,
            can_review=can_publish and status == Article.Status.IN_REVIEW,
            can_publish_now=can_publish and (obj is None or not obj.is_published),
            publish_label=(
                _("Schedule")
                if obj is not None and obj.published_at > timezone.now()
                else _("Publish")
            ),
            waiting=list(revisions.pending(obj)) if obj is not None and obj.pk else [],
            stale=getattr(context.get("adminform") and context["adminform"].form, "stale", None),
            is_writer=not can_publish,
            panels=[panel(request, obj) for panel in PANELS] if obj is not None else [],
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # The revision keeps the authors and tags this form sets (after the save).
        revisions.set_pending_m2m(
            obj, form.cleaned_data.get("authors"), form.cleaned_data.get("tags")
        )
        live = Article.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        if change and live == Article.Status.PUBLISHED and not workflow.can_publish(request.user):
            # A writer's edit of a published article: a revision in review, not the site.
            obj._proposed = workflow.propose(obj, request.user)
            return
        step = request.POST.get("_workflow")
        if step is not None:
            # A step from the form: its save is the form's save (one revision, the step's
            # reason); a step refused leaves the form's save, recorded as usual.
            try:
                obj._step_done = workflow.take_step(
                    step,
                    obj,
                    request.user,
                    request.POST.get("change_request"),
                    before=self.restore_reason(obj),
                )
                return
            except ValidationError as exc:
                obj._step_refused = exc
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(form.instance, "_proposed", None) is not None:
            return  # the live article's authors stay too
        super().save_related(request, form, formsets, change)

    def _after_save(self, request, obj):
        if getattr(obj, "_proposed", None) is not None:
            self.message_user(
                request,
                _(
                    "Your changes wait for an editor's review; the published text stays on "
                    "the site until then."
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        if request.POST.get("_workflow") is None:
            return None
        refused = getattr(obj, "_step_refused", None)
        if refused is not None:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
        else:
            self.message_user(request, obj._step_done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def compare_context(self, request, obj, new):
        return {
            "can_publish_revision": workflow.can_publish(request.user)
            and new.revision_state in (revisions.State.IN_REVIEW, revisions.State.SCHEDULED),
        }

    def publish_revision_view(self, request, object_id, history_id):
        """An editor puts a revision in review live now, or schedules it (`at`)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        pk = parse_id(object_id)
        record = get_object_or_404(Article.history, id=pk, history_id=history_id)
        form = ScheduleRevisionForm(request.POST)
        back = reverse("admin:articles_article_history", args=[pk])
        if not form.is_valid():
            self.message_user(request, _("Give the time as YYYY-MM-DD HH:MM."), messages.ERROR)
            return HttpResponseRedirect(back)
        try:
            article = workflow.publish_revision(record, request.user, form.cleaned_data["at"])
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(back)
        if form.cleaned_data["at"] and article is None:
            self.message_user(request, _("The revision is scheduled."), messages.SUCCESS)
        elif article is None:
            self.message_user(request, _("The article no longer exists."), messages.ERROR)
        else:
            self.message_user(request, _("The revision is live."), messages.SUCCESS)
        return HttpResponseRedirect(back)

    @admin.display(description=_("status"), ordering="status")
    def workflow_status(self, article):
        label = article.get_status_display()
        if article.is_scheduled:
            label = _("Scheduled")
        elif article.status == Article.Status.PUBLISHED and not article.is_published:
            label = _("Unpublished (time passed)")
        if getattr(article, "change_waiting", False):
            return format_html("{} · <strong>{}</strong>", label, _("change waiting"))
        return label

    def get_changelist(self, request, **kwargs):
        # The date hierarchy's years by probes, not a DISTINCT over the archive.
        return DateProbingChangeList

    @admin.display(description=_("category"), ordering="category__path")
    def category_path(self, article):
        return article.category.path

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return ", ".join(display_name(a) for a in article.authors.all())

    @admin.display(description=_("on the site"))
    def preview_link(self, article):
        if not article.pk or article.category_id is None:
            return "—"
        label = _("View") if article.is_published else _("Preview")
        return format_html('<a href="{}" target="_blank">{}</a>', article.get_absolute_url(), label)

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        """Each through the workflow's "Publish" (recorded as a revision, people told)."""
        count = self._each(request, queryset.exclude(status=Article.Status.PUBLISHED), "publish")
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = self._each(request, queryset.filter(status=Article.Status.PUBLISHED), "unpublish")
        self.message_user(
            request,
            ngettext("%d article moved to draft.", "%d articles moved to draft.", count) % count,
            messages.SUCCESS,
        )

    def _each(self, request, queryset, step):
        """Take workflow `step` on each article; one that refuses is named, the rest done."""
        count = 0
        for article in queryset:
            try:
                getattr(workflow, step)(article, request.user)
            except ValidationError as exc:
                self.message_user(request, f"{article}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                count += 1
        return count


# Corrections and updates, and preview links: their admins live in their own modules.
from articles import correctionadmin, previewadmin  # noqa: E402, F401
