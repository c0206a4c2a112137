from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("<path:path>/comments/", views.post_comment, name="post"),
]
