from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles import links, rows


def navigation(categories=None):
    """The masthead's sections: top-level categories, each with its children (one query,
    none when given `categories` in tree order holding them, `rows.categories_for`)."""
    if categories is None:
        categories = rows.navigation_categories()
    roots, by_path = [], {}
    for category in categories:  # tree order: parents first, siblings by position
        if category.depth == 0:
            category.nav_children = []
            roots.append(category)
            by_path[category.path] = category
    for category in categories:
        root = by_path.get(category.path.rpartition("/")[0]) if category.depth == 1 else None
        if root is not None:
            root.nav_children.append(category)
    return roots


def site(request):
    """The site's name and the masthead's sections (queried only if a template uses them)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_urls": SimpleLazyObject(links.fixed_urls),
        "sections_nav": SimpleLazyObject(navigation),
    }
