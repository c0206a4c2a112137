"""The author's preview of their own pending comment, and the commenter cookies.

Posting a comment that waits for moderation sets one short-lived, signed cookie naming
it (10 minutes, like WordPress's moderation hash), scoped to the article's path; the
article page shows those comments to that browser only. Reading sets no cookie. The
name/email/website cookies are set only when the reader ticks the consent box.
"""

from datetime import timedelta
from urllib.parse import quote, unquote

from django.core import signing

from articles.params import parse_id

PREVIEW_COOKIE = "comment_preview"
PREVIEW_SALT = "comments.preview"
PREVIEW_SECONDS = 600
PREVIEW_KEEP = 5

# name → form field
AUTHOR_COOKIES = {
    "comment_author": "name",
    "comment_author_email": "email",
    "comment_author_url": "url",
}
AUTHOR_COOKIE_AGE = timedelta(days=365)


def preview_keys(request):
    """(id, secret) of the pending comments this browser posted in the last ten minutes.

    The cookie is signed (so it cannot be edited) and each entry carries the comment's own
    random secret (so a cookie signed by anyone holding SECRET_KEY still names nothing).
    """
    try:
        value = request.get_signed_cookie(
            PREVIEW_COOKIE, salt=PREVIEW_SALT, max_age=PREVIEW_SECONDS
        )
    except (KeyError, signing.BadSignature):
        return []
    keys = []
    for entry in value.split(",")[-PREVIEW_KEEP:]:
        pk, _, secret = entry.partition(".")
        if (pk := parse_id(pk)) and secret:
            keys.append((pk, secret))
    return keys


def remember_pending(request, response, comment):
    keys = [k for k in preview_keys(request) if k[0] != comment.pk][-(PREVIEW_KEEP - 1) :]
    keys.append((comment.pk, comment.preview_secret))
    response.set_signed_cookie(
        PREVIEW_COOKIE,
        ",".join(f"{pk}.{secret}" for pk, secret in keys),
        salt=PREVIEW_SALT,
        max_age=PREVIEW_SECONDS,
        path=comment.article.get_absolute_url(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def author_initial(request):
    """The form's initial name/email/website from the consent cookies, and the consent box
    ticked when there are any (unticked, the next post would delete them)."""
    initial = {
        field: unquote(request.COOKIES[name])
        for name, field in AUTHOR_COOKIES.items()
        if name in request.COOKIES
    }
    if initial:
        initial["save_details"] = True
    return initial


def update_author_cookies(request, response, cleaned_data):
    """Set the three cookies with consent; without it, delete any that exist."""
    if cleaned_data.get("save_details"):
        for name, field in AUTHOR_COOKIES.items():
            response.set_cookie(
                name,
                quote(cleaned_data.get(field) or ""),
                max_age=AUTHOR_COOKIE_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
    else:
        for name in AUTHOR_COOKIES:
            if name in request.COOKIES:
                response.delete_cookie(name, samesite="Lax")
