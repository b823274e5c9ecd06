"""The one way HTML becomes PDF: WeasyPrint with a fetcher confined to ``static/``.

Report HTML carries names and answers typed in villages, so the renderer must not be a
way to read the server's files or reach the network: stylesheets, fonts and images come
only from the project's static folder or from ``data:`` URIs (the QR code).
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app

logger = logging.getLogger(__name__)


def static_root() -> Path:
    return Path(current_app.static_folder).resolve()


def _fetcher_class():
    # WeasyPrint is imported on first use: it loads Pango and fontconfig, which the
    # rest of the application (and every CLI command) has no need of.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``file:`` URLs inside ``root`` and ``data:`` URIs; refuses the rest."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file", "data"})
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)  # decoded in memory by urllib
            if scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(url2pathname(parts.path)).resolve()
                if path.is_relative_to(self.root) and path.is_file():
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(),
                                              headers={"Content-Type": kind})
            logger.warning("PDF renderer refused %s", url[:200])
            raise ValueError(f"refused outside static/: {url[:200]}")

    return StaticOnlyFetcher


def static_fetcher(root: Path | None = None):
    """A URL fetcher for WeasyPrint limited to ``root`` (default: the app's static folder)."""
    return _fetcher_class()(root or static_root())


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF of ``html``; relative URLs resolve against ``base_url`` (default: the static
    folder), and only static files and ``data:`` URIs are ever read."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    root = static_root()
    document = HTML(string=html, base_url=base_url or root.as_uri() + "/",
                    url_fetcher=static_fetcher(root))
    return document.write_pdf(font_config=FontConfiguration())
