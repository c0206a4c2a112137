"""How site users are named to readers."""

from django.contrib.auth import get_user_model

from articles.people import display_name


def test_the_full_name_or_else_the_username(db):
    User = get_user_model()
    assert display_name(User(username="maria", first_name="Maria", last_name="Lopez")) == (
        "Maria Lopez"
    )
    assert display_name(User(username="maria")) == "maria"
