import html as html_module
import json

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import stringfilter
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from articles import images, links, xmltext
from articles.html import sanitize_article_html, sanitize_bio_html
from articles.models import byline_authors
from articles.people import author_name, display_name

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


def _and(names):
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@register.simple_tag
def byline(article):
    return _and([author_name(a) for a in article.authors.all()])


@register.simple_tag
def byline_links(article, link_class="article__author"):
    """The byline with each author that has a profile linked to their page (HTML)."""
    return mark_safe(_byline_html(article, link_class, links.Links()))


def _byline_html(article, link_class, urls):
    """byline_links()'s HTML, each profile's link made with `urls` (a `links.Links`)."""
    e = _escape
    parts = []
    for user in byline_authors(article):
        profile = getattr(user, "author_profile", None)  # loaded with the authors
        if profile is None:
            parts.append(e(display_name(user)))
        else:
            parts.append(
                f'<a class="{e(link_class)}" href="{e(urls.author_url(profile.slug))}"'
                f' rel="author">{e(profile.name)}</a>'
            )
    return _and(parts)


def _escape(value):
    """`conditional_escape(value)`, the same text, for the many short values of teasers
    and bylines: without the lazy-string wrapper around Django's `escape` and the
    SafeString made of each result (the caller marks the whole HTML safe once). Django's
    `escape` is `html.escape` (quotes included); a value with `__html__` is already HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_module.escape(str(value))


@register.simple_tag
def configured_site_name():
    """The site's name from settings: for templates rendered without context processors
    (the 500 page must render with no database and no request context)."""
    return settings.SITE_NAME


def picture_context(article, sizes="100vw", eager=False, css_class=""):
    """What the featured image's `<img>` shows: src, srcset and size from its renditions."""
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


@register.simple_tag
def picture(article, sizes="100vw", eager=False, css_class=""):
    """The article's featured image as a responsive `<img>` from its renditions, assembled
    here (a teaser shows one each): the markup of the template it replaces, kept as
    tests/articles/picture_reference.html."""
    context = picture_context(article, sizes=sizes, eager=eager, css_class=css_class)
    src = context.get("src")
    if not src:
        return "\n"  # the template's last line break
    e = conditional_escape
    html = f'<img class="{e(css_class)}" src="{e(src)}"' if css_class else f'<img src="{e(src)}"'
    if context.get("srcset"):
        html += f' srcset="{e(context["srcset"])}" sizes="{e(sizes)}"'
    if context.get("width"):
        html += f' width="{e(context["width"])}" height="{e(context["height"])}"'
    html += f' alt="{e(article.image_alt)}"'
    html += ' fetchpriority="high"' if eager else ' loading="lazy"'
    return mark_safe(html + ' decoding="async">\n')


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


@register.filter
def sanitized_bio(html):
    """An author's bio through its (smaller) allow-list again, at render time."""
    return mark_safe(sanitize_bio_html(str(html or "")))


@register.filter(is_safe=True)
@stringfilter
def xml_safe(text):
    """Text for an XML template (a sitemap): without the characters XML 1.0 forbids.

    Autoescaping still applies to the result; a value marked safe stays safe (dropping
    characters adds no markup).
    """
    return xmltext.xml_safe(text)


# An article teaser (`{% card %}`), assembled here rather than included as a template: the
# front page shows ~20, each an `{% include %}` with a dozen variables to resolve.
_CARD = (
    '\n<article class="card card--{variant}">\n'
    "  {image}\n"
    '  <div class="card__text">\n'
    "    {kicker}\n"
    '    <h{level} class="card__title"><a href="{url}">{title}</a></h{level}>\n'
    "    {standfirst}\n"
    '    <p class="card__meta">{byline}<time datetime="{iso}">{date}</time></p>\n'
    "  </div>\n"
    "</article>\n"
)
_CARD_IMAGE = (
    '\n    <a class="card__image" href="{url}" tabindex="-1" aria-hidden="true">{picture}</a>\n  '
)


def card_dates(value):
    """A teaser's date as the `date` filter gives it with "c" (the `datetime` attribute)
    and "j F Y" (the text), in the current time zone and language, without the filter's
    format parsing: `("", "")` for no date (a draft in a preview)."""
    if value is None:
        return "", ""
    value = template_localtime(value)
    return value.isoformat(), f"{value.day} {MONTHS[value.month]} {value.year:04d}"


