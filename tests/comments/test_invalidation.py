"""Every write the apps make, and which cache versions it moves (the table at the top of
`articles.invalidation`): the content version, the comments version of the article the
write is about, and that of another article, which no write here may move."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles import caching
from articles.management.commands.seed_demo import Command as SeedDemo
from articles.models import Article, Category
from comments import policy, privacy
from comments.models import Comment, ModerationPolicy
from comments.moderation import change_status

pytestmark = pytest.mark.django_db

NOTHING = set()
CONTENT = {"content"}
THREAD = {"content", "comments"}  # the article's thread and every page that shows it


@pytest.fixture
def moved(article, make_article):
    """moved(write) runs `write` and returns the names of the versions it moved."""
    other = make_article(slug="elsewhere")

    def read():
        return {
            "content": caching.content_version()["token"],
            "comments": caching.comments_version(article.pk)["token"],
            "other comments": caching.comments_version(other.pk)["token"],
        }

    def run(write):
        before = read()
        write()
        after = read()
        return {name for name in before if before[name] != after[name]}

    return run


@pytest.fixture
def editor_browser(editor):
    browser = Client()
    browser.force_login(editor)
    return browser


# -- articles ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.PUBLISHED])
def test_an_article_saved_moves_the_content(moved, make_article, status):
    assert moved(lambda: make_article(status=status)) == CONTENT
    story = make_article(status=status)

    def edit():
        story.title = "A new headline"
        story.save()

    assert moved(edit) == CONTENT


def test_an_article_deleted_moves_the_content(moved, make_article):
    story = make_article()
    assert moved(story.delete) == CONTENT


def test_an_article_deleted_with_its_approved_comments_moves_its_thread(
    moved, article, make_comment
):
    make_comment()
    assert moved(article.delete) == THREAD


@pytest.mark.parametrize(("action", "before"), [("publish", "draft"), ("unpublish", "published")])
def test_the_admins_publish_actions_move_the_content(
    moved, make_article, editor_browser, action, before
):
    story = make_article(status=before)

    def act():
        response = editor_browser.post(
            "/admin/articles/article/", {"action": action, "_selected_action": [story.pk]}
        )
        assert response.status_code == 302

    assert moved(act) == CONTENT
    story.refresh_from_db()
    assert story.status != before


def test_an_articles_authors_changed_move_the_content(moved, article, editor):
    assert moved(lambda: article.authors.add(editor)) == CONTENT
    assert moved(lambda: article.authors.remove(editor)) == CONTENT
    assert moved(article.authors.clear) == CONTENT


def test_renditions_made_after_the_save_move_the_content(moved, article, image_upload):
    """The renditions are written with update() after the save's own invalidation."""
    article.image.save("photo.jpg", image_upload(width=1200, height=800), save=False)
    assert moved(article._refresh_renditions) == CONTENT
    assert Article.objects.get(pk=article.pk).renditions["items"]


def test_generated_articles_move_the_content(moved, world, editor):
    """seed_demo --articles makes them with bulk_create, which sends no signal."""
    assert moved(lambda: SeedDemo().seed_generated(2, {"world": world}, editor)) == CONTENT
    assert Article.objects.filter(slug__startswith="generated-").count() == 2


# -- categories --------------------------------------------------------------------------


def test_a_category_saved_moved_or_deleted_moves_the_content(moved, make_category, world):
    sport = make_category("sport")
    local = make_category("local", parent=sport)
    assert moved(lambda: make_category("arts")) == CONTENT

    def rename():
        sport.name = "Sports"
        sport.save()

    def move():  # the subtree's paths are rewritten with bulk_update
        sport.parent = world
        sport.save()

    assert moved(rename) == CONTENT
    assert moved(move) == CONTENT
    assert Category.objects.get(pk=local.pk).path == "today/world/sport/local"
    assert moved(local.delete) == CONTENT


# -- comments: status changes --------------------------------------------------------------

S = Comment.Status


@pytest.mark.parametrize(
    ("old", "new", "moves"),
    [
        (S.PENDING, S.APPROVED, THREAD),
        (S.APPROVED, S.PENDING, THREAD),
        (S.APPROVED, S.SPAM, THREAD),
        (S.APPROVED, S.TRASH, THREAD),
        (S.SPAM, S.APPROVED, THREAD),
        (S.TRASH, S.APPROVED, THREAD),
        (S.PENDING, S.PENDING, NOTHING),  # re-filed with a new reason
        (S.PENDING, S.SPAM, NOTHING),
        (S.PENDING, S.TRASH, NOTHING),
        (S.SPAM, S.TRASH, NOTHING),
        (S.TRASH, S.PENDING, NOTHING),
    ],
)
def test_change_status_moves_the_thread_only_to_or_from_approved(
    moved, make_comment, old, new, moves
):
    """change_status writes with update(), which sends no signal."""
    comment = make_comment(status=old)
    assert moved(lambda: change_status(comment, new, actor_label="test")) == moves


