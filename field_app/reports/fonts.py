"""Builds the CJK font shipped in ``static/fonts/`` for the PDF reports.

The reports must embed a Chinese font whatever the machine has installed, so the project
ships the Simplified Chinese face of Noto Sans CJK (SIL OFL 1.1, no reserved font name),
cut down to what official forms and rosters print: GB 2312 (every hanzi of it), Latin,
punctuation and form symbols, plus name characters that GB 2312 lacks. A rarer character
still prints when the system's ``Noto Sans CJK SC`` is installed (the setup script
installs it): the stylesheet names it as the fallback family.

The output is committed; run this only to rebuild it (about two minutes a weight)::

    python -m field_app.reports.fonts /usr/share/fonts/opentype/noto static/fonts
"""
from __future__ import annotations

import sys
from pathlib import Path

# Blocks kept whole: Latin, general punctuation, letterlike symbols, number forms, arrows,
# mathematical operators, enclosed numbers, box drawing, shapes, dingbats (✓), CJK
# punctuation, enclosed CJK, CJK compatibility units (㎡), fullwidth forms.
RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF),
          (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x27BF),
          (0x3000, 0x303F), (0x3200, 0x33FF), (0xFF00, 0xFFEF)]
# Characters of personal names outside GB 2312 (通用规范汉字表 additions seen on IDs).
NAME_CHARACTERS = (
    "堃玥喆昇珺琇赟犇彧祎瑄晞璟韡镕浛昀旻曌珏玙玹琬瑀瑭璠頔垚赑嬿婳槿濛燊翀翯昶珅珩琤琮琨"
    "瑢璘瓅甯皛睿婞嫚媞娴姮旸昉晗晔暐曦炅炘烜焜煊熠燚璨玟玳珈珞珣琭瑒瑗瑱璆璞瓒镠钖铖锴锟"
)
# Debian's fonts-noto-cjk collection: face 2 is Simplified Chinese (face 0 is Japanese).
SC_FACE = 2
WEIGHTS = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}


def characters() -> set[int]:
    """Code points to keep: the ranges, every GB 2312 character and the name additions."""
    points = {cp for low, high in RANGES for cp in range(low, high + 1)}
    for cp in range(0x80, 0x10000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        points.add(cp)
    return points | {ord(ch) for ch in NAME_CHARACTERS}


def build(source_dir: Path, target_dir: Path) -> list[Path]:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    written = []
    for weight, filename in WEIGHTS.items():
        font = TTCollection(source_dir / filename).fonts[SC_FACE]
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.flavor = "woff2"
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters())
        subsetter.subset(font)
        target = target_dir / f"NotoSansSC-Subset-{weight}.woff2"
        font.flavor = "woff2"
        font.save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]), Path(sys.argv[2])):
        print(path, path.stat().st_size)
