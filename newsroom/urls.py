from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
]
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
# Before the catch-all: comment posting under article paths.
urlpatterns += [path("", include("comments.urls"))]
# Last: the catch-all for category and article paths.
urlpatterns += [path("", include("articles.urls"))]
