import itertools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from comments import policy as policies
from comments.forms import form_token
from comments.models import Comment

_seq = itertools.count(1)


@pytest.fixture
def article(make_article):
    return make_article(slug="floods", title="Towns agree a flood plan")


@pytest.fixture
def make_comment(article):
    """A comment saved as is (status approved unless told), bypassing the pipeline."""

    def make(**fields):
        n = next(_seq)
        fields.setdefault("article", article)
        fields.setdefault("author_name", f"Reader {n}")
        fields.setdefault("author_email", f"reader{n}@example.com")
        fields.setdefault("body", f"Comment number {n}.")
        fields.setdefault("status", Comment.Status.APPROVED)
        fields.setdefault("user_ip", "192.0.2.1")
        return Comment.objects.create(**fields)

    return make


@pytest.fixture
def post_url(article):
    return article.get_absolute_url() + "comments/"


@pytest.fixture
def form_data(article):
    """What a reader's browser sends: a valid comment with the form's token."""

    def data(**fields):
        n = next(_seq)
        values = {
            "name": "Ada Reader",
            "email": f"ada{n}@example.com",
            "url": "",
            "comment": f"A thoughtful comment, number {n}.",
            "token": form_token(article),
            "parent": "",
            "phone": "",
        }
        values.update(fields)
        return {k: v for k, v in values.items() if v is not None}

    return data


@pytest.fixture
def post(client, post_url, form_data):
    """POST a comment from a browser on this site (same Origin), from a fresh IP."""
    ips = itertools.count(10)

    def send(client=client, ip=None, **fields):
        return client.post(
            post_url,
            form_data(**fields),
            HTTP_ORIGIN="http://testserver",
            REMOTE_ADDR=ip or f"198.51.100.{next(ips)}",
            HTTP_USER_AGENT="Mozilla/5.0 (test)",
            HTTP_REFERER="http://testserver/today/world/floods/",
        )

    return send


@pytest.fixture
def moderator(db):
    """A staff user given the comment permissions one by one (see `maria` for the group)."""
    user = get_user_model().objects.create_user(
        "mo", email="mo@example.com", password="a-Long-pass-phrase-9", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__contains="comment")
    )
    return user


@pytest.fixture
def maria(db):
    """A moderator as the site makes them: staff, in the Moderators group, not a superuser."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        "maria", email="maria@example.com", password="a-Long-pass-phrase-9", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def maria_client(client, maria):
    client.force_login(maria)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (feedback, mail) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def set_policy(db):
    """set_policy(field=value, …) saves those settings on the moderation policy and returns it."""

    def set_(**fields):
        policy = policies.current()
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.save()
        return policy

    return set_
