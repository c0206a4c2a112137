from django.urls import path

from articles import preview_views, views
from articles.authors import AuthorAtomFeed, AuthorFeed, AuthorView
from articles.correction_views import CorrectionsFeed, CorrectionsView
from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from articles.pagecache import anonymous_page_cache
from articles.tags import TagAtomFeed, TagFeed, TagView

app_name = "articles"
urlpatterns = [
    path("", anonymous_page_cache(views.FrontPageView.as_view()), name="front"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", anonymous_page_cache(LatestArticlesFeed()), name="feed"),
    path("feed/atom/", anonymous_page_cache(LatestArticlesAtomFeed()), name="atom-feed"),
    # Authors and tags: "author" and "tag" are reserved slugs, never a category's.
    path("author/<slug:slug>/", anonymous_page_cache(AuthorView.as_view()), name="author"),
    path("author/<slug:slug>/feed/", anonymous_page_cache(AuthorFeed()), name="author-feed"),
    path(
        "author/<slug:slug>/feed/atom/",
        anonymous_page_cache(AuthorAtomFeed()),
        name="author-atom-feed",
    ),
    path("tag/<slug:slug>/", anonymous_page_cache(TagView.as_view()), name="tag"),
    path("tag/<slug:slug>/feed/", anonymous_page_cache(TagFeed()), name="tag-feed"),
    path("tag/<slug:slug>/feed/atom/", anonymous_page_cache(TagAtomFeed()), name="tag-atom-feed"),
    # Corrections and updates, and preview links ("corrections" and "preview" are reserved).
    path(
        "corrections/",
        anonymous_page_cache(CorrectionsView.as_view()),
        name="corrections",
    ),
    path("corrections/feed/", anonymous_page_cache(CorrectionsFeed()), name="corrections-feed"),
    path("preview/<str:token>/", preview_views.preview_page, name="preview"),
    # Before the catch-all: "feed" and "atom" are reserved, never a category or article slug.
    path("<path:path>/feed/", anonymous_page_cache(LatestArticlesFeed()), name="category-feed"),
    path(
        "<path:path>/feed/atom/",
        anonymous_page_cache(LatestArticlesAtomFeed()),
        name="category-atom-feed",
    ),
    path("<path:path>/", anonymous_page_cache(views.page), name="page"),
]
