from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("comment-status/<str:token>/", views.comment_status, name="status"),
    path("<path:path>/comments/", views.post_comment, name="post"),
]
