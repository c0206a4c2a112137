"""Surges: the articles in surge (or forced either way), switched by hand, with their
history. Thin: the rules and the record are `comments.surges`. Moderators (the permission
to moderate comments) use it; nobody deletes a row (the history is the record)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.models import Article
from articles.params import parse_id
from articles.people import display_name
from comments import policy as policies
from comments import surges
from comments.admin.moderators import ModeratorsOnly
from comments.models import Comment, Surge

RECENT_ARTICLES = 30

MODE_CHOICES = [
    (Surge.Mode.ON, "Force surge on"),
    (Surge.Mode.OFF, "Force surge off"),
    (Surge.Mode.AUTO, "Automatic (by the policy's thresholds)"),
]


def recent_articles(chosen=None):
    """The published articles with the latest comments (and `chosen`, an article id): the
    add form's choices, as the queue's article filter lists them."""
    latest = Comment.objects.order_by("-created_at").values("article_id")[:1000]
    ids = list(
        Article.objects.published()
        .filter(pk__in=latest)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:RECENT_ARTICLES]
    )
    if chosen:
        ids.append(chosen)
    return Article.objects.published().filter(pk__in=ids).order_by("-published_at")


class SurgeForm(forms.ModelForm):
    """Force an article's surge on or off, or give it back to the thresholds."""

    mode = forms.ChoiceField(
        label="Surge",
        choices=MODE_CHOICES,
        widget=forms.RadioSelect,
        help_text="Forced on or off, the article stays so until a moderator changes it; "
        "automatic switches it by the moderation policy's thresholds.",
    )
    note = forms.CharField(label="Why (kept in the history)", max_length=300, required=False)

    class Meta:
        model = Surge
        fields = ["article", "mode"]

    def __init__(self, *args, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "article" in self.fields:
            self.fields["article"].queryset = recent_articles(chosen)
            self.fields["article"].help_text = (
                "The published articles with the latest comments. From the comment queue "
                "filtered by one article, “Surge on this article…” brings you here for it."
            )
            self.fields["article"].label_from_instance = lambda a: a.title


@admin.register(Surge)
class SurgeAdmin(ModeratorsOnly, admin.ModelAdmin):
    form = SurgeForm
    list_display = [
        "article_name",
        "state_column",
        "changed_at",
        "pending",
        "last_switch",
        "links",
    ]
    list_filter = ["active", "mode"]
    search_fields = ["article__title"]
    list_select_related = ["article__category"]
    ordering = ["-active", "-changed_at"]
    readonly_fields = ["article_title", "state_column", "changed_at", "history_table"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["article", "mode", "note"]})]
        return [
            (None, {"fields": ["article_title", "state_column", "changed_at"]}),
            ("Switch", {"fields": ["mode", "note"]}),
            ("History", {"fields": ["history_table"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        chosen = parse_id(request.GET.get("article", ""))

        class Form(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, chosen=chosen, **kw)

        return Form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("mode", Surge.Mode.ON)
        return initial

    def get_queryset(self, request):
        waiting = (
            Comment.objects.filter(article_id=models.OuterRef("article_id"), status="pending")
            .order_by()
            .values("article_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        pending = Coalesce(models.Subquery(waiting), 0)
        return super().get_queryset(request).annotate(n_pending=pending)

    # -- permissions: moderators -----------------------------------------------------

    # Moderators view (ModeratorsOnly) and force surges on or off; nobody deletes a row.
    def has_add_permission(self, request):
        return policies.can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return policies.can_moderate(request.user)

    # -- views -------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        """From the queue's "Surge on this article…": the article's page if it has one."""
        chosen = parse_id(request.GET.get("article", ""))
        if chosen and Surge.objects.filter(pk=chosen).exists():
            return HttpResponseRedirect(reverse("admin:comments_surge_change", args=[chosen]))
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Every switch goes through `surges.force` (the row, the history, the mirror)."""
        data = form.cleaned_data
        event = surges.force(
            obj.article_id, data["mode"], actor=request.user, note=data.get("note", "")
        )
        obj.refresh_from_db()
        if event is None:
            messages.info(request, "The article was in that mode already: nothing changed.")

    def save_related(self, request, form, formsets, change):
        pass  # nothing else to save

    def construct_change_message(self, request, form, formsets, add=False):
        return f"Surge: {form.cleaned_data['mode']}"

    # -- columns -------------------------------------------------------------------------

    @admin.display(description="article", ordering="article__title")
    def article_name(self, obj):
        return obj.article.title

    @admin.display(description="see")
    def links(self, obj):
        return format_html(
            '<a href="{}">public page</a> · <a href="{}?article={}">its comments</a>',
            obj.article.get_absolute_url(),
            reverse("admin:comments_comment_changelist"),
            obj.article_id,
        )

    @admin.display(description="article")
    def article_title(self, obj):
        return format_html(
            '{} <a href="{}" title="the public page">↗</a> · '
            '<a href="{}?article={}">its comments</a>',
            obj.article.title,
            obj.article.get_absolute_url(),
            reverse("admin:comments_comment_changelist"),
            obj.article_id,
        )

    @admin.display(description="surge")
    def state_column(self, obj):
        words = {
            "on": "In surge (automatic)",
            "forced_on": "In surge (forced on)",
            "forced_off": "Off (forced off)",
            "": "Off (automatic)",
        }[obj.state]
        if obj.state == "on" and obj.calm_since:
            words += ", calm since " + obj.calm_since.strftime("%H:%M")
        css = "surge-on" if obj.active else "surge-off"
        return format_html('<span class="{}">{}</span>', css, words)

    @admin.display(description="pending", ordering="n_pending")
    def pending(self, obj):
        return getattr(obj, "n_pending", None)

    @admin.display(description="last switch")
    def last_switch(self, obj):
        event = surges.history(obj.article_id, limit=1)
        return describe(event[0]) if event else "—"

    @admin.display(description="switches, newest first")
    def history_table(self, obj):
        return history_html(surges.history(obj.article_id, limit=50))


def describe(event):
    """One switch in words: "on, Pending comments reached the threshold: 52 pending…"."""
    who = display_name(event.actor) if event.actor_id else "automatic"
    return f"{'on' if event.on else 'off'} — {event.get_cause_display()} ({who})"


def history_html(events):
    """The switches as a table (the Surges page, the article's admin page)."""
    if not events:
        return "No switch yet."
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                event.created_at.strftime("%Y-%m-%d %H:%M"),
                "on" if event.on else "off",
                event.get_cause_display(),
                display_name(event.actor) if event.actor_id else "automatic",
                event.numbers,
                event.note,
            )
            for event in events
        ),
    )
    return format_html(
        '<table class="surge-history"><thead><tr><th>When</th><th>Surge</th><th>Why</th>'
        "<th>Who</th><th>Numbers</th><th>Note</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def article_panel(request, article):
    """The article's admin page: its surge history, for those who moderate (registered with
    `articles.admin.register_panel`: articles never imports comments)."""
    if article is None or article.pk is None or not policies.can_moderate(request.user):
        return ""
    events = surges.history(article.pk, limit=10)
    link = reverse("admin:comments_surge_add") + f"?article={article.pk}"
    return format_html(
        '<div class="revision-box" id="surge-history"><h2>Comment surges</h2>{}'
        '<p><a href="{}">Switch surge on this article…</a></p></div>',
        history_html(events) if events else format_html("<p>{}</p>", "No surge yet."),
        link,
    )
