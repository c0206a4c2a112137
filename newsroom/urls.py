from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve

from articles.pagecache import anonymous_page_cache
from articles.sitemaps import SITEMAPS, NewsSitemap
from articles.views import robots_txt
from comments import views as comment_views

urlpatterns = [
    path("admin/", admin.site.urls),
]
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
# Fixed routes: robots.txt and the sitemaps (an index, one sitemap per part, the news one).
# The index and the news sitemap are cached whole like the pages; a part's page is not
# (up to 50,000 URLs: too large to keep).
urlpatterns += [
    path("robots.txt", robots_txt, name="robots"),
    path(
        "sitemap.xml",
        anonymous_page_cache(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-part"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        anonymous_page_cache(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "articles/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-part",
    ),
]
# Before the catch-all ("privacy" is a reserved slug): the privacy page.
urlpatterns += [path("privacy/", comment_views.privacy, name="privacy")]
# Before the catch-all ("transparency" is a reserved slug): readers' reports in totals.
urlpatterns += [
    path(
        "transparency/",
        anonymous_page_cache(comment_views.transparency),
        name="transparency",
    )
]
# Before the catch-all: comment posting under article paths.
urlpatterns += [path("", include("comments.urls"))]
# Last: the catch-all for category and article paths (and search and the feeds before it).
urlpatterns += [path("", include("articles.urls"))]

# Uncaught errors: the 500 page, or a 503 while the database is unreachable.
handler500 = "newsroom.views.server_error"
