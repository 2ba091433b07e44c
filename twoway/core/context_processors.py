from twoway.org.scope import scope_for

from .nav import entries_for


def ui(request):
    """What every page needs: the menu for this person and the elder-mode switch."""
    elder = request.COOKIES.get("elder") == "1"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        elder = elder or user.elder_mode
        scope = scope_for(user)
        return {"elder_mode": elder, "nav_entries": entries_for(scope), "scope": scope}
    return {"elder_mode": elder, "nav_entries": [], "scope": None}
