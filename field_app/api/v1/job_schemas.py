"""Shapes of the API v1's background jobs: the data-set upload that starts one, and the job
as a client polls it. Shape only: the upload's content is checked by the job's own rules."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import fields
from werkzeug.datastructures import FileStorage

from field_app.api.v1.schemas import Moment


class ZipUpload(Upload):
    """A file part of a multipart body (a text part of the same name is not a file)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ma.ValidationError(_("应为上传的文件"))
        return value


class DatasetUploadIn(ma.Schema):
    archive = ZipUpload(required=True, metadata={
        "description": "数据集：按数据交换格式的各 CSV 文件打包成的一个 ZIP"})


class JobProgress(ma.Schema):
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    percent = fields.Integer(required=True)


class JobLinks(ma.Schema):
    self = fields.String(required=True, metadata={"description": "本任务（轮询此地址）"})
    page = fields.String(required=True, metadata={"description": "任务页面（网页登录后查看）"})


class JobOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "任务类型，如 dataset_import"})
    state = fields.String(required=True, metadata={
        "enum": ["queued", "running", "succeeded", "failed"],
        "description": "queued 排队中；running 进行中；succeeded 已完成；failed 失败（未写入任何数据）"})
    finished = fields.Boolean(required=True)
    progress = fields.Nested(JobProgress, required=True)
    progress_done = fields.Integer(required=True)
    progress_total = fields.Integer(required=True)
    message = fields.String(allow_none=True, required=True,
                            metadata={"description": "失败的原因，中文与英文两种说法"})
    result = fields.Raw(allow_none=True, required=True, metadata={
        "description": "完成时：各文件的 counts（inserted、updated、unchanged）；"
                       "失败时：error_count 和 errors（file、line、column、value、reason，"
                       "身份证号、电话脱敏）"})
    created_at = Moment(required=True)
    started_at = Moment(allow_none=True, required=True)
    finished_at = Moment(allow_none=True, required=True)
    links = fields.Nested(JobLinks, required=True)
