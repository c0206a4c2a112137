"""Tag pages (`/tag/<slug>/`), their feeds, and "Related" on the article page.

A tag is public while at least one published article carries it (`Tag.objects.public()`).
"""

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles import listing
from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from articles.models import Article, Tag
from articles.xmltext import xml_safe


def related(article, tags, count):
    """Up to `count` published articles sharing the most of `tags` (the article's tags,
    already loaded), newest first among equals; one query. None when the article has no
    tags: the caller falls back to its section."""
    if not tags:
        return None
    pks = [t.pk for t in tags]
    return list(
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(tags__in=pks)
        .annotate(shared=Count("tags", filter=Q(tags__in=pks)))
        .select_related("category")
        .order_by("-shared", "-published_at", "-pk")[:count]
    )


class TagView(ListView):
    """A tag's published articles, latest first."""

    template_name = "articles/tag.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = listing.Paginator  # the newest ARTICLES_LISTING_LIMIT, counted flat
    context_object_name = "articles"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag.objects.public(), slug=self.kwargs["slug"])
        return Article.objects.published().filter(tags=self.tag).for_listing().latest_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagFeed(LatestArticlesFeed):
    """RSS: the latest published articles with a tag."""

    feed_length = 30

    def get_object(self, request, slug):
        tag = Tag.objects.public().filter(slug=slug).first()
        if tag is None:
            raise Http404
        return tag

    def title(self, tag):
        return xml_safe(f"{tag.name} · {settings.SITE_NAME}")

    def link(self, tag):
        return tag.get_absolute_url()

    def description(self, tag):
        return xml_safe(f"The latest articles tagged “{tag.name}” on {settings.SITE_NAME}.")

    subtitle = description

    def items(self, tag):
        articles = Article.objects.published().filter(tags=tag)
        return articles.for_listing().latest_first()[: self.feed_length]


class TagAtomFeed(TagFeed):
    feed_type = LatestArticlesAtomFeed.feed_type
