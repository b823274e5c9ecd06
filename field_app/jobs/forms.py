"""The data-set upload form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField
from wtforms.validators import ValidationError

from field_app.core.forms import SafeForm
from field_app.jobs.datasets import archive_fault


class DatasetUploadForm(SafeForm):
    archive = FileField(_l("数据集（CSV文件打包的ZIP）"),
                        validators=[FileRequired(message=_l("请选择文件"))])
    upload = SubmitField(_l("上传并导入"))

    def validate_archive(self, field) -> None:
        self.data_bytes = field.data.read() if field.data else b""
        fault = archive_fault(self.data_bytes)
        if fault is not None:
            raise ValidationError(fault)
