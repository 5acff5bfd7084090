"""Reads the form fields of an HTML page the way a browser would submit them (for admin edits in tests)."""
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._first_option = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append([name, a.get("value", "on" if a.get("type") == "checkbox" else "")])
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.data.append([self._select, a.get("value", "")])
                self._select = None
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.data.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self._select = None  # nothing selected: the browser sends the first option, an empty choice here
        if tag == "textarea":
            self._textarea = None


def form_data(html: str) -> dict:
    """The fields a browser submits from ``html``; a field given twice keeps a list."""
    parser = _FormFields()
    parser.feed(html)
    out = {}
    for name, value in parser.data:
        value = value.lstrip("\n") if isinstance(value, str) else value
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        else:
            out[name] = value
    return out
