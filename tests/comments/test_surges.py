"""Surge mode for busy stories: switching on by pending count or by rate, off only after the
calm time, forced on/off, one alert, first-time commenters held, the per-article interval,
the notice on the cached page, the policy form, permissions, history, query counts."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from comments import policy as policies
from comments import schedule, surges
from comments.admin.policy import PolicyForm
from comments.models import Comment, ModerationPolicy, Surge, SurgeEvent
from comments.reasons import Reason, sentence

pytestmark = pytest.mark.django_db

S = Comment.Status
NOTICE = "Comments on this story are busy; each is read before it appears."


@pytest.fixture
def make_user(db):
    import itertools

    from django.contrib.auth import get_user_model

    seq = itertools.count(1)

    def make(**fields):
        n = next(seq)
        return get_user_model().objects.create_user(
            f"user{n}", email=f"user{n}@example.com", password="a-Long-pass-phrase-9", **fields
        )

    return make


def set_policy(**values):
    policy, _ = ModerationPolicy.objects.get_or_create(pk=1)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


@pytest.fixture(autouse=True)
def _small_thresholds(db):
    """On at 5 pending or 4 posts in 10 minutes; off below 2 pending for 10 calm minutes;
    no site-wide flood interval (the per-article one is what is tested)."""
    set_policy(
        surge_pending_on=5,
        surge_posts_on=4,
        surge_posts_minutes=10,
        surge_pending_off=2,
        surge_calm_minutes=10,
        surge_interval=120,
        flood_interval=0,
    )


def pending(make_comment, n, **fields):
    return [make_comment(status=S.PENDING, **fields) for _ in range(n)]


def old(make_comment, n, status=S.PENDING):
    """`n` comments posted an hour ago: they count as pending, not in the rate."""
    an_hour_ago = timezone.now() - timedelta(hours=1)
    return [make_comment(status=status, created_at=an_hour_ago) for _ in range(n)]


def state(article):
    return policies.current().surge_state(article.pk)


def page(article, client=None):
    response = (client or Client()).get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# -- switching on ---------------------------------------------------------------------


def test_switches_on_when_pending_comments_reach_the_threshold(post, article, make_comment):
    old(make_comment, 4)
    assert post().status_code == 302
    assert state(article) == "on"
    surge = Surge.objects.get(article=article)
    assert surge.active and surge.mode == Surge.Mode.AUTO
    event = SurgeEvent.objects.get(article=article)
    assert event.on and event.cause == SurgeEvent.Cause.PENDING and event.actor is None
    assert event.params["pending"] == 5 and event.params["pending_on"] == 5


def test_below_both_thresholds_nothing_switches(post, article, make_comment):
    old(make_comment, 3)
    assert post().status_code == 302  # 4 pending, 1 post in the window
    assert state(article) == ""
    assert not Surge.objects.exists() and not SurgeEvent.objects.exists()


def test_switches_on_when_the_posting_rate_reaches_the_threshold(post, article, make_comment):
    make_comment(status=S.APPROVED)  # posted just now, approved: counts in the rate
    make_comment(status=S.SPAM)  # spam does not count
    make_comment(status=S.APPROVED, created_at=timezone.now() - timedelta(minutes=11))
    post()
    post()
    assert state(article) == ""  # 3 in the window
    post()
    assert state(article) == "on"
    event = SurgeEvent.objects.get()
    assert event.cause == SurgeEvent.Cause.RATE and event.params["posts"] == 4


def test_automatic_switching_off_in_the_policy_switches_nothing(post, article, make_comment):
    set_policy(surge_automatic=False)
    old(make_comment, 10)
    post()
    assert state(article) == "" and not SurgeEvent.objects.exists()


def test_two_crossings_switch_once(article, make_comment):
    old(make_comment, 5)
    comment = make_comment(status=S.PENDING)
    policy = ModerationPolicy.objects.get(pk=1)  # a copy read before either switched
    assert surges.after_post(comment, policy) is not None
    assert surges.after_post(comment, policy) is None
    assert SurgeEvent.objects.count() == 1


# -- switching off ------------------------------------------------------------------------


def test_stays_on_between_the_two_thresholds(post, article, make_comment):
    comments = old(make_comment, 4)
    post()
    assert state(article) == "on"
    Comment.objects.filter(pk__in=[c.pk for c in comments[:3]]).update(status=S.APPROVED)
    # 2 pending: below the on threshold (5), not below the off threshold (2).
    later = timezone.now() + timedelta(hours=1)
    for minutes in range(0, 60, 10):
        assert surges.calm_down(later + timedelta(minutes=minutes)) == []
    assert state(article) == "on"
    assert Surge.objects.get().calm_since is None


def test_switches_off_only_after_the_calm_minutes(post, article, make_comment):
    comments = old(make_comment, 4)
    post()
    Comment.objects.filter(article=article).update(status=S.APPROVED)  # 0 pending
    start = timezone.now() + timedelta(minutes=15)  # the rate window has passed too
    assert surges.calm_down(start) == []  # calm from now on
    assert Surge.objects.get().calm_since == start
    assert surges.calm_down(start + timedelta(minutes=9, seconds=59)) == []
    assert state(article) == "on"
    [event] = surges.calm_down(start + timedelta(minutes=10))
    assert not event.on and event.cause == SurgeEvent.Cause.CALM
    assert event.params["pending"] == 0
    assert state(article) == "" and not Surge.objects.get().active
    del comments


def test_busy_again_starts_the_calm_time_over(post, article, make_comment):
    old(make_comment, 4)
    post()
    Comment.objects.filter(article=article).update(status=S.APPROVED)
    start = timezone.now() + timedelta(minutes=15)
    surges.calm_down(start)
    old(make_comment, 3)  # 3 pending again: not calm
    assert surges.calm_down(start + timedelta(minutes=5)) == []
    assert Surge.objects.get().calm_since is None
    Comment.objects.filter(article=article).update(status=S.APPROVED)
    surges.calm_down(start + timedelta(minutes=6))
    assert surges.calm_down(start + timedelta(minutes=12)) == []  # 6 calm minutes only
    assert len(surges.calm_down(start + timedelta(minutes=16))) == 1


def test_a_high_rate_keeps_it_on(post, article, make_comment):
    post(), post(), post(), post()
    assert state(article) == "on"
    Comment.objects.filter(article=article).update(status=S.APPROVED)  # 0 pending
    now = timezone.now()
    surges.calm_down(now)
    assert Surge.objects.get().calm_since is None  # 4 posts in the window: still busy


def test_the_calm_job_runs_every_minute():
    job = next(j for j in schedule.JOBS if j.name == "surges")
    assert job.every == timedelta(minutes=1)
    assert job.task.name.endswith("calm_surges")


# -- forced ---------------------------------------------------------------------------


def test_forced_off_is_never_switched_on_automatically(post, article, make_comment, maria):
    surges.force(article.pk, Surge.Mode.OFF, actor=maria, note="live blog handled elsewhere")
    assert state(article) == "forced_off"
    old(make_comment, 10)
    post()
    assert state(article) == "forced_off"
    assert SurgeEvent.objects.filter(on=True).count() == 0


def test_forced_on_is_never_switched_off_automatically(article, maria):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    assert state(article) == "forced_on"
    later = timezone.now() + timedelta(hours=1)
    surges.calm_down(later)
    surges.calm_down(later + timedelta(hours=1))
    assert state(article) == "forced_on" and Surge.objects.get().active


def test_back_to_automatic_keeps_the_state_until_the_rule_switches(article, maria):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    event = surges.force(article.pk, Surge.Mode.AUTO, actor=maria, note="let it calm down")
    assert event.on and event.cause == SurgeEvent.Cause.AUTOMATIC
    assert state(article) == "on"  # in surge, now by the rule: calm switches it off
    later = timezone.now() + timedelta(minutes=30)
    surges.calm_down(later)
    [off] = surges.calm_down(later + timedelta(minutes=10))
    assert off.cause == SurgeEvent.Cause.CALM and state(article) == ""


def test_forcing_the_same_mode_twice_records_once(article, maria):
    assert surges.force(article.pk, Surge.Mode.ON, actor=maria) is not None
    assert surges.force(article.pk, Surge.Mode.ON, actor=maria) is None
    assert SurgeEvent.objects.count() == 1


def test_only_moderators_can_force(article, make_user):
    editor = make_user(is_staff=True)
    with pytest.raises(PermissionDenied):
        surges.force(article.pk, Surge.Mode.ON, actor=editor)
    assert not SurgeEvent.objects.exists()


# -- the alert ------------------------------------------------------------------------


def test_one_alert_when_it_switches_on_and_none_while_it_stays(
    post, article, make_comment, maria, run_on_commit, settings
):
    settings.SITE_URL = "https://news.example.com"
    old(make_comment, 4)
    with run_on_commit():
        post()
    with run_on_commit():
        post(), post(), post()
    alerts = [m for m in mail.outbox if "Surge:" in m.subject]
    assert len(alerts) == 1
    message = alerts[0]
    assert message.to == ["maria@example.com"]
    assert message.subject == f'[The Newsroom] Surge: "{article.title}" is busy'
    assert "5 pending (surge at 5)" in message.body
    assert f"/admin/comments/comment/?article={article.pk}" in message.body
    assert f"/admin/comments/surge/{article.pk}/change/" in message.body
    assert SurgeEvent.objects.get().alerted_at is not None
    # A second delivery of the same job sends nothing.
    from comments import notify

    assert notify.send_surge_alert(SurgeEvent.objects.get().pk) == 0


def test_forcing_on_mails_nobody(article, maria, run_on_commit):
    with run_on_commit():
        surges.force(article.pk, Surge.Mode.ON, actor=maria)
    assert [m for m in mail.outbox if "Surge:" in m.subject] == []


# -- first-time commenters --------------------------------------------------------------


@pytest.fixture
def open_policy():
    """Approve what Akismet finds clean, even from strangers, outside a surge."""
    return set_policy(
        manual_approval=False, auto_approve_known_authors=False, hold_first_time_commenters=False
    )


def test_in_surge_first_time_commenters_are_held_and_known_ones_not(
    open_policy, article, make_article, make_comment, maria
):
    make_comment(author_name="Kim", author_email="known@example.com", status=S.APPROVED)
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    policy = policies.current()
    stranger = make_comment(author_email="new@example.com", status=S.PENDING)
    known = make_comment(author_name="Kim", author_email="known@example.com", status=S.PENDING)
    decision = policies.decide(stranger, policy)
    assert (decision.status, decision.reason) == (S.PENDING, Reason.FIRST_COMMENT)
    assert "story was in surge" in sentence(decision.reason, decision.params)
    assert policies.decide(known, policy).status == S.APPROVED
    # Another article, not in surge: the stranger is approved there.
    elsewhere = make_comment(article=make_article(), author_email="new@example.com")
    assert policies.decide(elsewhere, policy).status == S.APPROVED


def test_after_surge_first_time_commenters_are_approved_again(
    open_policy, article, make_comment, maria
):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    surges.force(article.pk, Surge.Mode.OFF, actor=maria)
    stranger = make_comment(author_email="new@example.com", status=S.PENDING)
    assert policies.decide(stranger, policies.current()).status == S.APPROVED


# -- the per-article interval ------------------------------------------------------------


def test_in_surge_a_second_post_within_the_interval_gets_the_form_back(
    post, article, make_article, maria
):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    assert post(ip="192.0.2.50", email="ada@example.com").status_code == 302
    text = "A second thought I really want to keep."
    response = post(ip="192.0.2.50", email="ada@example.com", comment=text)
    assert response.status_code == 429
    html = response.content.decode()
    assert "please wait 2 minutes between two comments on it" in html
    assert text in html  # nothing typed is lost
    assert Comment.objects.filter(body=text).count() == 0
    # Another address and IP post at once; the same reader later is fine.
    assert post(ip="192.0.2.51", email="bo@example.com").status_code == 302
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=121))
    assert post(ip="192.0.2.50", email="ada@example.com", comment=text).status_code == 302


def test_the_interval_is_per_article_and_only_in_surge(post, article, maria):
    assert post(ip="192.0.2.50").status_code == 302
    assert post(ip="192.0.2.50").status_code == 302  # not in surge: the site-wide rule (off)


# -- the notice on the cached page --------------------------------------------------------


def test_the_notice_shows_on_the_cached_page_at_once_and_goes_at_once(article, maria):
    assert NOTICE not in page(article)
    assert NOTICE not in page(article)  # now from the page cache
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    html = page(article)
    assert NOTICE in html
    assert html.index(NOTICE) < html.index('class="comment-form"')
    surges.force(article.pk, Surge.Mode.OFF, actor=maria)
    assert NOTICE not in page(article)


def test_an_automatic_switch_shows_the_notice_and_the_calm_one_drops_it(
    post, article, make_comment
):
    assert NOTICE not in page(article)
    old(make_comment, 4)
    post()
    assert NOTICE in page(article)
    Comment.objects.filter(article=article).update(status=S.APPROVED)
    later = timezone.now() + timedelta(minutes=15)
    surges.calm_down(later)
    surges.calm_down(later + timedelta(minutes=10))
    assert NOTICE not in page(article)


def test_the_notice_is_on_the_surging_article_only(article, make_article, maria):
    other = make_article()
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    assert NOTICE in page(article) and NOTICE not in page(other)


def test_a_reader_with_cookies_sees_the_notice_too(article, maria):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    client = Client()
    client.cookies["comment_author_name"] = "Ada"
    assert NOTICE in page(article, client)


# -- the policy form ------------------------------------------------------------------------


def form_data(**values):
    data = {
        "surge_automatic": "on",
        "surge_pending_on": "50",
        "surge_posts_on": "20",
        "surge_posts_minutes": "10",
        "surge_pending_off": "20",
        "surge_calm_minutes": "10",
        "surge_interval": "120",
    }
    data.update(values)
    return data


@pytest.mark.parametrize("field", [name for name in form_data() if name != "surge_automatic"])
@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_threshold_of_zero_or_less_is_refused_clearly(field, value):
    form = PolicyForm(form_data(**{field: value}), instance=ModerationPolicy.objects.get(pk=1))
    assert not form.is_valid()
    assert form.errors[field] == [
        "Enter 1 or more. To stop articles switching to surge by themselves, untick "
        "“switch busy stories to surge automatically” instead."
    ]


@pytest.mark.parametrize("off", ["50", "60"])
def test_the_off_threshold_must_be_below_the_on_threshold(off):
    form = PolicyForm(form_data(surge_pending_off=off), instance=ModerationPolicy.objects.get())
    assert not form.is_valid()
    assert "Must be below the pending threshold that switches surge on (50)" in str(
        form.errors["surge_pending_off"]
    )


def test_good_thresholds_are_saved():
    form = PolicyForm(form_data(surge_pending_off="49"), instance=ModerationPolicy.objects.get())
    assert form.is_valid(), form.errors
    form.save()
    assert ModerationPolicy.objects.get().surge_pending_off == 49


def test_the_policy_page_shows_the_surge_settings_with_help(maria_client):
    response = maria_client.get("/admin/comments/moderationpolicy/1/change/")
    html = response.content.decode()
    assert "Busy stories (surge)" in html
    assert "surge on: pending comments on one article" in html.lower()
    assert "Must be below the pending threshold that switches surge on" in html
    data = {k: v for k, v in response.context["adminform"].form.initial.items() if v is not None}
    data.update(form_data(surge_pending_on="0"))
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = maria_client.post("/admin/comments/moderationpolicy/1/change/", data)
    assert response.status_code == 200
    assert "Enter 1 or more." in response.content.decode()


# -- the admin: permissions and history ---------------------------------------------------


def test_a_moderator_forces_a_surge_from_the_surges_page(maria_client, maria, article):
    response = maria_client.get(f"/admin/comments/surge/add/?article={article.pk}")
    assert response.status_code == 200
    assert article.title in response.content.decode()
    response = maria_client.post(
        f"/admin/comments/surge/add/?article={article.pk}",
        {"article": article.pk, "mode": "on", "note": "Election night"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = SurgeEvent.objects.get()
    assert (event.on, event.cause, event.actor, event.note) == (
        True,
        SurgeEvent.Cause.FORCED_ON,
        maria,
        "Election night",
    )
    assert state(article) == "forced_on"
    # The list, then the article's page with its history; then back to automatic.
    listing = maria_client.get("/admin/comments/surge/").content.decode()
    assert article.title in listing and "In surge (forced on)" in listing
    change = f"/admin/comments/surge/{article.pk}/change/"
    html = maria_client.get(change).content.decode()
    assert "Forced on by a moderator" in html and "Election night" in html
    maria_client.post(change, {"mode": "auto", "note": ""})
    assert Surge.objects.get().mode == Surge.Mode.AUTO
    assert SurgeEvent.objects.count() == 2
    # From the queue filtered by the article: its surge page.
    queue = maria_client.get(f"/admin/comments/comment/?article={article.pk}").content.decode()
    assert f"/admin/comments/surge/add/?article={article.pk}" in queue
    assert maria_client.get(f"/admin/comments/surge/add/?article={article.pk}")["Location"] == (
        change
    )


def test_a_surge_row_cannot_be_deleted(maria_client, article, maria):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    response = maria_client.post(f"/admin/comments/surge/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Surge.objects.exists()


def test_staff_without_the_moderate_permission_cannot_switch(client, article, make_user):
    editor = make_user(is_staff=True)
    client.force_login(editor)
    assert client.get("/admin/comments/surge/").status_code == 403
    response = client.post(
        "/admin/comments/surge/add/", {"article": article.pk, "mode": "on", "note": ""}
    )
    assert response.status_code == 403
    assert not SurgeEvent.objects.exists()


def test_the_article_admin_page_shows_its_surge_history(admin_client, article, make_comment):
    old(make_comment, 5)
    surges.after_post(make_comment(status=S.PENDING), policies.current())
    html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'id="surge-history"' in html
    assert "Pending comments reached the threshold" in html and "automatic" in html
    assert "6 pending" in html


def test_the_article_admin_page_shows_no_surge_panel_to_editors(client, article, make_user):
    from django.contrib.auth.models import Permission

    editor = make_user(is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__endswith="article")
    )
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'id="surge-history"' not in html


# -- query counts -------------------------------------------------------------------------


def test_the_post_path_costs_at_most_one_query_more(
    post, article, maria, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(**fields):
        with CaptureQueriesContext(connection) as captured:
            assert post(**fields).status_code == 302
        return len(captured)

    set_policy(surge_automatic=False)
    queries()  # the day's first comment also starts the moderation report's row for the day
    baseline = queries()
    set_policy(surge_automatic=True)
    assert queries() == baseline + 1  # the busy numbers
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    assert queries() == baseline + 1  # in surge: the per-article interval, no numbers


def test_a_page_costs_no_query_more_in_surge(client, article, maria, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cold():
        from django.core.cache import caches

        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            page(article)
        return len(captured)

    before = cold()
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    assert cold() == before


def test_the_mirror_heals_itself(article, maria):
    surges.force(article.pk, Surge.Mode.ON, actor=maria)
    ModerationPolicy.objects.filter(pk=1).update(surges={})  # an old copy saved over it
    policies.drop_cached()
    surges.calm_down()
    assert state(article) == "forced_on"


def test_saving_the_policy_form_keeps_a_switch_made_meanwhile(maria_client, article, maria):
    from unittest import mock

    from comments.admin.policy import ModerationPolicyAdmin

    response = maria_client.get("/admin/comments/moderationpolicy/1/change/")
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    data = {k: ("on" if v is True else v) for k, v in data.items()}
    stale = ModerationPolicy.objects.get()  # the row as the form's request read it
    surges.force(article.pk, Surge.Mode.ON, actor=maria)  # then a switch commits
    with mock.patch.object(ModerationPolicyAdmin, "get_object", return_value=stale):
        response = maria_client.post("/admin/comments/moderationpolicy/1/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ModerationPolicy.objects.get().surges == {str(article.pk): "forced_on"}
