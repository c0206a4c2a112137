"""System checks: without an Akismet key every comment waits unchecked for a human."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

NO_KEY = "AKISMET_API_KEY is not set: comments are held unchecked, with no spam filter."
HINT = "Set AKISMET_API_KEY (and AKISMET_BLOG_URL); `manage.py akismet_verify` checks it."


@register()
def akismet_key_warning(app_configs, **kwargs):
    if settings.AKISMET_API_KEY:
        return []
    return [Warning(NO_KEY, hint=HINT, id="comments.W001")]


@register(Tags.security, deploy=True)
def akismet_key_deploy(app_configs, **kwargs):
    if settings.AKISMET_API_KEY:
        return []
    return [Error(NO_KEY, hint=HINT, id="comments.E001")]
