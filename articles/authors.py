"""Author pages (`/author/<slug>/`) and their feeds.

An author is public while at least one of their articles is (`Author.objects.public()`):
the page, the feed and the sitemap entry of an author with none are a 404 / absent.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles import images, listing
from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from articles.html import html_to_text
from articles.models import Article, Author
from articles.seo import person
from articles.xmltext import xml_safe


def photo_context(author):
    """The photo's `src`, `srcset` and size from its renditions (no file access)."""
    items = author.photo_renditions
    if not items:
        return None
    return {
        "src": default_storage.url(items[0]["name"]),
        "srcset": images.srcset(items),
        "width": items[0]["width"],
        "height": items[0]["height"],
    }


class AuthorView(ListView):
    """An author's name, photo, role and bio, and their published articles, latest first."""

    template_name = "articles/author.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = listing.Paginator  # the newest ARTICLES_LISTING_LIMIT, counted flat
    context_object_name = "articles"

    def get_queryset(self):
        self.author = get_object_or_404(Author.objects.public(), slug=self.kwargs["slug"])
        return (
            Article.objects.published()
            .filter(authors=self.author.user_id)
            .for_listing()
            .latest_first()
        )

    def get_context_data(self, **kwargs):
        jsonld = {"@context": "https://schema.org", **person(self.request, self.author)}
        return super().get_context_data(
            author=self.author,
            photo=photo_context(self.author),
            person_jsonld=jsonld,
            **kwargs,
        )


class AuthorFeed(LatestArticlesFeed):
    """RSS: an author's latest published articles."""

    def get_object(self, request, slug):
        author = Author.objects.public().filter(slug=slug).first()
        if author is None:
            raise Http404
        return author

    def title(self, author):
        return xml_safe(f"{author.name} · {settings.SITE_NAME}")

    def link(self, author):
        return author.get_absolute_url()

    def description(self, author):
        bio = html_to_text(author.bio)
        return xml_safe(bio or f"The latest articles by {author.name} on {settings.SITE_NAME}.")

    subtitle = description

    def items(self, author):
        articles = Article.objects.published().filter(authors=author.user_id)
        return articles.for_listing().latest_first()[: self.feed_length]

    feed_length = 30


class AuthorAtomFeed(AuthorFeed):
    feed_type = LatestArticlesAtomFeed.feed_type
