"""The public record of corrections and updates: `/corrections/` (newest first, paged) and
its RSS feed. Both are cached whole like the other pages (`anonymous_page_cache` in
`articles.urls`): a note is written with a save of its article, which moves the content
version."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.views.generic import ListView

from articles.models import Correction
from articles.xmltext import xml_safe

FEED_LENGTH = 30


class CorrectionsView(ListView):
    template_name = "articles/corrections.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "corrections"

    def get_queryset(self):
        return Correction.objects.public()


class CorrectionsFeed(Feed):
    description_template = None

    def title(self):
        return xml_safe(f"Corrections and updates · {settings.SITE_NAME}")

    def link(self):
        return reverse("articles:corrections")

    def description(self):
        return xml_safe(f"Corrections and updates to articles published by {settings.SITE_NAME}.")

    def items(self):
        return Correction.objects.public()[:FEED_LENGTH]

    def item_title(self, correction):
        return xml_safe(f"{correction.get_kind_display()}: {correction.article.title}")

    def item_description(self, correction):
        return xml_safe(correction.note_text)

    def item_link(self, correction):
        return f"{correction.article.get_absolute_url()}#correction-{correction.pk}"

    def item_guid(self, correction):
        return f"correction-{correction.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction):
        return correction.published_at
