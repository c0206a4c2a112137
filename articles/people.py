"""How a site user is named to readers: the full name, or else the username."""


def display_name(user):
    """The name shown for `user` (an author's byline, a moderator's reply)."""
    return user.get_full_name() or user.get_username()


def author_name(user):
    """The byline's name for `user`: their author profile's name if they have one (callers
    load the profiles with the authors: `articles.models.authors_prefetch`)."""
    profile = getattr(user, "author_profile", None)
    return profile.name if profile is not None else display_name(user)
