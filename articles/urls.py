from django.urls import path

from articles import views
from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed

app_name = "articles"
urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("feed/atom/", LatestArticlesAtomFeed(), name="atom-feed"),
    # Before the catch-all: "feed" and "atom" are reserved, never a category or article slug.
    path("<path:path>/feed/", LatestArticlesFeed(), name="category-feed"),
    path("<path:path>/feed/atom/", LatestArticlesAtomFeed(), name="category-atom-feed"),
    path("<path:path>/", views.page, name="page"),
]
