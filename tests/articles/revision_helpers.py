"""Helpers for the revision and workflow tests: people in the groups, and the admin's
change form as a browser would send it back."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.forms import CheckboxInput, SplitDateTimeWidget

CHANGE = "/admin/articles/article/{}/change/"
HISTORY = "/admin/articles/article/{}/history/"


def make_person(username, group, email=True):
    user = get_user_model().objects.create_user(
        username,
        email=f"{username}@example.com" if email else "",
        password="a-Long-pass-phrase-9",
        is_staff=True,
        first_name=username.title(),
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def form_data(response, **changes):
    """The bound values of the admin form on `response`, as POST data, with `changes`."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, SplitDateTimeWidget):
            value = field.widget.decompress(value) if not isinstance(value, list) else value
            for i, part in enumerate(value or ["", ""]):
                if hasattr(part, "strftime"):
                    part = part.strftime("%Y-%m-%d" if i == 0 else "%H:%M:%S")
                data[f"{name}_{i}"] = part or ""
            continue
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[name] = "on"
            continue
        if value is None or name == "image":
            continue
        data[name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
