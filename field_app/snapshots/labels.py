"""How the snapshot register is shown."""
from __future__ import annotations


def size_text(size: int) -> str:
    """Bytes in binary units, one decimal: ``1.5 GiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"
