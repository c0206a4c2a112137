"""The moderation report (for moderators): per day or week and per section, what came in,
what was decided and how fast, the queue's size, Akismet's accuracy and readers' reports,
as SVG charts each beside a table of its numbers, and the same figures as CSV. The
figures are `comments.stats.figures` (kept totals, a fixed number of queries); this only
reads the query string and draws. Also the POST that marks an Akismet alert dealt with."""

import csv
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

import articles.params  # noqa: F401 (registers the <id:…> converter)
from articles.models import Category
from comments import alerts, charts, stats
from comments.admin.moderators import ModeratorsOnly
from comments.models import ModerationDay

ALL = "all"
DEFAULT_SPAN = {"day": timedelta(days=27), "week": timedelta(weeks=11)}
# A text field, so whatever was typed comes back with its message (a date input drops it).
DATE_INPUT = {"placeholder": "YYYY-MM-DD", "size": 11, "inputmode": "numeric"}
MAX_SPAN = {"day": timedelta(days=366), "week": timedelta(days=3 * 366)}


class ReportQuery(forms.Form):
    """The report's query string: every field optional, each bad value named."""

    period = forms.ChoiceField(
        label="Per",
        choices=[("day", "day"), ("week", "week")],
        required=False,
        error_messages={"invalid_choice": "Unknown period “%(value)s”: choose day or week."},
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT),
        error_messages={"invalid": "“From” is not a date: write it as 2026-11-30."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT),
        error_messages={"invalid": "“To” is not a date: write it as 2026-11-30."},
    )
    section = forms.ChoiceField(
        label="Section",
        required=False,
        error_messages={"invalid_choice": "Unknown section “%(value)s”."},
    )

    def __init__(self, data, sections):
        super().__init__(data)
        self.fields["section"].choices = [(ALL, "All sections"), *sections]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        period = data["period"] = data.get("period") or "day"
        today = timezone.localdate()
        end = data["end"] = data.get("end") or today
        start = data["start"] = data.get("start") or end - DEFAULT_SPAN[period]
        if start > end:
            raise forms.ValidationError("“From” is after “To”: swap them.")
        if end - start > MAX_SPAN[period]:
            limit = "a year" if period == "day" else "three years"
            raise forms.ValidationError(
                f"That range is too long to show per {period}: at most {limit}."
            )
        if data.get("section") in ("", ALL):
            data["section"] = None
        return data


def duration(seconds):
    """Seconds as people read them: "45 s", "12 min", "3.5 h", "2.1 days"."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _dash(value, suffix=""):
    return "—" if value is None else f"{value:g}{suffix}"


# CSV columns: (header, how to read it from a `stats.Period`).
COLUMNS = [
    ("comments received", lambda r: r.received),
    ("approved", lambda r: r.approved),
    ("spam", lambda r: r.spam),
    ("trash", lambda r: r.trash),
    ("decided by a person", lambda r: r.decided),
    ("decision time p50 (s)", lambda r: r.p50),
    ("decision time p90 (s)", lambda r: r.p90),
    ("queue mean", lambda r: r.queue_mean),
    ("queue max", lambda r: r.queue_max),
    ("Akismet said ham", lambda r: r.akismet_ham),
    ("Akismet said spam", lambda r: r.akismet_spam),
    ("missed spam", lambda r: r.missed_spam),
    ("missed spam (% of ham)", lambda r: r.missed_rate),
    ("false positives", lambda r: r.false_positives),
    ("false positives (% of spam)", lambda r: r.false_positive_rate),
    ("reports filed", lambda r: r.reports_filed),
    ("reports kept", lambda r: r.reports_kept),
    ("reports removed", lambda r: r.reports_removed),
]


def _cell(text):
    """A name for a spreadsheet cell: never read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _time_unit(rows):
    longest = max((r.p90 or 0 for r in rows), default=0)
    return (3600, "hours") if longest > 3 * 3600 else (60, "minutes")


