"""The moderators' side of comments, on Django's admin.

`comment`: the queue (columns, filters, bulk actions), the comment's page and the views for
one comment (moderate, reply, empty spam/trash); `filters`: the status and article filters;
`policy`: the single-row moderation policy page; `commenters`: the commenter page, trust
levels and blocks; `reports`: the Reported view and the decision on readers' reports;
`surges`: busy articles switched by hand, their history (also on the article's page).
`report`: the moderation report and Akismet's alerts.

The admin stays thin: what an action is and does is `comments.actions` (row buttons, bulk
actions, the comment's page and the confirmation page all read it), the reply
`pipeline.staff_reply`, emptying spam/trash `CommentQuerySet.delete_permanently`. Nothing
here assigns a status. Views that change anything answer POST only; a GET (a link in a
mail) asks for confirmation.
"""

from comments.admin.comment import CommentAdmin
from comments.admin.commenters import BlockAdmin, CommenterAdmin
from comments.admin.policy import ModerationPolicyAdmin
from comments.admin.report import ModerationReportAdmin
from comments.admin.reports import ReportedCommentAdmin
from comments.admin.surges import SurgeAdmin

__all__ = [
    "BlockAdmin",
    "CommentAdmin",
    "CommenterAdmin",
    "ModerationPolicyAdmin",
    "ModerationReportAdmin",
    "ReportedCommentAdmin",
    "SurgeAdmin",
]
