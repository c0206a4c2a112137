"""The admin's change lists, forgiving of query strings no column can hold.

Django's admin turns most invalid filter values into "reload the list unfiltered" (it
catches ValueError while building the query). Some slipped past it and became 500s: a
date-hierarchy year too large for a date (`datetime()` raises OverflowError, not
ValueError), a NUL byte (PostgreSQL's text refuses it), and values only the database
refuses — an IP address that is not one (PostgreSQL's inet), a 25-digit id. Here every
remaining field lookup's value is first cleaned by the field itself (type, choices,
validators), so each of them ends as an invalid lookup too.
"""

from datetime import MAXYEAR, datetime, timedelta

from django.conf import settings
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from articles.params import MAX_ID

# Lookups whose values are values of the field itself (others — isnull, year, contains —
# take booleans, numbers or fragments and are left to Django).
_VALUE_LOOKUPS = {"exact", "iexact", "in", "gt", "gte", "lt", "lte"}


def _flat(values):
    for value in values:  # `__in` values arrive already split into lists
        yield from _flat(value) if isinstance(value, (list, tuple)) else [value]


def _check(field, values):
    """Each value as the field itself would take it (type, choices, validators)."""
    for value in _flat(values):
        python = field.clean(value, None)
        if isinstance(python, int) and not -MAX_ID <= python <= MAX_ID:
            raise ValidationError("out of range")


class ForgivingChangeList(ChangeList):
    def get_filters(self, request):
        for key, values in self.get_filters_params().items():
            if any("\x00" in str(v) for v in [key, *_flat(values)]):  # PostgreSQL refuses NUL
                raise IncorrectLookupParameters("a NUL byte in the query")
        try:
            filters = super().get_filters(request)
        except OverflowError as exc:  # e.g. ?published_at__year=<25 digits>
            raise IncorrectLookupParameters(exc) from exc
        remaining = filters[2]
        for key, values in remaining.items():
            parts = key.split(LOOKUP_SEP)
            lookup = "exact"
            if len(parts) > 1 and parts[-1] in _VALUE_LOOKUPS | {"isnull", "year", "month"}:
                lookup = parts.pop()
            if lookup not in _VALUE_LOOKUPS:
                continue
            try:
                field = get_fields_from_path(self.model, LOOKUP_SEP.join(parts))[-1]
                _check(getattr(field, "target_field", field), values)
            except (FieldDoesNotExist, NotRelationField):
                # An unknown field, or a lookup this list does not know after a field
                # (?slug__startswith=): Django refuses them itself.
                continue
            except (ValidationError, ValueError, TypeError, OverflowError) as exc:
                raise IncorrectLookupParameters(exc) from exc
        return filters


class DatesByProbe:
    """A queryset mixin whose `datetimes(field, "year" | "month")` reads one index entry per
    year (or month) that has rows, instead of truncating every row's date.

    The admin's date hierarchy lists the years of the rows shown (`datetimes(field,
    "year")`, a `SELECT DISTINCT DATE_TRUNC('year', …)` over every row: 25 ms at 100,000
    articles, on every view of the article list). Here the same list comes from a loose
    index scan: the first date, then the first on or after the next 1 January (the next
    month's 1st) in the current time zone, and so on: one probe per year with rows, plus
    the one that finds none, each the first entry of an index on the field. The dates are
    those Django returns (the start of each year or month, aware, in the time zone asked
    for); empty years in between are skipped as DISTINCT skips them. Other kinds (days,
    a few dozen rows at most once a month is chosen) are Django's own."""

    PROBED = ("year", "month")

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if kind not in self.PROBED or order not in ("ASC", "DESC"):
            return super().datetimes(field_name, kind, order, tzinfo)
        if settings.USE_TZ:
            tzinfo = tzinfo or timezone.get_current_timezone()
        firsts = self.order_by(field_name).values_list(field_name, flat=True)
        starts = []
        bound = None
        while True:
            rows = firsts if bound is None else firsts.filter(**{f"{field_name}__gte": bound})
            first = next(iter(rows[:1]), None)
            if first is None:
                break
            if tzinfo is not None:
                first = timezone.localtime(first, tzinfo)
            start = datetime(first.year, first.month if kind == "month" else 1, 1)
            starts.append(timezone.make_aware(start, tzinfo) if tzinfo else start)
            if start.year == MAXYEAR and (kind == "year" or start.month == 12):
                break  # no later period to look for
            if kind == "year":
                bound = start.replace(year=start.year + 1)
            else:
                bound = (start + timedelta(days=31)).replace(day=1)
            bound = timezone.make_aware(bound, tzinfo) if tzinfo else bound
        return starts if order == "ASC" else starts[::-1]


def probing_dates(queryset):
    """`queryset`, its `datetimes()` for years and months by probes (DatesByProbe)."""
    cls = queryset.__class__
    probing = _PROBING.get(cls)
    if probing is None:
        probing = _PROBING[cls] = type(f"Probing{cls.__name__}", (DatesByProbe, cls), {})
    clone = queryset._chain()
    clone.__class__ = probing
    return clone


_PROBING = {}


class DateProbingChangeList(ForgivingChangeList):
    """The change list whose date hierarchy lists its years and months by probes
    (DatesByProbe) while the list is the whole table, or only narrowed by the hierarchy's
    own dates (each probe then the first entry of the field's index at or after a date).
    Searched or filtered by another field, it keeps Django's DISTINCT: a probe would read
    the rows the filter skips, as many as the DISTINCT reads when no index serves the
    filter (each probe a scan of the table)."""

    def get_filters(self, request):
        filters = super().get_filters(request)
        self.other_lookups = [
            key
            for key in filters[2]
            if not (self.date_hierarchy and key.startswith(f"{self.date_hierarchy}__"))
        ]
        return filters

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if self.query or self.has_active_filters or self.other_lookups:
            return queryset
        return probing_dates(queryset)
