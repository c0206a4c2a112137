"""Structured data (schema.org JSON-LD) for article and category pages."""

from django.conf import settings
from django.core.files.storage import default_storage

from articles.corrections import schema_corrections
from articles.people import display_name


def _absolute(request, url):
    return request.build_absolute_uri(url)


def breadcrumb_list(request, trail, article=None):
    items = [{"name": "Home", "url": _absolute(request, "/")}]
    items += [{"name": c.name, "url": _absolute(request, c.get_absolute_url())} for c in trail]
    if article is not None:
        items.append({"name": article.title, "url": _absolute(request, article.get_absolute_url())})
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": item["name"], "item": item["url"]}
            for i, item in enumerate(items, start=1)
        ],
    }


def news_article(request, article, trail, corrections=()):
    """NewsArticle JSON-LD; `corrections` (the article's notes) add schema.org
    `correction` items (CorrectionComment), and a note's save moves `dateModified`."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": " › ".join(c.name for c in trail),
        "mainEntityOfPage": _absolute(request, article.get_absolute_url()),
        "author": [_author(request, a) for a in article.authors.all()],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "isAccessibleForFree": True,
    }
    if correction := schema_corrections(corrections):
        data["correction"] = correction
    if renditions := article.image_renditions:
        # Largest first: search engines take the first image they can use.
        data["image"] = [
            _absolute(request, default_storage.url(r["name"])) for r in reversed(renditions)
        ]
    elif article.image:
        data["image"] = [_absolute(request, article.image.url)]
    return data


def person(request, author):
    """schema.org `Person` for `author` (their page, and the `author` of their articles)."""
    data = {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.role:
        data["jobTitle"] = author.role
    if items := author.photo_renditions:
        data["image"] = request.build_absolute_uri(default_storage.url(items[-1]["name"]))
    return data


def _author(request, user):
    """An article's author: their profile's `Person` (with their page) if they have one."""
    profile = getattr(user, "author_profile", None)  # loaded with the authors
    if profile is not None:
        return person(request, profile)
    return {"@type": "Person", "name": display_name(user)}
