"""Comments in every state on the demo articles, readers' reports on some (open and
decided), and a moderator account. Safe to run again.

Articles are found by slug (the articles app owns them and never imports this one); a
comment whose article is missing is skipped. `make run` runs this right after `seed_demo`.
"""

import contextlib
import random
import secrets
from collections import Counter
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments import controls, pipeline, reports, stats, surges, text
from comments import policy as policies
from comments.demo import (
    BAN_REASON,
    BANNED,
    BANNED_COMMENTS,
    BLOCK_REASON,
    BLOCKED_COMMENT,
    BLOCKED_DOMAIN,
    COMMENTS,
    MODERATION_WORD,
    MODERATOR,
    REPORT_SECTIONS,
    REPORT_WEEKS,
    REPORTS,
    SURGE_ARTICLE,
    SURGE_COMMENTS,
)
from comments.groups import MODERATORS
from comments.models import (
    Block,
    Comment,
    Commenter,
    CommentEvent,
    ModerationDay,
    ModerationPolicy,
    QueueSample,
)
from comments.moderation import change_status
from comments.reasons import Reason

S = Comment.Status
V = Comment.Verdict


class Command(BaseCommand):
    help = "Add demo comments in every state and a moderator account (idempotent)."
    # `make run` runs these right after `migrate`, which has just shown the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--login",
            action="store_true",
            help="Give the demo moderator a fresh random password and print the login "
            "(development only).",
        )

    def handle(self, *args, login=False, **options):
        with transaction.atomic():
            moderator = self.seed_moderator()
            self.seed_report_history()  # first: the demo comments below are counted live
            self.seed_policy()
            added, skipped, made = self.seed_comments(moderator)
            self.seed_controls(moderator)
            self.seed_reports(made, moderator)
            self.seed_surge()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo comments: {added} added, {skipped} skipped (article missing); "
                f"{Comment.objects.awaiting_moderation().count()} pending."
            )
        )
        if login:
            password = secrets.token_urlsafe(12)
            moderator.set_password(password)
            moderator.save(update_fields=["password"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Login moderator (Moderators group): {moderator.username} / {password}"
                )
            )

    def seed_moderator(self):
        user, created = get_user_model().objects.get_or_create(
            username=MODERATOR["username"],
            defaults={**MODERATOR, "is_staff": True},
        )
        if created:
            user.set_unusable_password()  # `--login` sets one and prints it
            user.save()
        user.groups.add(Group.objects.get(name=MODERATORS))
        return user

    def seed_policy(self):
        policy = policies.current()
        words = policies.word_list(policy.moderation_words)
        if MODERATION_WORD not in words:
            policy = ModerationPolicy.objects.get(pk=1)
            policy.moderation_words = "\n".join([*words, MODERATION_WORD])
            policy.save()

    def seed_comments(self, moderator):
        slugs = {entry[1] for entry in COMMENTS}
        articles = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
        made, added, skipped = {}, 0, 0
        now = timezone.now()
        for key, slug, parent, name, email, url, ip, hours, state, body in COMMENTS:
            article = articles.get(slug)
            if article is None or (parent and parent not in made):
                skipped += 1
                continue
            existing = Comment.objects.filter(article=article, author_email=email, body=body)
            comment = existing.first()
            if comment is None:
                comment = Comment.objects.create(
                    article=article,
                    parent=made.get(parent),
                    author_name=name,
                    author_email=email,
                    author_url=url,
                    body=body,
                    user_ip=ip,
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) demo",
                    created_at=max(now - timedelta(hours=hours), article.published_at),
                )
                stats.received(comment)
                self.file(comment, state, moderator)
                added += 1
            made[key] = comment
        return added, skipped, made

    def seed_surge(self):
        """A story in surge: readers posting on it within the last minutes, all waiting.
        The policy's thresholds switch it, as a new comment would (`surges.after_post`)."""
        article = Article.objects.filter(slug=SURGE_ARTICLE).first()
        if article is None or surges.history(article.pk, limit=1):
            return  # missing, or seeded on an earlier run
        now = timezone.now()
        last = None
        for n, (name, email, ip, body) in enumerate(SURGE_COMMENTS):
            last = Comment.objects.create(
                article=article,
                author_name=name,
                author_email=email,
                body=body,
                user_ip=ip,
                user_agent="Mozilla/5.0 (X11; Linux x86_64) demo",
                created_at=now - timedelta(seconds=20 * (len(SURGE_COMMENTS) - n)),
            )
            self.file(last, "held", None)
        if last is not None:
            surges.after_post(last)

    def seed_reports(self, made, moderator):
        """Readers' reports on some demo comments, filed and decided as readers and a
        moderator would (`comments.reports`), back-dated; a report filed before is kept."""
        now = timezone.now()
        for key, ground, law, explanation, email, ip, hours, _decision in REPORTS:
            comment = made.get(key)
            if comment is None:
                continue
            comment.refresh_from_db()
            if comment.status != S.APPROVED:
                continue  # decided on an earlier run
            with contextlib.suppress(reports.Refused):  # filed on an earlier run
                reports.file_report(
                    comment, ground=ground, law=law, explanation=explanation, email=email,
                    ip=ip, now=now - timedelta(hours=hours),
                )  # fmt: skip
        for key, *_rest, decision in REPORTS:
            comment = made.get(key)
            if comment is None or decision is None:
                continue
            comment.refresh_from_db()
            # Decided already: the second report of the same decision, or an earlier run.
            with contextlib.suppress(reports.DecisionError):
                reports.decide(comment, *decision, actor=moderator, now=now - timedelta(hours=9))

    def seed_controls(self, moderator):
        """A block and a ban with their effects, set by the demo moderator."""
        articles = {a.slug: a for a in Article.objects.all()}
        if not Block.objects.filter(kind=Block.Kind.DOMAIN, value=BLOCKED_DOMAIN).exists():
            Block.objects.create(
                kind=Block.Kind.DOMAIN, value=BLOCKED_DOMAIN, reason=BLOCK_REASON, set_by=moderator
            )
            slug, name, email, ip, body = BLOCKED_COMMENT
            if slug in articles:  # stored as spam by the block, as a POST would be
                pipeline.submit(
                    Comment(
                        article=articles[slug],
                        author_name=name,
                        author_email=email,
                        user_ip=ip,
                        body=body,
                        user_agent="demo",
                    )
                )
        if Commenter.objects.filter(email=BANNED).exists():
            return
        for slug, name, email, ip, body in BANNED_COMMENTS:
            if slug in articles:
                comment = Comment.objects.create(
                    article=articles[slug],
                    author_name=name,
                    author_email=email,
                    user_ip=ip,
                    body=body,
                    user_agent="demo",
                    created_at=max(timezone.now() - timedelta(days=2), articles[slug].published_at),
                )
                self.file(comment, "approved", moderator)
        controls.set_level(BANNED, Commenter.Level.BANNED, by=moderator, reason=BAN_REASON)
        controls.hide_published(BANNED, moderator)  # here, not by a worker: `make run` shows it

    def file(self, comment, state, moderator):
        """Bring a new (pending) comment to `state` the way the pipeline and a moderator
        would have, so its history reads true."""
        verdict = {
            "spam": V.SPAM,
            "discard": V.DISCARD,
            "not_spam": V.SPAM,
            "error": V.ERROR,
            "unchecked": V.UNCHECKED,
        }.get(state, V.HAM)
        if verdict != V.UNCHECKED:
            if verdict == V.ERROR:
                said, params = Reason.TIMED_OUT, {"seconds": 2}
            else:
                said, params = Reason.AKISMET_SAID, {"verdict": verdict}
            Comment.objects.filter(pk=comment.pk).update(
                verdict=verdict,
                checked_at=comment.created_at,
                check_attempts=1,
                akismet_pro_tip="discard" if verdict == V.DISCARD else "",
            )
            comment.verdict = verdict
            CommentEvent.objects.create(
                comment=comment,
                kind=CommentEvent.Kind.CHECK,
                actor_label="Akismet",
                reason=said,
                reason_params=params,
                created_at=comment.created_at,
                details={"verdict": verdict},
            )
        by_policy = {"actor_label": "policy"}
        if state == "links":
            links = text.count_links(comment.body)
            params = {"links": links, "limit": policies.current().link_limit}
            change_status(comment, S.PENDING, **by_policy, reason=Reason.LINKS, params=params)
        elif state == "word":
            params = {"word": MODERATION_WORD}
            change_status(
                comment, S.PENDING, **by_policy, reason=Reason.MODERATION_WORD, params=params
            )
        elif state == "error":
            change_status(
                comment, S.PENDING, actor_label="Akismet", reason=Reason.AKISMET_UNREACHABLE
            )
        elif state == "unchecked":
            change_status(comment, S.PENDING, **by_policy, reason=Reason.NO_AKISMET_KEY)
        elif state in ("spam", "discard", "not_spam"):
            reason = Reason.AKISMET_SPAM if state != "discard" else Reason.AKISMET_DISCARD
            change_status(comment, S.SPAM, actor_label="Akismet", reason=reason)
            if state == "not_spam":
                change_status(comment, S.PENDING, actor=moderator)
        else:
            change_status(comment, S.PENDING, **by_policy, reason=Reason.MANUAL_APPROVAL)
            if state == "approved":
                change_status(comment, S.APPROVED, actor=moderator)
            elif state == "trash":
                asked = {"text": "the author asked"}
                change_status(comment, S.TRASH, actor=moderator, reason=Reason.OTHER, params=asked)
        # Back-date the status changes so the queue's times and the purge read true.
        comment.history.filter(kind=CommentEvent.Kind.STATUS).update(created_at=comment.created_at)
        Comment.objects.filter(pk=comment.pk).update(
            status_changed_at=comment.created_at,
            moderated_at=comment.created_at if comment.moderated_by_id else None,
        )

    def seed_report_history(self, now=None):
        """`REPORT_WEEKS` of the moderation report's totals before today, once: busier on
        weekdays, slower decisions at weekends, a few comments Akismet got wrong, and the
        queue growing overnight and cleared in the morning. Deterministic."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        if ModerationDay.objects.exists():
            return
        rng = random.Random(2026)
        zone = timezone.get_current_timezone()
        samples = []
        for back in range(REPORT_WEEKS * 7, 0, -1):
            day = today - timedelta(days=back)
            weekend = day.weekday() >= 5
            trend = 1 + 0.3 * (REPORT_WEEKS * 7 - back) / (REPORT_WEEKS * 7)
            for section, per_day, minutes, reports_a_week in REPORT_SECTIONS:
                received = max(
                    1, round(per_day * trend * (0.55 if weekend else 1) * rng.uniform(0.8, 1.2))
                )
                said_spam = round(received * rng.uniform(0.25, 0.4))
                said_ham = received - said_spam
                missed = sum(rng.random() < 0.04 for _ in range(said_ham))
                false_pos = sum(rng.random() < 0.05 for _ in range(said_spam))
                trash = round(said_ham * rng.uniform(0.03, 0.1))
                approved = said_ham - missed - trash + false_pos
                decided = approved + trash + missed
                filed = sum(rng.random() < reports_a_week / 7 for _ in range(3))
                removed = sum(rng.random() < 0.4 for _ in range(filed))
                counts = {
                    "received": received,
                    "approved": approved,
                    "spam": said_spam - false_pos + missed,
                    "trash": trash,
                    "decided": decided,
                    "akismet_ham": said_ham,
                    "akismet_spam": said_spam,
                    "missed_spam": missed,
                    "false_positives": false_pos,
                    "reports_filed": filed,
                    "reports_kept": filed - removed,
                    "reports_removed": removed,
                }
                stats.add_day(day, section, counts)
                typical = minutes * (3 if weekend else 1)
                buckets = Counter(
                    stats.bucket_for(int(60 * typical * rng.lognormvariate(0, 0.9)))
                    for _ in range(decided)
                )
                stats.add_decision_times(day, section, buckets)
                for hour in range(24):
                    # Overnight the queue grows; moderators clear it from 8 in the morning.
                    waiting = per_day / 24 * (hour + 1 if hour < 8 else max(9 - (hour - 8) * 2, 1))
                    taken = datetime.combine(day, time(hour), tzinfo=zone)
                    pending = max(0, round(waiting * (1.6 if weekend else 1) + rng.uniform(-1, 1)))
                    samples.append(QueueSample(taken_at=taken, section=section, pending=pending))
        totals = Counter()
        for sample in samples:
            totals[sample.taken_at] += sample.pending
        samples += [
            QueueSample(taken_at=t, section=stats.ALL, pending=n) for t, n in totals.items()
        ]
        QueueSample.objects.bulk_create(samples, ignore_conflicts=True, batch_size=1000)
