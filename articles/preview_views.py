"""`/preview/<signed token>/`: the article page of a preview link (articles.preview).

Never through the page cache, never stored by any cache, `noindex`, with a banner; the
body is rendered from the previewed text (no fragment cache: a revision shares its
article's id and time of update with the live text)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from articles import preview
from articles.views import ArticleView


def _uncacheable(response):
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


class PreviewView(ArticleView):
    template_name = "articles/preview.html"

    def get(self, request, *args, **kwargs):
        self.object = self.kwargs["article"]
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        link = self.kwargs["link"]
        return super().get_context_data(
            preview_link=link,
            preview_revision=link.revision_id,
            **kwargs,
        )


def preview_page(request, token):
    try:
        link, article = preview.resolve(token)
    except preview.Unknown:
        raise Http404("No such preview link") from None
    except preview.Gone as gone:
        response = render(
            request, "articles/preview_gone.html", {"reason": gone.reason}, status=410
        )
        return _uncacheable(response)
    response = PreviewView.as_view()(request, link=link, article=article)
    response.render()
    return _uncacheable(response)
