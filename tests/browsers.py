"""How the browser tests start Debian's Chromium: headless, in the county's language. Chromium on
Linux takes its own UI language (a file input's button, a date input's format) from LANGUAGE and
--lang (Debian's pack: chromium-l10n), as on the officers' Chinese phones and desktops."""
import os

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--lang=zh-CN"]
BROWSER_ENV = {**os.environ, "LANGUAGE": "zh_CN"}


def launch(playwright):
    """A headless Chromium speaking zh-CN (its pages need ``locale="zh-CN"`` on their context too)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS, env=BROWSER_ENV)
