"""Ids read from URLs and query strings, parsed once, by one rule, for every app.

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