@pytest.mark.parametrize(
    ("action", "old", "moves"),
    [
        ("approve", S.PENDING, THREAD),
        ("unapprove", S.APPROVED, THREAD),
        ("mark_spam", S.APPROVED, THREAD),
        ("trash", S.APPROVED, THREAD),
        ("mark_spam", S.PENDING, NOTHING),
        ("trash", S.PENDING, NOTHING),
        ("not_spam", S.SPAM, NOTHING),  # back to pending
        ("restore", S.TRASH, NOTHING),  # back to pending
        ("delete_permanently", S.SPAM, NOTHING),
    ],
)
def test_the_admins_bulk_actions(moved, maria_client, make_comment, action, old, moves):
    """Posted from the queue's view of the comment's status, as a moderator would."""
    comment = make_comment(status=old)

    def act():
        response = maria_client.post(
            f"/admin/comments/comment/?status={old}",
            {"action": action, "_selected_action": [comment.pk]},
        )
        assert response.status_code == 302

    assert moved(act) == moves
    assert Comment.objects.filter(pk=comment.pk, status=old).count() == 0


def test_the_admins_row_button(moved, maria_client, make_comment):
    comment = make_comment(status=S.PENDING)
    url = f"/admin/comments/comment/{comment.pk}/moderate/approve/"
    assert moved(lambda: maria_client.post(url)) == THREAD
    assert Comment.objects.get(pk=comment.pk).status == S.APPROVED


def test_a_staff_reply_moves_the_thread(moved, maria_client, make_comment):
    parent = make_comment()
    url = f"/admin/comments/comment/{parent.pk}/reply/"
    assert moved(lambda: maria_client.post(url, {"body": "Thank you."})) == THREAD
    assert parent.replies.get().status == S.APPROVED


# -- comments: a reader's comment, the re-check ------------------------------------------


def test_a_pending_comment_saved_moves_nothing(moved, make_comment, post):
    assert moved(lambda: make_comment(status=S.PENDING)) == NOTHING
    assert moved(lambda: post().status_code) == NOTHING  # no Akismet key: held
    assert not Comment.objects.filter(status=S.APPROVED).exists()


def test_a_readers_comment_approved_by_the_policy_moves_the_thread(moved, akismet_server, post):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"manual_approval": False})
    assert moved(post) == THREAD
    assert Comment.objects.get().status == S.APPROVED


def test_the_recheck_approving_a_held_comment_moves_the_thread(moved, akismet_server, make_comment):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"manual_approval": False})
    held = make_comment(
        status=S.PENDING, verdict="error", next_check_at=timezone.now() - timedelta(minutes=1)
    )
    assert moved(lambda: call_command("recheck_comments", stdout=None)) == THREAD
    assert Comment.objects.get(pk=held.pk).status == S.APPROVED


# -- comments: edits and deletions --------------------------------------------------------


def edit_in_admin(client, comment, body):
    response = client.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": body,
        },
    )
    assert response.status_code == 302


def test_an_approved_comments_edit_in_the_admin_moves_the_thread(moved, maria_client, make_comment):
    approved = make_comment(status=S.APPROVED)
    held = make_comment(status=S.PENDING)
    assert moved(lambda: edit_in_admin(maria_client, approved, "Corrected.")) == THREAD
    assert moved(lambda: edit_in_admin(maria_client, held, "Corrected.")) == NOTHING
    assert Comment.objects.get(pk=approved.pk).body == "Corrected."


def test_an_approved_comment_deleted_moves_the_thread(moved, make_comment):
    assert moved(make_comment().delete) == THREAD
    assert moved(make_comment(status=S.PENDING).delete) == NOTHING


def test_deleting_spam_and_trash_for_good_moves_nothing(moved, make_comment):
    """Even when an approved reply under a trashed comment is lifted a level: the thread
    already showed it at the top level."""
    trashed = make_comment(status=S.TRASH)
    reply = make_comment(parent=trashed, depth=2)
    spam = make_comment(status=S.SPAM)
    doomed = Comment.objects.filter(pk__in=[trashed.pk, spam.pk])
    assert moved(doomed.delete_permanently) == NOTHING
    assert Comment.objects.get(pk=reply.pk).depth == 1


