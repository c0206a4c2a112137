"""The admin's change lists, forgiving of query strings no column can hold.

Django's admin turns most invalid filter values into "reload the list unfiltered" (it
catches ValueError while building the query). Some slipped past it and became 500s: a
date-hierarchy year too large for a date (`datetime()` raises OverflowError, not
ValueError), a NUL byte (PostgreSQL's text refuses it), and values only the database
refuses — an IP address that is not one (PostgreSQL's inet), a 25-digit id. Here every
remaining field lookup's value is first cleaned by the field itself (type, choices,
validators), so each of them ends as an invalid lookup too.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models.constants import LOOKUP_SEP

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
            except FieldDoesNotExist:
                continue  # Django refuses unknown fields itself
            except (ValidationError, ValueError, TypeError, OverflowError) as exc:
                raise IncorrectLookupParameters(exc) from exc
        return filters
