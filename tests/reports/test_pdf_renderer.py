"""The one PDF entry point reads only static files and data: URIs, never the server's other
files or the network."""
from __future__ import annotations

import base64
import logging

import pytest

from field_app.reports.pdf import render_pdf, static_fetcher, static_root
from tests.reports.conftest import pdf_text

PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


def test_fetcher_serves_static_files_and_data_uris(app_ctx):
    fetcher = static_fetcher()
    css = fetcher.fetch((static_root() / "reports" / "print.css").as_uri())
    assert b"@font-face" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///etc/hostname",
    "http://127.0.0.1:9/secret.css",
    "https://example.com/font.woff2",
    "ftp://example.com/x",
    "file://otherhost/etc/passwd",
])
def test_fetcher_refuses_anything_else(app_ctx, url):
    with pytest.raises(ValueError):
        static_fetcher().fetch(url)


def test_fetcher_refuses_a_path_that_climbs_out_of_static(app_ctx):
    climbing = static_root().as_uri() + "/../pyproject.toml"
    with pytest.raises(ValueError):
        static_fetcher().fetch(climbing)
    with pytest.raises(ValueError):
        static_fetcher().fetch(static_root().as_uri() + "/%2e%2e/pyproject.toml")


def test_render_pdf_leaves_out_refused_resources(app_ctx, caplog):
    html = ('<html><head><link rel="stylesheet" href="reports/print.css">'
            '<link rel="stylesheet" href="file:///etc/passwd"></head><body>'
            '<p>核验 ok</p><img src="http://127.0.0.1:9/x.png">'
            f'<img src="data:image/png;base64,{PIXEL}"></body></html>')
    with caplog.at_level(logging.WARNING):
        pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert "核验 ok" in pdf_text(pdf)
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("/etc/passwd" in m for m in refused)
    assert any("127.0.0.1:9" in m for m in refused)


def test_rare_name_characters_print_through_the_system_cjk_font(app_ctx):
    """Characters beyond the shipped subset (龘 in GBK, 𠮷 in Extension B) come from the
    system's Noto Sans CJK SC, which scripts/install-system-packages installs; embedded."""
    from tests.reports.conftest import pdf_fonts

    pdf = render_pdf('<html><head><link rel="stylesheet" href="reports/print.css"></head>'
                     '<body><p>张龘 王𠮷</p></body></html>')
    assert "张龘 王𠮷" in pdf_text(pdf)
    fonts = {f["name"].split("+", 1)[1]: f for f in pdf_fonts(pdf)}
    assert "Noto-Sans-CJK-SC" in fonts, ("fonts-noto-cjk missing?", fonts)
    assert all(f["emb"] == "yes" for f in fonts.values())
