"""What the commands print. The command line shows Chinese and English together: each message
is one lazy msgid rendered in both (``core.i18n.both``); column heads and short words carry
the context "cli", so they are translated apart from the same words on the pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from field_app.core.i18n import both


def word(message) -> str:
    """A column head or a short word: "文件 file"."""
    return both(message, sep=" ")


def unknown_division(code: str) -> str:
    return both(_l("区划代码 %(code)s 不存在", code=code))


def counts_table(counts: dict) -> list[str]:
    """The per-file table an import prints: inserted, updated and unchanged rows."""
    file, inserted = word(lazy_pgettext("cli", "文件")), word(lazy_pgettext("cli", "新增"))
    updated, unchanged = word(lazy_pgettext("cli", "更新")), word(lazy_pgettext("cli", "未变"))
    lines = [f"{file:<34}{inserted:>14}{updated:>14}{unchanged:>16}"]
    lines += [f"{name:<34}{c.inserted:>14}{c.updated:>14}{c.unchanged:>16}"
              for name, c in counts.items()]
    return lines


def faults(errors: list) -> list[str]:
    """The importer's faults, one a line: file:line [column] 'value': 中文 / English."""
    return [f"{e.file}:{e.line} [{e.column}] {e.value!r}: {e.reason}" for e in errors]