@pytest.mark.parametrize("status", ["spam", "trash"])
def test_emptying_spam_or_trash_moves_nothing(moved, maria_client, make_comment, status):
    make_comment(status=status)
    url = f"/admin/comments/comment/empty/{status}/"
    assert moved(lambda: maria_client.post(url)) == NOTHING
    assert not Comment.objects.filter(status=status).exists()


def test_purge_comments_moves_nothing(moved, make_comment):
    """Old spam and trash go, payloads and identifying data are cleared: nothing shown."""
    long_ago = timezone.now() - timedelta(days=90)
    make_comment(status=S.SPAM, status_changed_at=long_ago)
    make_comment(status=S.TRASH, status_changed_at=long_ago)
    kept = make_comment(status_changed_at=long_ago, created_at=long_ago, akismet_payload={"a": 1})
    assert moved(lambda: call_command("purge_comments", stdout=None)) == NOTHING
    kept.refresh_from_db()
    assert (kept.user_ip, kept.akismet_payload) == (None, {})
    assert Comment.objects.count() == 1


# -- comments: personal data -------------------------------------------------------------


def test_erasing_a_commenters_data_moves_the_threads_showing_it(moved, make_comment, maria):
    make_comment(author_email="shown@example.com")
    make_comment(author_email="held@example.com", status=S.PENDING)
    assert moved(lambda: privacy.erase("shown@example.com", actor=maria)) == THREAD
    assert moved(lambda: privacy.erase("held@example.com", actor=maria)) == NOTHING


def test_erasing_from_the_admin_moves_the_thread(moved, maria_client, make_comment):
    comment = make_comment(author_email="shown@example.com")

    def act():
        response = maria_client.post(
            "/admin/comments/comment/?status=approved",
            {"action": "erase_personal_data", "_selected_action": [comment.pk]},
        )
        assert response.status_code == 302

    assert moved(act) == THREAD
    assert Comment.objects.get(pk=comment.pk).author_name == privacy.ANONYMOUS


# -- the moderation policy -----------------------------------------------------------------


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A cache every process sees (the policy is cached only in such a one)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return caches["default"]


def test_the_policy_saved_in_the_admin_moves_the_content_and_drops_it(
    moved, maria_client, shared_cache
):
    data = {
        "manual_approval": "on",
        "link_limit": "2",
        "flood_interval": "15",
        "thread_depth": "3",
        "comments_per_page": "50",
        "comment_order": "oldest",
        "personal_data_days": "60",
        "edit_minutes": "10",
        "reports_to_hold": "3",
        "surge_pending_on": "50",
        "surge_posts_on": "20",
        "surge_posts_minutes": "10",
        "surge_pending_off": "20",
        "surge_calm_minutes": "10",
        "surge_interval": "120",
    }
    policy.current()
    assert shared_cache.get(policy.CACHE_KEY) is not None

    def save():
        response = maria_client.post("/admin/comments/moderationpolicy/1/change/", data)
        assert response.status_code == 302

    assert moved(save) == CONTENT
    assert shared_cache.get(policy.CACHE_KEY) is None
    assert policy.current().thread_depth == 3


def test_policy_forget_moves_the_content_and_drops_it(moved, shared_cache):
    policy.current()
    assert moved(policy.forget) == CONTENT
    assert shared_cache.get(policy.CACHE_KEY) is None


# -- no write: the schedule ----------------------------------------------------------------
# The clock moves by less than FRAGMENT_SECONDS: a page that shows the change was not just
# kept until its longest lifetime ran out.


def test_a_scheduled_article_goes_live_with_no_version_moved(moved, client, make_article):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        make_article(title="Embargoed story", published_at=start + timedelta(minutes=2))
        assert "Embargoed story" not in client.get("/").content.decode()

        def time_passes():
            traveller.shift(timedelta(minutes=2))

        assert moved(time_passes) == NOTHING
        assert "Embargoed story" in client.get("/").content.decode()


def test_comments_close_with_no_version_moved(moved, client, make_article):
    """The schedule reads "comments close N days after publication" from the source the
    comments app registered."""
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"close_after_days": 1})
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        article = make_article(published_at=start - timedelta(days=1) + timedelta(minutes=2))
        assert 'id="commentform"' in client.get(article.get_absolute_url()).content.decode()

        def time_passes():
            traveller.shift(timedelta(minutes=2))

        assert moved(time_passes) == NOTHING
        html = client.get(article.get_absolute_url()).content.decode()
        assert "Comments are closed." in html and 'id="commentform"' not in html
