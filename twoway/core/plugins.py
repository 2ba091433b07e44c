"""How our apps add to shared pages without editing them: each may have a module of a given name
(nav.py, feed.py, demo.py), found here in INSTALLED_APPS order."""

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def app_modules(submodule: str, *, exclude: frozenset[str] | set[str] = frozenset()) -> list[ModuleType]:
    """`twoway.<app>.<submodule>` for each of our apps that has one, except the apps in `exclude`."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("twoway.") and config.name not in exclude:
            if module_has_submodule(config.module, submodule):
                found.append(import_module(f"{config.name}.{submodule}"))
    return found
