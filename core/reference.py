"""Reference data that data migrations load (pollutant codes, industries, the eco-code catalogue...).

A database flush empties those tables too (``seed_demo --reset``, transactional tests); ``load_all``
puts them back by calling ``load()`` of every installed app's ``reference`` module, in app order.
"""
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def load_all() -> None:
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "reference"):
            module = import_module(f"{config.name}.reference")
            if hasattr(module, "load"):
                module.load()
