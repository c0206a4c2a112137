from django.urls import path

from articles import views

app_name = "articles"
urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("<path:path>/", views.page, name="page"),
]