@register.simple_tag
def card(
    article,
    variant="",
    level="",
    show_image=False,
    show_standfirst=False,
    show_byline=False,
    show_section=False,
    hide_section_id=None,
    eager=False,
    sizes="",
):
    """An article teaser. `variant` (lead|feature|row|compact), `level` (heading level,
    3 unless given), show_image, show_standfirst, show_byline, show_section (unless the
    article's category is `hide_section_id`), eager, sizes (of the image)."""
    e = _escape
    urls = links.Links()  # the three links below: Article, Category and Author's URLs
    category = article.category
    url = e(urls.page_url(f"{category.path}/{article.slug}"))
    image = ""
    if show_image and article.image:
        image = _CARD_IMAGE.format(
            url=url,
            picture=picture(article, sizes=sizes or "(min-width: 64rem) 30rem, 100vw", eager=eager),
        )
    kicker = ""
    if show_section and article.category_id != hide_section_id:
        kicker = (
            f'<p class="kicker"><a href="{e(urls.page_url(category.path))}">'
            f"{e(category.name)}</a></p>"
        )
    by = _byline_html(article, "card__author", urls) if show_byline else ""
    iso, day = card_dates(article.published_at)
    return mark_safe(
        _CARD.format(
            variant=e(variant or "plain"),
            image=image,
            kicker=kicker,
            level=e(level or 3),
            url=url,
            title=e(article.title),
            standfirst=(
                f'<p class="card__standfirst">{e(article.standfirst)}</p>'
                if show_standfirst and article.standfirst
                else ""
            ),
            byline=f'<span class="card__byline">{by}</span> ' if by else "",
            iso=e(iso),
            date=e(day),
        )
    )


# The front page's "Latest" rows, assembled here: each row of the loop they replace
# (kept as tests/articles/latest_reference.html) resolved a dozen variables and filters.
_LATEST_ROW = (
    "\n              <li>\n"
    '                <time datetime="{iso}">{when}</time>\n'
    '                <a href="{url}">{title}</a>\n'
    '                <span class="latest__section">{section}</span>\n'
    "              </li>\n            "
)


@register.simple_tag
def latest_items(articles, today):
    """The `<li>` rows of the "Latest" list: the time (today's as H:i, others' as j M), the
    title linked, the section. `today` is the day as `{% now "Ymd" %}` gives it."""
    e = conditional_escape
    rows = []
    for article in articles:
        published = template_localtime(article.published_at)
        same_day = date_filter(published, "Ymd") == today
        rows.append(
            _LATEST_ROW.format(
                iso=e(date_filter(published, "c")),
                when=e(date_filter(published, "H:i" if same_day else "j M")),
                url=e(article.get_absolute_url()),
                title=e(article.title),
                section=e(article.category.name),
            )
        )
    return mark_safe("".join(rows))


# The masthead's sections (every page), assembled here: the loop they replace (kept as
# tests/articles/nav_reference.html) resolved five variables and two tests per link.
_NAV_LINK = '<a href="{url}"{current}>{name}</a>'
_NAV_SECTION = (
    '\n          <li class="sections__group">\n            {link}\n            {children}\n'
    "          </li>\n        "
)
_NAV_CHILDREN = (
    '\n              <ul class="sections__children">\n                {items}\n'
    "              </ul>\n            "
)
_NAV_CHILD = "\n                  <li>{link}</li>\n                "


@register.simple_tag(takes_context=True)
def nav_sections(context):
    """The `<li>` of each top-level section (`sections_nav`) with its children; the page's
    trail (`active_paths`) marked active, its own category (`category`) the current page."""
    active = context.get("active_paths") or ()
    category = context.get("category")
    here = getattr(category, "path", None)
    e = conditional_escape

    def link(section):
        path = section.path
        current = ""
        if path in active:
            current = (
                ' class="is-active" aria-current="page"' if path == here else ' class="is-active"'
            )
        return _NAV_LINK.format(
            url=e(section.get_absolute_url()), current=current, name=e(section.name)
        )

    html = []
    for section in context.get("sections_nav") or ():
        children = getattr(section, "nav_children", None)
        inner = ""
        if children:
            items = "".join(_NAV_CHILD.format(link=link(child)) for child in children)
            inner = _NAV_CHILDREN.format(items=items)
        html.append(_NAV_SECTION.format(link=link(section), children=inner))
    return mark_safe("".join(html))
