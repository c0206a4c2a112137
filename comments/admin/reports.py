"""The Reported view of the queue: comments with open readers' reports (illegal content
first, then the most reported), their reports grouped by reason, and the decision page
(keep or remove, a reason and a note: the statement of reasons). The rules are
`comments.reports`; this only shows them and passes the moderator's choice on."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

import articles.params  # noqa: F401 (registers the <id:…> converter)
from comments import reports
from comments.admin.moderators import ModeratorsOnly
from comments.models import Report, ReportedComment
from comments.reasons import KEEP_REASONS, MODERATOR_REASONS, NOTE_MAX, Reason

GROUNDS = Report.Ground


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=Report.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label="Reason",
        choices=[
            ("Keep", [(r.value, r.label) for r in map(Reason, KEEP_REASONS)]),
            ("Remove", [(r.value, r.label) for r in map(Reason, MODERATOR_REASONS)]),
        ],
    )
    note = forms.CharField(
        label="Note (the author and the reporters read it)",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def clean(self):
        data = super().clean()
        decision, reason = data.get("decision"), data.get("reason")
        if decision and reason:
            allowed = KEEP_REASONS if decision == Report.Decision.KEEP else MODERATOR_REASONS
            if reason not in allowed:
                self.add_error("reason", f"“{Reason(reason).label}” is not a reason to {decision}.")
            if reason == Reason.OTHER and not data.get("note", "").strip():
                self.add_error("note", "Say why: the reason is “Other”.")
        return data


@admin.register(ReportedComment)
class ReportedCommentAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = [
        "comment_column",
        "article",
        "open_reports",
        "grounds",
        "first_report",
        "decide",
    ]
    list_display_links = None
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return reports.reported_comments().select_related("article")

    def get_ordering(self, request):
        return list(reports.REPORTED_ORDER)  # illegal content first

    @admin.display(description="comment")
    def comment_column(self, obj):
        flat = " ".join(obj.body.split())
        return format_html(
            "<bdi>{}</bdi>: {}", obj.author_name, flat if len(flat) <= 140 else flat[:139] + "…"
        )

    @admin.display(description="open reports")
    def open_reports(self, obj):
        return obj.open_reports

    @admin.display(description="reasons")
    def grounds(self, obj):
        counts = [
            (label, getattr(obj, f"reports_{value}"))
            for value, label in GROUNDS.choices
            if getattr(obj, f"reports_{value}")
        ]
        return format_html_join(", ", "{} ({})", counts)

    @admin.display(description="first reported")
    def first_report(self, obj):
        return obj.first_report

    @admin.display(description="")
    def decide(self, obj):
        url = reverse("admin:comments_reportedcomment_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">Decide</a>', url)

    def changelist_view(self, request, extra_context=None):
        by_ground = dict(
            reports.open_reports()
            .values_list("ground")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("ground", "n")
        )
        extra_context = {
            **(extra_context or {}),
            "title": "Reported comments",
            "subtitle": ", ".join(
                f"{label}: {by_ground[value]}"
                for value, label in GROUNDS.choices
                if by_ground.get(value)
            )
            or "No open reports",
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/decide/", wrap(self.decide_view), name="comments_reportedcomment_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        """The reports on one comment, and the decision on all of them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        comment = get_object_or_404(
            ReportedComment.objects.select_related("article", "parent"), pk=pk
        )
        open_ = list(reports.open_reports().filter(comment=comment).order_by("created_at"))
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and open_ and form.is_valid():
            data = form.cleaned_data
            try:
                decided = reports.decide(
                    comment, data["decision"], data["reason"], data["note"], actor=request.user
                )
            except reports.DecisionError as exc:
                form.add_error(None, str(exc))
            else:
                verb = "kept" if data["decision"] == Report.Decision.KEEP else "removed"
                self.message_user(
                    request,
                    f"Comment {verb}; {len(decided)} report{'s' if len(decided) != 1 else ''} "
                    "decided.",
                    messages.SUCCESS,
                )
                return redirect("admin:comments_reportedcomment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Decide on the reports",
            "comment": comment,
            "reports": open_,
            "decided": comment.reports.filter(decided_at__isnull=False).order_by("-decided_at"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/comments/reportedcomment/decide.html", context, status=200
        )
