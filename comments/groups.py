"""The Moderators group: exactly the permissions needed to work the comment queue and
edit the moderation policy (nothing about articles or users)."""

from articles.groups import group_keeper

MODERATORS = "Moderators"
MODERATOR_PERMISSIONS = [
    "view_comment",
    "change_comment",
    "delete_comment",
    "moderate_comment",
    "view_moderationpolicy",
    "change_moderationpolicy",
    # Controls per commenter: trust levels and bans, blocks.
    "view_commenter",
    "add_commenter",
    "change_commenter",
    "delete_commenter",
    "view_block",
    "add_block",
    "change_block",
    "delete_block",
]

ensure_moderators_group = group_keeper(MODERATORS, "comments", MODERATOR_PERMISSIONS)
