"""Who may open the moderators' own admin pages (the Reported view, the moderation report,
surges): moderators (`policy.can_moderate`), and nobody adds, edits or deletes there unless
the page says otherwise."""

from comments import policy as policies


class ModeratorsOnly:
    """Mixed into a ModelAdmin: moderators view it; add, change and delete are refused."""

    def has_view_permission(self, request, obj=None):
        return policies.can_moderate(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
