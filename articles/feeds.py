"""RSS and Atom feeds of the latest published articles: the whole site, or one section.

Every text goes through xml_safe(): articles and categories are cleaned on save, but a row
changed another way (an `.update()`, raw SQL, a restored backup) or an author's name could
still hold a character XML 1.0 forbids, and one of them makes the whole feed fail.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Category
from articles.people import author_name
from articles.xmltext import xml_safe

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    description_template = None

    def get_object(self, request, path=None):
        return get_object_or_404(Category, path=path) if path else None

    def title(self, category):
        if category is None:
            return xml_safe(settings.SITE_NAME)
        return xml_safe(f"{category.name} · {settings.SITE_NAME}")

    def link(self, category):
        return category.get_absolute_url() if category else "/"

    def description(self, category):
        if category is not None and category.description:
            return xml_safe(category.description)
        return xml_safe(f"The latest articles from {settings.SITE_NAME}.")

    subtitle = description

    def items(self, category):
        articles = Article.objects.published()
        if category is not None:
            articles = articles.in_category(category)
        return articles.for_listing().latest_first()[:FEED_LENGTH]

    def item_title(self, article):
        return xml_safe(article.title)

    def item_description(self, article):
        return xml_safe(article.standfirst)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        names = ", ".join(author_name(a) for a in article.authors.all())
        return xml_safe(names)

    def item_categories(self, article):
        return [xml_safe(article.category.name)]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
