from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("<path:path>/comments/", views.post_comment, name="post"),
    # Readers' notifications (`comments.subscriptions`): the double opt-in's link, and the
    # one-click unsubscribe of every mail (RFC 8058). "notifications" is a reserved slug.
    path("notifications/confirm/<str:token>/", views.confirm_subscription, name="confirm"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