def build_charts(rows):
    """Each chart: its id, heading, the SVG, and its table (headers, rows of cells)."""
    labels = [r.short for r in rows]
    unit_seconds, unit = _time_unit(rows)

    def in_unit(seconds):
        return None if seconds is None else round(seconds / unit_seconds, 2)

    specs = [
        (
            "received",
            "Comments received and decided",
            "",
            [
                ("Received", [r.received for r in rows], "s1"),
                ("Approved", [r.approved for r in rows], "s2"),
                ("Spam", [r.spam for r in rows], "s3"),
                ("Trash", [r.trash for r in rows], "s4"),
            ],
            ["Received", "Approved", "Spam", "Trash"],
            lambda r: [r.received, r.approved, r.spam, r.trash],
        ),
        (
            "decision-time",
            f"Time from posting to a person's decision ({unit})",
            unit,
            [
                ("p50", [in_unit(r.p50) for r in rows], "s1"),
                ("p90", [in_unit(r.p90) for r in rows], "s3"),
            ],
            ["Decided", "p50", "p90"],
            lambda r: [r.decided, duration(r.p50), duration(r.p90)],
        ),
        (
            "queue",
            "Comments awaiting moderation (sampled hourly)",
            "",
            [
                ("Mean", [r.queue_mean for r in rows], "s1"),
                ("Largest", [r.queue_max for r in rows], "s3"),
            ],
            ["Mean", "Largest", "Samples"],
            lambda r: [_dash(r.queue_mean), _dash(r.queue_max), len(r.queue)],
        ),
        (
            "akismet",
            "Akismet's accuracy: where a person disagreed (%)",
            "%",
            [
                ("Missed spam", [r.missed_rate for r in rows], "s3"),
                ("False positives", [r.false_positive_rate for r in rows], "s2"),
            ],
            ["Missed spam", "False positives"],
            lambda r: [
                f"{r.missed_spam} of {r.akismet_ham} ({_dash(r.missed_rate, ' %')})",
                f"{r.false_positives} of {r.akismet_spam} ({_dash(r.false_positive_rate, ' %')})",
            ],
        ),
        (
            "reports",
            "Readers' reports and decisions",
            "",
            [
                ("Filed", [r.reports_filed for r in rows], "s1"),
                ("Kept", [r.reports_kept for r in rows], "s2"),
                ("Removed", [r.reports_removed for r in rows], "s4"),
            ],
            ["Filed", "Kept", "Removed"],
            lambda r: [r.reports_filed, r.reports_kept, r.reports_removed],
        ),
    ]
    return [
        {
            "id": chart_id,
            "title": title,
            "svg": charts.line_chart(f"chart-{chart_id}", title, labels, series, unit=unit),
            "headers": headers,
            "rows": [(r.label, cells(r)) for r in rows],
        }
        for chart_id, title, unit, series, headers, cells in specs
    ]


@admin.register(ModerationDay)
class ModerationReportAdmin(ModeratorsOnly, admin.ModelAdmin):
    """The report is this model's changelist; nobody adds or edits the totals."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.report_view), name="comments_moderationday_changelist"),
            path(
                "alerts/<id:pk>/dealt-with/",
                wrap(self.dealt_with_view),
                name="comments_akismetalert_dealt_with",
            ),
        ]

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sections = list(Category.objects.roots().order_by("tree_order").values_list("slug", "name"))
        form = ReportQuery(request.GET, sections)
        valid = form.is_valid()
        wants_csv = request.GET.get("format") == "csv"
        if valid:
            data = form.cleaned_data
            rows = stats.figures(data["period"], data["start"], data["end"], data["section"])
            if wants_csv:
                return self.csv_response(rows, data, dict(sections))
            # The fields show the range in force (the defaults filled in).
            form = ReportQuery(
                {
                    "period": data["period"],
                    "start": data["start"].isoformat(),
                    "end": data["end"].isoformat(),
                    "section": data["section"] or ALL,
                },
                sections,
            )
            form.is_valid()
        elif wants_csv:
            errors = [e for errors in form.errors.values() for e in errors]
            return HttpResponse(
                "\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Moderation report",
            "form": form,
            "charts": build_charts(rows) if valid else [],
            "query": request.GET.urlencode(),
            "chosen": form.cleaned_data if valid else None,
            "section_name": dict(sections).get(form.cleaned_data.get("section")) if valid else "",
        }
        return TemplateResponse(
            request,
            "admin/comments/moderationday/report.html",
            context,
            status=200 if valid else 400,
        )

    def csv_response(self, rows, data, names):
        section = data["section"]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"moderation-{data['period']}-{data['start']}-{data['end']}-{section or ALL}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        writer = csv.writer(response)
        writer.writerow([data["period"], "section", *(header for header, _read in COLUMNS)])
        for row in rows:
            writer.writerow(
                [
                    row.start.isoformat(),
                    _cell(names.get(section, section)) if section else "all",
                    *("" if (v := read(row)) is None else v for _header, read in COLUMNS),
                ]
            )
        return response

    def dealt_with_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if alerts.mark_dealt_with(pk, request.user):
            self.message_user(request, "Alert marked as dealt with.", messages.SUCCESS)
        else:
            self.message_user(request, "That alert was dealt with already.", messages.INFO)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:comments_comment_changelist")
        return HttpResponseRedirect(back)
