from django.conf import settings

from articles.models import Category


def site(request):
    """The site's name and the masthead's sections (evaluated only if a template uses them)."""
    return {
        "site_name": settings.SITE_NAME,
        "sections": Category.objects.roots(),
    }
