"""The admin's side of revisions, for articles and categories alike: the revision list,
the comparison of any two, "restore this revision", and the form that refuses a save based
on an older revision than the stored one (no silent overwrite).

The list comes from django-simple-history's `SimpleHistoryAdmin.history_view` (our
template); comparing and restoring are ours: a restore is the ordinary change form filled
from the revision (`?_restore=<revision id>`), so saving it goes through every rule a save
does (validation, the stale check, a writer's edit of a published article staying in
review) and is itself a new revision.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from articles import revisions
from articles.params import parse_id
from articles.people import display_name


class RevisionForm(forms.ModelForm):
    """A model form that knows which revision it was based on, and refuses to save over a
    newer one: the other person's changes are shown (`stale`, a diff) and the text typed
    here is kept in the form; saving again (now based on the newest) replaces theirs."""

    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    stale = None  # (their revision, [FieldDiff]) when the save was refused

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_revision"].initial = revisions.latest_saved_id(
                type(self.instance), self.instance.pk
            )
        # A restore: the revision's authors and tags (those that still exist) fill the form.
        for name, ids in (getattr(self.instance, "_restored_m2m", None) or {}).items():
            if name in self.fields:
                self.initial[name] = ids

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        model = type(self.instance)
        # Locks the row until the save commits (the admin's change view is atomic), so two
        # saves based on the same revision cannot both pass this check.
        model.objects.select_for_update().filter(pk=self.instance.pk).exists()
        current = revisions.latest_saved_id(model, self.instance.pk)
        base = cleaned.get("base_revision")
        if current is None or base == current:
            return cleaned
        theirs = model.history.select_related("history_user").get(history_id=current)
        mine = model.history.filter(id=self.instance.pk, history_id=base).first()
        diffs = revisions.compare(mine, theirs) if mine is not None else []
        self.stale = (theirs, diffs)
        data = self.data.copy()
        data[self.add_prefix("base_revision")] = current
        self.data = data
        who = display_name(theirs.history_user) if theirs.history_user else _("someone")
        raise forms.ValidationError(
            _(
                "%(who)s saved this %(what)s at %(when)s, after you opened it. Their changes "
                "are shown below; your text is still in the form. Check it, then save again "
                "to replace their version with yours."
            )
            % {
                "who": who,
                "what": model._meta.verbose_name,
                "when": timezone.localtime(theirs.history_date).strftime("%H:%M:%S"),
            },
            code="stale",
        )


class RevisionsAdmin(SimpleHistoryAdmin):
    """Revisions in the admin: the list (History), compare, restore, the stale check."""

    form = RevisionForm
    object_history_template = "admin/articles/object_history.html"
    history_list_per_page = 50

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
        ] + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        # simple-history looks the id up as it comes; one that names no row is a 404 here.
        if parse_id(unquote(object_id)) is None:
            raise Http404
        context = {"can_restore": self.has_change_permission(request)}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .order_by("-history_id")
        )

    def compare_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        ids = [parse_id(request.GET.get(k)) for k in ("a", "b")]
        if None in ids or ids[0] == ids[1]:
            messages.error(request, _("Choose two different revisions to compare."))
            return self._redirect_to_history(obj)
        records = list(
            self.model.history.filter(id=obj.pk, history_id__in=ids)
            .select_related("history_user")
            .order_by("history_id")
        )
        if len(records) != 2:
            raise Http404
        old, new = records
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": _("Compare revisions: %s") % obj,
            "old": old,
            "new": new,
            "diffs": revisions.compare(old, new),
            **self.compare_context(request, obj, new),
        }
        return TemplateResponse(request, "admin/articles/compare.html", context)

    def compare_context(self, request, obj, new):
        return {}

    def _redirect_to_history(self, obj):
        from django.shortcuts import redirect

        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", obj.pk)

    def restoring(self, request, obj):
        """The revision `?_restore=` names, or None."""
        pk = parse_id(request.GET.get("_restore"))
        if pk is None or obj is None:
            return None
        return get_object_or_404(self.model.history, id=obj.pk, history_id=pk)

    def restore_fields(self):
        return [n for n in revisions.fields_of(self.model) if n not in revisions.M2M_FIELDS]

    def get_object(self, request, object_id, from_field=None):
        """With `?_restore=<revision>`: the object with that revision's fields (a category
        that no longer exists is left empty for the person to choose)."""
        obj = super().get_object(request, object_id, from_field)
        record = self.restoring(request, obj)
        if record is None:
            return obj
        obj._restoring = record
        obj._missing = []
        for name in self.restore_fields():
            field = self.model._meta.get_field(name)
            value = getattr(record, field.attname)
            gone = field.is_relation and value is not None
            if gone and not field.related_model.objects.filter(pk=value).exists():
                obj._missing.append(field)
                value = None
            setattr(obj, field.attname, value)
        if self.model is revisions.Article:
            obj._restored_m2m, obj._gone_m2m = revisions.restorable_m2m(record)
        return obj

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        record = getattr(obj, "_restoring", None)
        if record is not None and request.method == "GET":
            for field in obj._missing:
                messages.warning(
                    request,
                    _(
                        "The %(field)s this revision was saved with no longer exists: choose "
                        "one before saving."
                    )
                    % {"field": field.verbose_name},
                )
            self._warn_about_m2m(request, obj)
        context["restoring"] = record
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _warn_about_m2m(self, request, obj):
        """Restoring an article's revision: say when it does not record its authors and
        tags, and which ones it names that no longer exist (left out of the form)."""
        if not hasattr(obj, "_gone_m2m"):
            return
        if obj._gone_m2m is None:
            messages.warning(
                request,
                _(
                    "This revision does not record its authors and tags (it was made before "
                    "they were kept): the form keeps the current ones."
                ),
            )
            return
        for name, ids in obj._gone_m2m.items():
            if ids:
                messages.warning(
                    request,
                    _(
                        "This revision named %(what)s that no longer exist (#%(ids)s): they "
                        "are left out; the rest is restored."
                    )
                    % {
                        "what": self.model._meta.get_field(name).verbose_name,
                        "ids": ", #".join(str(i) for i in ids),
                    },
                )

    def restore_reason(self, obj):
        """The revision's reason when the form restored one, else ""."""
        record = getattr(obj, "_restoring", None)
        return _("Restored revision #%s") % record.history_id if record is not None else ""

    def save_model(self, request, obj, form, change):
        if reason := self.restore_reason(obj):
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    @property
    def history_label(self):
        return gettext_lazy("Revisions")
