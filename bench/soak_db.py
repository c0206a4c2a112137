"""The soak's look into the database (run by bench/soak.py with the soak's environment).

    python -m bench.soak_db setup PASSWORD   the moderator, and the paths to read and post to
    python -m bench.soak_db recheck          `recheck_comments`, the back-off fast-forwarded
    python -m bench.soak_db report           every comment the soak posted, as stored

Each prints one JSON line.
"""

import io
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Category  # noqa: E402
from comments.groups import MODERATORS  # noqa: E402
from comments.models import Comment  # noqa: E402

PREFIX = "Soak post "  # every comment the soak posts starts so
MODERATOR = "soak-moderator"
COMMENTED = 10  # articles the posters write on (generated-2 … generated-11)
READ = 200  # other articles the readers read


def setup(password):
    """A staff user in the Moderators group (the permissions a moderator has, no more)."""
    user = get_user_model().objects.create_user(
        MODERATOR, f"{MODERATOR}@example.com", password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=MODERATORS))
    published = Article.objects.published().select_related("category")
    commented = [f"generated-{n}" for n in range(2, 2 + COMMENTED)]
    others = published.exclude(slug__in=commented).order_by("pk")[:READ]
    return {
        "commented": [published.get(slug=s).get_absolute_url() for s in commented],
        "articles": [a.get_absolute_url() for a in others],
        "categories": [c.get_absolute_url() for c in Category.objects.order_by("pk")],
    }


def recheck():
    """What cron's `recheck_comments` does, as if each errored comment's back-off (20
    minutes after the first failure) had run out: the soak lasts 2 minutes."""
    due = Comment.objects.filter(
        body__startswith=PREFIX, status=Comment.Status.PENDING, verdict=Comment.Verdict.ERROR
    ).update(next_check_at=timezone.now())
    out = io.StringIO()
    call_command("recheck_comments", limit=1000, stdout=out)
    return {"fast_forwarded": due, "output": out.getvalue().strip()}


def report():
    rows = Comment.objects.filter(body__startswith=PREFIX).values_list(
        "pk", "status", "verdict", "article__slug", "author_name"
    )
    return {
        "comments": [
            {"pk": pk, "status": st, "verdict": v, "article": slug, "author": name}
            for pk, st, v, slug, name in rows
        ]
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        result = setup(sys.argv[2])
    else:
        result = {"recheck": recheck, "report": report}[command]()
    print(json.dumps(result))
