"""The channel upload form: one CSV or XLSX file. Its cells are read by the job
(``sheets.read_upload``); the form refuses at once what cannot be a channel file."""
from __future__ import annotations

from pathlib import PurePosixPath

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField
from wtforms.validators import ValidationError

from field_app.core.forms import SafeForm
from field_app.core.text import find_unsafe

FORMATS = ("csv", "xlsx")
NAME_MAX = 200


class ChannelUploadForm(SafeForm):
    sheet = FileField(_l("数据文件（CSV或XLSX）"),
                      validators=[FileRequired(message=_l("请选择文件"))])
    upload = SubmitField(_l("上传并导入"))

    def validate_sheet(self, field) -> None:
        name = PurePosixPath((field.data.filename or "").replace("\\", "/")).name.strip()
        if PurePosixPath(name).suffix.lower().lstrip(".") not in FORMATS:
            raise ValidationError(_l("只能上传CSV或XLSX文件（扩展名.csv或.xlsx）"))
        if len(name) > NAME_MAX or find_unsafe(name, single_line=True) is not None:
            raise ValidationError(_l("文件名过长或含有不允许的字符，请改名后上传"))
        self.data_bytes = field.data.read()
        if not self.data_bytes:
            raise ValidationError(_l("文件是空的"))
        self.filename = name
