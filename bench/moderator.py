"""The bench's moderator (run by bench/run.py with the bench's environment).

`python -m bench.moderator approve|unapprove RATE SECONDS`: changes the status of the
storm comments on the busy article (`bench/seed.py` seeds them pending) RATE times a second
for SECONDS, through the real code path, `comments.moderation.change_status`, as a
Moderators-group user. After each change has committed it prints one line,
`CHANGED <comment id> <unix time>`, which the bench's probes time the page against, and
at the end `CPU <seconds>`, the CPU time the process used.
`approve` takes the oldest pending storm comments; `unapprove` the oldest approved ones.

`python -m bench.moderator session`: prints the session cookie of a signed-in editor.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402

from comments.groups import MODERATORS  # noqa: E402
from comments.models import Comment  # noqa: E402
from comments.moderation import change_status  # noqa: E402

STORM_PREFIX = "Storm comment "


def staff(username, group):
    """A staff user in `group` (the groups exist once migrations have run)."""
    group = Group.objects.get(name=group)
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@example.com"}
    )
    user.groups.add(group)
    return user


def storm(action, rate, seconds):
    moderator = staff("bench-moderator", MODERATORS)
    frm, to = ("pending", "approved") if action == "approve" else ("approved", "pending")
    queue = list(Comment.objects.filter(body__startswith=STORM_PREFIX, status=frm).order_by("pk"))
    started = time.monotonic()
    for n, comment in enumerate(queue[: int(rate * seconds)]):
        wait = started + n / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        change_status(comment, to, actor=moderator)
        print(f"CHANGED {comment.pk} {time.time():.6f}", flush=True)
    usage = os.times()
    print(f"CPU {usage.user + usage.system:.2f}", flush=True)  # the process's, start-up included


def session():
    editor = staff("bench-editor", "Editors")
    client = Client()
    client.force_login(editor)
    print(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")


if __name__ == "__main__":
    if sys.argv[1] == "session":
        session()
    else:
        storm(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
