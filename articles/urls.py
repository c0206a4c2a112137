from django.urls import path

from articles import views
from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from articles.pagecache import anonymous_page_cache

app_name = "articles"
urlpatterns = [
    path("", anonymous_page_cache(views.FrontPageView.as_view()), name="front"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", anonymous_page_cache(LatestArticlesFeed()), name="feed"),
    path("feed/atom/", anonymous_page_cache(LatestArticlesAtomFeed()), name="atom-feed"),
    # Before the catch-all: "feed" and "atom" are reserved, never a category or article slug.
    path("<path:path>/feed/", anonymous_page_cache(LatestArticlesFeed()), name="category-feed"),
    path(
        "<path:path>/feed/atom/",
        anonymous_page_cache(LatestArticlesAtomFeed()),
        name="category-atom-feed",
    ),
    path("<path:path>/", anonymous_page_cache(views.page), name="page"),
]
