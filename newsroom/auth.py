"""The signed-in user of each request, read by a query the ORM writes once per process.

Django's `ModelBackend.get_user` builds and compiles `User.objects.get(pk=…)` on every
request with a session (~1,000 Python calls, more than running it). `PreparedModelBackend`
is that backend with the query prepared (`articles.prepared`): the same SQL with the id
put in, and the same answer, the user or None when there is none or it may not sign in
(`user_can_authenticate`: an inactive account). Django still checks the session's
password hash against the user it returns.

A session remembers the backend that signed it in, and Django serves it only while that
backend is listed: Django's `ModelBackend` stays in the settings after this one, so those
signed in before it came are not signed out. Signing in goes through this backend first;
a wrong password ends there (`PermissionDenied`, as Django reports any failed sign-in),
so it is checked once, not again by `ModelBackend`.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError

from articles.prepared import Prepared

_USER = Prepared(lambda pk: get_user_model()._default_manager.filter(pk=pk), pk=0)


class PreparedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied  # not ModelBackend's turn: the same check again
        return user

    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding something that is no user id
            return None
        found = _USER.objects(pk=pk)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
