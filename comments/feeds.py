"""RSS of the latest approved comments, as WordPress has them: the site's
(`/comments/feed/`) and one article's (`<article path>/comments/feed/`).

Cached whole like the articles' feeds (`articles.pagecache`, keyed on the content version,
which every approval and unapproval moves: `articles.invalidation`). At most
`FEED_LENGTH` comments, newest first; only `Comment.objects.approved()` (approved comments
on published articles). Every reader's text goes through `xml_safe()` (a row written
around the model could still hold a character XML 1.0 forbids); the commenter's e-mail
address is never in a feed (no `item_author_email`). Each item links to the page of a
long thread that shows the comment (`comments.paging`), all of them in one query.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404

from articles.models import Article
from articles.xmltext import xml_safe
from comments import paging, text
from comments.models import Comment

FEED_LENGTH = 50


def feed_path(article_url):
    """The URL of the comment feed of the article at `article_url`."""
    return f"{article_url}comments/feed/"


class LatestCommentsFeed(Feed):
    description_template = None

    def get_object(self, request, path=None):
        """None for the site's feed; the published article at `path`, else a 404."""
        if path is None:
            return None
        category_path, _sep, slug = path.rpartition("/")
        article = (
            Article.objects.published()
            .select_related("category")
            .filter(slug=slug, category__path=category_path)
            .first()
        )
        if article is None:
            raise Http404("No such article.")
        return article

    def title(self, article):
        if article is None:
            return xml_safe(f"Comments · {settings.SITE_NAME}")
        return xml_safe(f"Comments on “{article.title}” · {settings.SITE_NAME}")

    def link(self, article):
        return article.get_absolute_url() if article else "/"

    def description(self, article):
        if article is None:
            return xml_safe(f"The latest comments on {settings.SITE_NAME}.")
        return xml_safe(f"The latest comments on “{article.title}”.")

    def items(self, article):
        comments = Comment.objects.approved().select_related("article__category")
        if article is not None:
            comments = comments.filter(article=article)
        comments = list(
            comments.defer(
                "body", "author_email", "user_agent", "referrer", "akismet_payload"
            ).order_by("-created_at", "-pk")[:FEED_LENGTH]
        )
        urls = paging.comment_urls(comments)
        for comment in comments:
            comment.feed_url = urls[comment.pk]
        return comments

    def item_title(self, comment):
        return xml_safe(f"Comment on “{comment.article.title}” by {comment.author_name}")

    def item_description(self, comment):
        # The stored HTML; a row written around the model may have none (rendered here).
        return xml_safe(comment.body_html or text.render(comment.body))

    def item_link(self, comment):
        return comment.feed_url

    # The link moves between pages as a thread grows; the comment's id does not.
    item_guid_is_permalink = False

    def item_guid(self, comment):
        return f"{settings.SITE_URL}{comment.article.get_absolute_url()}#comment-{comment.pk}"

    def item_pubdate(self, comment):
        return comment.created_at

    def item_author_name(self, comment):
        return xml_safe(comment.author_name)
