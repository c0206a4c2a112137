"""The pending count in the admin's header and on its index (one COUNT per request), and
the history on a comment's page in sentences."""

from django import template

from comments import counts, history

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_comments(context):
    """How many comments wait for moderation, or None for someone who may not see them.
    Counted once per request however often a page asks."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.has_perm("comments.view_comment"):
        return None
    return counts.pending_count(request)


@register.filter
def describe(event):
    """A history entry as a sentence (`comments.history.describe`)."""
    return history.describe(event)


@register.simple_tag(takes_context=True)
def akismet_alerts(context):
    """Akismet's open alerts, for a moderator (permission `moderate_comment`); an empty
    list for anyone else. One query per request however often a page asks."""
    from comments import alerts

    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.has_perm("comments.moderate_comment"):
        return []
    if not hasattr(request, "_akismet_alerts"):
        request._akismet_alerts = list(alerts.open_alerts())
    return request._akismet_alerts
