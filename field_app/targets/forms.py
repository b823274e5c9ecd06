"""Target and reported-figure forms: one text field per division or indicator (numbers are
judged by ``operations.parse_figure``), and the upload."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from field_app.core.forms import SafeForm


class GridForm(SafeForm):
    """Fields named by division code or indicator key, added by ``grid_form``."""

    def cells(self) -> dict[str, str | None]:
        return {name: self[name].data for name in self.cell_names}

    cell_names: tuple[str, ...] = ()


def grid_form(cells: Iterable[tuple[str, object]], *, with_note: bool = False,
              **data) -> GridForm:
    """A form with one optional text field per ``(name, label)``, and a note field if asked.
    ``data``: the current values shown before a submission."""
    cells = list(cells)
    attributes = {name: StringField(label, validators=[Optional(), Length(max=20)])
                  for name, label in cells}
    attributes["cell_names"] = tuple(name for name, _ in cells)
    if with_note:
        attributes["note"] = StringField(_l("说明（可选）"), validators=[Optional(),
                                                                    Length(max=200)])
    form_class = type("TargetGridForm", (GridForm,), attributes)
    return form_class(data=data)


class UploadForm(SafeForm):
    file = FileField(_l("填好的模板（XLSX）"), validators=[FileRequired(message=_l("请选择文件"))])
