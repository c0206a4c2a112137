from django.urls import path

import articles.params  # noqa: F401 (registers the <id:…> converter)
from articles.pagecache import anonymous_page_cache
from comments import views
from comments.feeds import LatestCommentsFeed

app_name = "comments"
urlpatterns = [
    path("comment-status/<str:token>/", views.comment_status, name="status"),
    # A reader's report on a published comment ("comments" is a reserved slug).
    path("comments/<id:pk>/report/", views.report_comment, name="report"),
    # The site's comment feed; "comments" is a reserved slug, never a category.
    path("comments/feed/", anonymous_page_cache(LatestCommentsFeed()), name="feed"),
    path(
        "<path:path>/comments/feed/",
        anonymous_page_cache(LatestCommentsFeed()),
        name="article-feed",
    ),
    # Page n > 1 of a long thread (page 1 is the article itself).
    path(
        "<path:path>/comments/<id:number>/", anonymous_page_cache(views.comment_page), name="page"
    ),
    path("<path:path>/comments/", views.post_comment, name="post"),
    # Readers' notifications (`comments.subscriptions`): the double opt-in's link, and the
    # one-click unsubscribe of every mail (RFC 8058). "notifications" is a reserved slug.
    path("notifications/confirm/<str:token>/", views.confirm_subscription, name="confirm"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
