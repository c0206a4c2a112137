"""Ids read from URLs, query strings and forms, parsed once, by one rule, for every app.

`"²".isdigit()` is true and `int("²")` fails; `int("٣")` is 3; a 25-digit number overflows a
64-bit column (SQLite raises OverflowError, PostgreSQL an error of its own). So an id is ASCII
digits only, positive and below 2**63; anything else is no id at all, which callers answer
with a 404 or by ignoring the parameter — never a 500.
"""

from django.urls import register_converter

MAX_ID = 2**63 - 1


def parse_id(value):
    """The primary key `value` names, or None if it names none."""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, int) else ""
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    """`<id:pk>` in a URL pattern: a path segment that `parse_id` accepts, else no match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the resolver treats it as no match
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


class SelectedIds:
    """For a ModelAdmin: the rows ticked for a bulk action are ids like any other. Django's
    admin filters by the posted values as they are, and a malformed one ends in a 500; here
    it selects nothing (none left: Django's own "Items must be selected" warning)."""

    def response_action(self, request, queryset):
        from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        ids = [str(pk) for pk in map(parse_id, selected) if pk]
        if ids != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, ids)
        return super().response_action(request, queryset)
