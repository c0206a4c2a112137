import json

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.defaultfilters import stringfilter
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import images, xmltext
from articles.html import sanitize_article_html
from articles.people import display_name

register = template.Library()

# The same escapes as Django's json_script: the data can never close the <script>.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render `data` as a `<script type="application/ld+json">` block."""
    if not data:
        return ""
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def byline(article):
    names = [display_name(a) for a in article.authors.all()]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


@register.simple_tag
def configured_site_name():
    """The site's name from settings: for templates rendered without context processors
    (the 500 page must render with no database and no request context)."""
    return settings.SITE_NAME


@register.inclusion_tag("includes/picture.html")
def picture(article, sizes="100vw", eager=False, css_class=""):
    """The article's featured image as a responsive `<img>` from its renditions."""
    renditions = article.image_renditions
    context = {"article": article, "sizes": sizes, "eager": eager, "css_class": css_class}
    if renditions:
        # The middle rendition is a sensible `src` for browsers that ignore srcset.
        fallback = renditions[len(renditions) // 2]
        largest = renditions[-1]
        context.update(
            src=default_storage.url(fallback["name"]),
            srcset=images.srcset(renditions),
            width=largest["width"],
            height=largest["height"],
        )
    elif article.image:
        context["src"] = article.image.url
    return context


@register.filter
def lazy_images(html):
    """Images in an article body load lazily: they are below the fold by construction.

    The body is sanitised HTML (no `loading` attribute survives), so each `<img` is a tag.
    """
    return mark_safe(str(html).replace("<img ", '<img loading="lazy" decoding="async" '))


@register.filter
def sanitized(html):
    """Article HTML through the allow-list again, at render time.

    `Article.save()` already sanitises; this catches anything that reached the database
    another way (a raw SQL update, an import, a restored backup): a `<script>` or an
    `onerror=` stored there never reaches a visitor.
    """
    return mark_safe(sanitize_article_html(str(html or "")))


@register.filter(is_safe=True)
@stringfilter
def xml_safe(text):
    """Text for an XML template (a sitemap): without the characters XML 1.0 forbids.

    Autoescaping still applies to the result; a value marked safe stays safe (dropping
    characters adds no markup).
    """
    return xmltext.xml_safe(text)
