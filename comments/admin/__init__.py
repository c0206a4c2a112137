"""The moderators' side of comments, on Django's admin.

`comment`: the queue (columns, filters, bulk actions) and the comment's page; `views`: the
views for one comment (moderate, reply, empty spam/trash) and the re-check; `filters`: the
status and article filters; `policy`: the single-row moderation policy page.

The admin stays thin: what an action does is `moderation.ACTIONS` / `moderate`, the
re-check `pipeline.check_again` (with `throttle`), the reply `pipeline.staff_reply`,
deletion `CommentQuerySet.delete_permanently`. Nothing here assigns a status. Views that
change anything answer POST only; a GET (a link in a mail) asks for confirmation.
"""

from comments.admin.comment import CommentAdmin
from comments.admin.policy import ModerationPolicyAdmin

__all__ = ["CommentAdmin", "ModerationPolicyAdmin"]
