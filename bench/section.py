"""The comments section after an approval, in-process (bench/README.md, "The thread rendered
by the decision"): the writer's part (`comments.section.warm`, the thread rendered ahead)
and the reader's part (`comments.section.refresh`, the section spliced into the previous
page), with and without the thread rendered ahead, interleaved, on the bench's busy article
(`generated-1`, its first page of comments). Each round moves the article's comments
version as an approval does. Run against the bench's database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench CACHE_URL=locmemcache://s \\
        DEBUG=false SECRET_KEY=x ALLOWED_HOSTS=127.0.0.1 .venv/bin/python bench/section.py 60
"""

import os
import statistics
import sys
import time
from pathlib import Path

# The project, not bench/ (its queue.py would hide the standard library's).
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles import invalidation  # noqa: E402
from articles.models import Article  # noqa: E402
from comments import section  # noqa: E402

WARMUP = 5


def main(rounds):
    busy = Article.objects.get(slug="generated-1")
    url = busy.get_absolute_url()
    page = Client().get(url, HTTP_HOST="127.0.0.1").content
    request = RequestFactory().get(url, HTTP_HOST="127.0.0.1")
    request.user = AnonymousUser()

    def one(ahead):
        invalidation.comment_approved(busy.pk)  # a new comments version, as an approval
        start = time.perf_counter()
        if ahead:
            section.warm(busy.pk)
        written = time.perf_counter()
        assert section.refresh(request, page) is not None
        return (written - start) * 1000, (time.perf_counter() - written) * 1000

    for _ in range(WARMUP):
        one(True), one(False)
    times = {True: [], False: []}
    for _ in range(rounds):
        for ahead in (False, True):
            times[ahead].append(one(ahead))
    for ahead in (False, True):
        writer = statistics.median(t[0] for t in times[ahead])
        reader = statistics.median(t[1] for t in times[ahead])
        print(
            f"thread rendered ahead: {'yes' if ahead else 'no ':3}  "
            f"writer {writer:6.2f} ms  reader's section {reader:6.2f} ms  (medians of {rounds})"
        )
    invalidation.comment_approved(busy.pk)
    section.warm(busy.pk)
    with CaptureQueriesContext(connection) as queries:
        section.refresh(request, page)
    print(f"the reader's queries with the thread rendered ahead: {len(queries)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
