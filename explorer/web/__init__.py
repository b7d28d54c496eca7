"""The web front-end: one self-contained, interactive HTML page per trace or lesson.

Qt-free, like the core: the page shows the scene the core computes (layout, texts, colours,
narration) and steps through it in the browser. ``assets/`` holds the page's script, style
sheet and template, inlined into every page written.
"""

from __future__ import annotations

from explorer.web.page import PageText, notebook_html, page_data, page_html, write_page

__all__ = ["PageText", "notebook_html", "page_data", "page_html", "write_page"]
