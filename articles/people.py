"""How a site user is named to readers: the full name, or else the username."""


def display_name(user):
    """The name shown for `user` (an author's byline, a moderator's reply)."""
    return user.get_full_name() or user.get_username()
