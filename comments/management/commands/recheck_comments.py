"""Re-check comments Akismet could not judge, and deliver feedback that failed.

Cron, every 10 minutes (the back-off decides who is due):
    */10 * * * *  cd /srv/newsroom && .venv/bin/python manage.py recheck_comments
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from comments import spam
from comments.models import Comment, CommentEvent
from comments.pipeline import file_comment
from comments.reasons import Reason


class Command(BaseCommand):
    help = "Re-check pending comments with verdict error/unchecked (with back-off); retry feedback."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="At most this many checks.")

    def handle(self, *args, limit, **options):
        if not spam.is_configured():
            self.stdout.write("No AKISMET_API_KEY configured: nothing to re-check.")
            return
        now = timezone.now()
        cutoff = now - spam.GIVE_UP_AFTER
        gave_up = self.give_up(cutoff)
        feedback = self.retry_feedback()
        due = (
            Comment.objects.needs_recheck(now)
            .filter(created_at__gte=cutoff)
            .select_related("article__category", "user")
            .order_by("created_at")[:limit]
        )
        counts = {}
        for comment in due:
            verdict = spam.check(comment, recheck_reason="retry")
            file_comment(comment)
            counts[verdict] = counts.get(verdict, 0) + 1
        summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "none due"
        self.stdout.write(
            f"Re-checked: {summary}. Feedback delivered: {feedback}. Gave up on: {gave_up}."
        )

    def give_up(self, cutoff):
        """Stop retrying comments older than `spam.GIVE_UP_AFTER`; they stay pending for a
        human."""
        stale = list(
            Comment.objects.needs_recheck()
            .filter(created_at__lt=cutoff)
            .exclude(held_reason=Reason.GAVE_UP)
        )
        params = {"days": spam.GIVE_UP_AFTER.days}
        for comment in stale:
            CommentEvent.objects.create(
                comment=comment,
                kind=CommentEvent.Kind.CHECK,
                actor_label="Akismet",
                reason=Reason.GAVE_UP,
                reason_params=params,
            )
        Comment.objects.filter(pk__in=[c.pk for c in stale]).update(
            held_reason=Reason.GAVE_UP, held_params=params, next_check_at=None
        )
        return len(stale)

    def retry_feedback(self):
        delivered = 0
        for comment in Comment.objects.exclude(feedback_pending="").select_related("article"):
            result = spam.submit_feedback(comment, comment.feedback_pending)
            if result is not False:  # delivered, or nothing left to send it with
                Comment.objects.filter(pk=comment.pk).update(feedback_pending="")
            delivered += bool(result)
        return delivered
