from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles import links, rows


def navigation(categories=None):
    """The masthead's sections: top-level categories, each with its children (one query,
    none when given `categories` in tree order holding them, `rows.categories_for`)."""
    if categories is None:
        categories = rows.navigation_categories()
    roots = []
    for category in categories:  # tree order: parents first
        if category.depth > 1:
            continue
        if category.depth == 0:
            category.nav_children = []
            roots.append(category)
        elif roots and category.path.startswith(roots[-1].path + "/"):
            roots[-1].nav_children.append(category)
    return roots


def site(request):
    """The site's name and the masthead's sections (queried only if a template uses them)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_urls": SimpleLazyObject(links.fixed_urls),
        "sections_nav": SimpleLazyObject(navigation),
    }
