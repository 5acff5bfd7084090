"""Form widgets shared by the apps' pages.

``SearchSelect`` is a select whose options come from a search on the server (a REST list endpoint
with ``?search=``), so a form never renders thousands of options: the page holds only the chosen one,
and ``static/core/search-select.js`` fills the rest as the user types. The form's queryset still
validates the choice.
"""
from django import forms


class SearchSelect(forms.Select):
    """``url``: the list endpoint; ``label``: a template of result fields, e.g. ``"{enterprise_name} {code}"``."""

    template_name = "django/forms/widgets/select.html"

    class Media:
        js = ["core/search-select.js"]

    def __init__(self, *, url: str, label: str, placeholder: str = "", attrs=None):
        super().__init__(attrs={**(attrs or {}), "data-search-url": url, "data-search-label": label,
                                "data-search-placeholder": str(placeholder)})

    def optgroups(self, name, value, attrs=None):
        """Only the empty choice and the chosen value(s): the search brings the others."""
        chosen = {str(v) for v in value if v not in (None, "")}
        groups = []
        for index, (option_value, option_label) in enumerate(self.choices):
            key = str(getattr(option_value, "value", option_value))
            if key == "" or key in chosen:
                groups.append((None, [self.create_option(name, option_value, option_label, key in chosen, index,
                                                         attrs=attrs)], index))
        return groups
