"""The soak's look into the database (run by bench/soak.py with the soak's environment).

    python -m bench.soak_db setup PASSWORD   the moderator, and the paths to read and post to
    python -m bench.soak_db recheck          `recheck_comments`, the back-off fast-forwarded
    python -m bench.soak_db drain            the sweep, the back-off fast-forwarded: what is left
    python -m bench.soak_db report SINCE     every comment the soak posted, as stored, and the
                                             Akismet calls recorded since SINCE (unix time)

Each prints one JSON line.
"""

import io
import json
import os
import sys
from datetime import UTC, datetime

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Category  # noqa: E402
from comments import tasks  # noqa: E402
from comments.groups import MODERATORS  # noqa: E402
from comments.models import Comment, CommentEvent, ModerationPolicy  # noqa: E402
from comments.reasons import Reason  # noqa: E402

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
    # Every soak comment on its article's own page, where the probes and the final check
    # look: a 2-minute soak posts up to ~80 top-level comments per article, past the
    # default 50 per page (the newest would be on comments/2/).
    policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
    policy.comments_per_page = 1000
    policy.save()  # a save, so the cached copy is dropped too
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


def drain():
    """After the run: the sweep (as the scheduler runs it), each errored comment's back-off
    fast-forwarded; returns how many soak comments still wait for Akismet."""
    mine = Comment.objects.filter(body__startswith=PREFIX)
    mine.filter(status=Comment.Status.PENDING, verdict=Comment.Verdict.ERROR).update(
        next_check_at=timezone.now()
    )
    counts = tasks.sweep_now(limit=1000)
    return {"enqueued": counts["checks"], "waiting": mine.waiting_for_akismet().count()}


def report(since):
    """Every soak comment as stored, with its recorded results (Akismet's answers: history
    lines "Akismet said …") and its check lines (answers and failures); and the calls to
    Akismet recorded since `since` on any comment (checks, failed or not, and feedback):
    the stand-in's count minus this is the calls no comment recorded."""
    since = datetime.fromtimestamp(float(since), tz=UTC)
    checks = CommentEvent.objects.filter(kind=CommentEvent.Kind.CHECK)
    results = dict(
        checks.filter(reason=Reason.AKISMET_SAID, comment__body__startswith=PREFIX)
        .values("comment")
        .annotate(n=Count("pk"))
        .values_list("comment", "n")
    )
    rows = Comment.objects.filter(body__startswith=PREFIX).values_list(
        "pk", "status", "verdict", "article__slug", "author_name", "notified_at"
    )
    recent = CommentEvent.objects.filter(created_at__gte=since)
    return {
        "comments": [
            {
                "pk": pk,
                "status": st,
                "verdict": v,
                "article": slug,
                "author": name,
                "results": results.get(pk, 0),
                "mailed": notified is not None,
            }
            for pk, st, v, slug, name, notified in rows
        ],
        "recorded_calls": recent.filter(
            kind__in=[CommentEvent.Kind.CHECK, CommentEvent.Kind.FEEDBACK]
        )
        .exclude(reason__in=[Reason.GAVE_UP, Reason.FEEDBACK_NOT_SENT])
        .count(),
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        result = setup(sys.argv[2])
    elif command == "report":
        result = report(sys.argv[2])
    else:
        result = {"recheck": recheck, "drain": drain}[command]()
    print(json.dumps(result))
