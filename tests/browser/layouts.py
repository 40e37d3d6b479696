"""Photographing a page the way people read it: in English and Chinese, on a laptop
(1366 px) and a phone (390 px). Only when CRM_LAYOUT_SHOTS_DIR names a folder; the
pictures are for a person to look at before a change is called done."""

import os

LAYOUT_SHOTS_DIR = os.environ.get("CRM_LAYOUT_SHOTS_DIR")
LAYOUTS = [(language, width) for language in ("en", "zh-hans") for width in (1366, 390)]


def set_language(page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


def photograph_layouts(page, live_server, name: str, show) -> None:
    """`show()` brings the page to the state to photograph; it runs once per layout, and
    once more at the end in English at 1366 px, where the test goes on."""
    if not LAYOUT_SHOTS_DIR:
        return
    for language, width in LAYOUTS:
        set_language(page, live_server, language)
        page.set_viewport_size({"width": width, "height": 900})
        show()
        path = f"{LAYOUT_SHOTS_DIR}/{name}-{language}-{width}.png"
        page.screenshot(path=path, full_page=True)
    set_language(page, live_server, "en")
    page.set_viewport_size({"width": 1366, "height": 900})
    show()
