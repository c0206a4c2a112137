"""Time the article page's comments section alone: `comments/section.html` rendered as the
article page includes it (its article and an anonymous reader's request), in a loop, each
render between `request_started` and `request_finished` as in a request (the policy is read
once per request: in the page before the section, here inside it). bench/README.md, "The
comments section as one function".

    flock /tmp/bench.lock .venv/bin/python bench/section_alone.py <slug> 300
    OUT=/tmp/section.html ...  (the section's HTML, to compare with `cmp`)
    PROFILE=1 SORT=tottime N=40 ...  (a cProfile of 50 renders)
"""

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path


def main(slug, n):
    from django.contrib.auth.models import AnonymousUser
    from django.core.signals import request_finished, request_started
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from articles.models import Article

    article = Article.objects.select_related("category").get(slug=slug)
    factory = RequestFactory(HTTP_HOST="127.0.0.1")

    def once():
        request_started.send(sender=None)
        request = factory.get(article.get_absolute_url())
        request.user = AnonymousUser()
        context = {"article": article, "request": request}
        html = render_to_string("comments/section.html", context, request=request)
        request_finished.send(sender=None)
        return html

    for _ in range(20):
        html = once()
    times = []
    for _ in range(n):
        start = time.process_time()
        once()
        times.append((time.process_time() - start) * 1000)
    median, low = statistics.median(times), min(times)
    print(f"{slug} {len(html)} section cpu ms median {median:.3f} min {low:.3f}")
    if os.environ.get("OUT"):
        Path(os.environ["OUT"]).write_text(html)
    if os.environ.get("PROFILE"):
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        for _ in range(50):
            once()
        profile.disable()
        stats = pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("N", "50")))


if __name__ == "__main__":
    sys.path[0] = os.getcwd()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    main(sys.argv[1], int(sys.argv[2]))
