"""Filters for the plain-text mail to moderators: reader values never start a line."""

from django import template

from comments import text

register = template.Library()


@register.filter
def one_line(value):
    """A reader's value on one line (line breaks and control characters become spaces)."""
    return text.one_line(value if value is not None else "")


@register.filter
def quoted(value):
    """A reader's text with "> " before each of its lines."""
    return text.quoted(value if value is not None else "")
