"""Versioned static URLs: ``url_for('static', ...)`` gains ``?v=<content hash>``, so the
browser and the survey's service worker may keep a file for a year and still get a changed
file at once. Written here (a dozen lines) rather than adding Flask-Assets, whose bundling
the project does not need."""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, request

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _version(path: str, mtime: float) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def file_version(path: str) -> str | None:
    """A short hash of the file's content (recomputed when it changes), or None."""
    try:
        return _version(path, os.path.getmtime(path))
    except OSError:
        return None


def version_of(app: Flask, filename: str) -> str | None:
    return file_version(os.path.join(app.static_folder, filename))


def init_app(app: Flask) -> None:
    """Call after Flask-Compress's ``init_app``."""
    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = version_of(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned(response):
        """Registered after Flask-Compress, so it runs before it (Flask runs these hooks in
        reverse): a static file is read into memory here, then compressed whole. Streamed,
        the compressor would leave the file open."""
        if request.endpoint != "static" or response.status_code != 200:
            return response
        if response.direct_passthrough:
            stream = response.response
            try:
                body = b"".join(stream)
            finally:
                getattr(stream, "close", lambda: None)()
            response.direct_passthrough = False
            response.set_data(body)
        if request.args.get("v"):
            response.cache_control.no_cache = None  # send_file's; this URL never changes
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
