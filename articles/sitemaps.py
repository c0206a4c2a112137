"""Sitemaps: the front page, the sections, every published article, and a news sitemap
of the last two days (Google News' format, through articles/news_sitemap.xml).

The parts print only URLs, which reverse() percent-encodes; the news sitemap also prints
titles, through the `xml_safe` filter, so that a character XML 1.0 forbids which reached
the database around Article.save() cannot make it unparseable.

The articles' sitemap is paginated at the protocol's 50,000 URLs per file
(`sitemap-articles.xml?p=2`, …) and the index lists every page; the index costs a count and
one aggregate whatever the number of articles (Django's default reads every article to find
the latest lastmod)."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Category, Tag

NEWS_WINDOW = timedelta(days=2)


class FrontPageSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:front"]

    def location(self, name):
        return reverse(name)


class CategorySitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.7

    def items(self):
        return Category.objects.all()


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5
    limit = 50_000  # URLs per file: the sitemap protocol's maximum

    def items(self):
        return Article.objects.published().select_related("category").latest_first()

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        """For the index: the last edit of any listed article, in one query."""
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


class NewsSitemap(ArticleSitemap):
    """The articles published in the last two days (news sitemaps take no older ones)."""

    limit = 1000

    def items(self):
        return super().items().filter(published_at__gte=timezone.now() - NEWS_WINDOW)


class AuthorSitemap(Sitemap):
    """Authors with a published article (the others have no page)."""

    changefreq = "daily"
    priority = 0.4

    def items(self):
        return Author.objects.public().order_by("slug")


class TagSitemap(Sitemap):
    """Tags on a published article (the others have no page)."""

    changefreq = "daily"
    priority = 0.4

    def items(self):
        return Tag.objects.public().order_by("slug")


SITEMAPS = {
    "pages": FrontPageSitemap,
    "sections": CategorySitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}
