"""Read and check a whole data set before anything is written.

``read_dataset`` parses every file, checks every cell, every row's internal consistency and
every reference (to the data set itself or to the database), and returns the parsed rows
with the complete list of faults. Nothing here writes.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import operator
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from field_app.core.codes import Level, is_ancestor, level_of
from field_app.core.i18n import both
from field_app.exchange.columns import CellError, Column, convert_all, is_memoisable
from field_app.exchange.files import BY_NAME, FILES, FileSpec


@dataclasses.dataclass(frozen=True)
class RowError:
    """One fault: ``line`` counts the header as 1 and the first data row as 2; ``reason``
    is one message in both languages, "中文 / English" (``core.i18n.both``)."""

    file: str
    line: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ParsedFile:
    spec: FileSpec
    rows: list[dict[str, Any]]  # later rows with the same key replace earlier ones
    lines: list[int]


@dataclasses.dataclass
class Dataset:
    files: dict[str, ParsedFile]
    errors: list[RowError]

    def keys(self, filename: str) -> set:
        parsed = self.files.get(filename)
        if parsed is None:
            return set()
        return set(map(operator.itemgetter(*parsed.spec.key), parsed.rows))


NOT_UTF8 = _l("文件不是UTF-8编码，请另存为“CSV UTF-8”格式")


def _decode(path: Path) -> tuple[str | None, RowError | None]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start
    else:
        # UTF-16 without a byte order mark, and some binary files, decode as UTF-8 with a
        # NUL in every other place; no CSV cell holds one.
        start = raw.find(b"\0")
        if start < 0:
            return text, None
    line = raw[:start].count(b"\n") + 1
    return None, RowError(path.name, line, "", "", both(NOT_UTF8))


# --- row rules that look at more than one cell ---------------------------------------

# A row check yields (column, lazy message); a message names columns by their interchange
# names, which a form shows as its labels (``exchange.checks``).
RowCheck = Callable[[dict[str, Any]], Iterable[tuple[str, Any]]]


def before(later: Any, earlier: Any):
    """The message of an ``ordered`` rule, on the server and in the browser."""
    return _l("%(later)s早于%(earlier)s", later=later, earlier=earlier)


def together(first: Any, second: Any):
    """The message of a ``both`` rule, on the server and in the browser."""
    return _l("%(first)s和%(second)s应同时填写", first=first, second=second)


def _ordered(start: str, end: str) -> RowCheck:
    def check(row):
        if row.get(start) is not None and row.get(end) is not None and row[end] < row[start]:
            yield end, before(end, start)

    check.rule = ["ordered", start, end]  # type: ignore[attr-defined]  (see surveys.rules)
    return check


def _employer_required(row):
    if row.get("employment_type") in ("unit", "individual_business") and not row.get(
        "employer_uscc"
    ):
        yield "employer_uscc", _l("单位就业和个体工商户必须填写统一社会信用代码")


def _both_coordinates(row):
    if (row.get("longitude") is None) != (row.get("latitude") is None):
        yield "longitude", together(_l("经度"), _l("纬度"))


_both_coordinates.rule = ["both", "longitude", "latitude"]  # type: ignore[attr-defined]


def _parent_structural(row):
    parent, code = row.get("parent_code"), row.get("code")
    if parent and code and not is_ancestor(parent, code):
        yield "parent_code", _l("上级区划代码与本级代码的层级结构不符")


def _deduction_within_total(row):
    if row.get("deduction") is not None and row.get("employed_total") is not None:
        if row["deduction"] > row["employed_total"]:
            yield "deduction", _l("扣除数大于从业人员总数")


ROW_CHECKS: dict[str, tuple[RowCheck, ...]] = {
    "divisions.csv": (_parent_structural,),
    "households.csv": (_both_coordinates,),
    "transfer_spells.csv": (_ordered("start_date", "end_date"),),
    "trainings.csv": (_ordered("start_date", "end_date"),),
    "employment_registrations.csv": (_ordered("start_date", "end_date"), _employer_required),
    "unemployment_registrations.csv": (_ordered("registered_on", "cancelled_on"),),
    "employment_aid.csv": (_ordered("recognized_on", "exited_on"),),
    "employed_totals.csv": (_deduction_within_total,),
}


def _row_converter(columns: list[Column], memo: dict) -> Callable[[list[str]], dict | None]:
    """A function turning a row's cells into the row, or ``None`` when a required cell is
    empty; a cell that does not convert raises ``CellError``.

    The row-by-row reader's fast path (``_parse_rows``; a clean file is read a column at a
    time, ``_parse_clean``): no fault reporting, and the memoisable converters
    (``columns.memoisable``) run once per distinct text in the whole data set, through
    ``memo``, which lives as long as one ``read_dataset``.
    """
    plan = [
        (col.name, col.convert,
         memo.setdefault(col.convert, {}) if is_memoisable(col.convert) else None,
         col.required, col.default)
        for col in columns
    ]

    def convert_row(cells: list[str]) -> dict | None:
        row: dict[str, Any] = {}
        for (name, convert, cache, required, default), raw in zip(plan, cells):
            value = raw.strip()
            if not value:
                if required:
                    return None
                row[name] = default
            elif cache is None:
                row[name] = convert(value)
            else:
                converted = cache.get(value, _MISSING)
                if converted is _MISSING:
                    converted = cache[value] = convert(value)
                row[name] = converted
        return row

    return convert_row


_MISSING = object()


def _cell_errors(columns: list[Column], cells: list[str], filename: str, line: int,
                 errors: list[RowError]) -> None:
    """Report every bad cell of a row ``_row_converter`` refused."""
    for col, raw in zip(columns, cells):
        value = raw.strip()
        if not value:
            if col.required:
                errors.append(RowError(filename, line, col.name, raw,
                                       both(_l("必填项为空"))))
            continue
        try:
            col.convert(value)
        except CellError as error:
            errors.append(RowError(filename, line, col.name, raw, error.reason))


def parse_file(spec: FileSpec, filename: str, text: str, errors: list[RowError],
               memo: dict | None = None) -> ParsedFile:
    """Parse one file; ``memo`` (see ``_row_converter``) may be shared by the files of a
    data set. A clean file is read a column at a time (``_parse_clean``); any other, row by
    row, with every fault reported (``_parse_rows``)."""
    memo = {} if memo is None else memo
    clean = _parse_clean(spec, filename, text, memo)
    if clean is not None:
        return clean
    reader = csv.reader(io.StringIO(text, newline=""))
    parsed = ParsedFile(spec, [], [])
    try:
        _parse_rows(spec, filename, reader, parsed, errors, memo)
    except csv.Error as error:
        # The file cannot be split into cells past this line (a cell over the csv module's
        # size limit, a stray quote at the end): the rest of it is not read.
        errors.append(RowError(filename, reader.line_num, "", "",
                               both(_l("CSV格式错误，此后内容无法读取（%(error)s）",
                                       error=error))))
    return parsed


class _NotClean(Exception):
    """The file has something ``_parse_rows`` must read row by row to report."""


def _parse_clean(spec: FileSpec, filename: str, text: str, memo: dict) -> ParsedFile | None:
    """The file as ``_parse_rows`` would parse it, made a column at a time, if it is clean:
    a good header, each row on one line with as many cells as the header, every cell
    converted, every row check passed, no natural key twice. Otherwise ``None``, and
    nothing is reported: the caller reads the file again row by row, which finds and
    reports every fault, so a clean file and a faulty one are judged by the same code.

    A row-by-row loop in Python cost 15 of the 17 s that the 2.6 million rows of a million
    persons took to read; here the cells are split, stripped, looked up in the converters'
    memo and made into rows by ``csv``, ``zip``, ``map`` and ``dict``, and a converter
    runs once per distinct text (memoisable ones) or once per cell (others).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        # One column alone: a blank line would read as an empty cell, not as no row.
        if len(header) < 2 or _header_faults(spec, filename, header):
            return None
        absent = [col for col in spec.columns if col.name not in header]
        names = header + [col.name for col in absent]
        converters = [spec.column(name) for name in header]
        rows: list[dict[str, Any]] = []
        # A slice of the file at a time: its cells are let go once its rows are made.
        while body := list(itertools.islice(reader, CLEAN_SLICE)):
            # A blank line is a row of no cells, a short or long row another count.
            if set(map(len, body)) != {len(header)}:
                return None
            columns = [_converted_column(col, cells, memo)
                       for col, cells in zip(converters, zip(*body))]
            columns += [itertools.repeat(col.default, len(body)) for col in absent]
            rows += map(dict, map(zip, itertools.repeat(names), zip(*columns)))
    except (csv.Error, _NotClean):
        return None
    if not rows or reader.line_num != len(rows) + 1:  # a cell over several lines
        return None
    for check in ROW_CHECKS.get(filename, ()):
        for row in rows:
            for _fault in check(row):
                return None
    keys = list(map(operator.itemgetter(*spec.key), rows))
    if len(set(keys)) != len(keys):  # a later row replaces an earlier one
        return None
    return ParsedFile(spec, rows, list(range(2, len(rows) + 2)))


# Rows ``_parse_clean`` splits into columns at a time.
CLEAN_SLICE = 50_000


def _converted_column(column: Column, cells: tuple[str, ...], memo: dict) -> list[Any]:
    """The cells of one column converted as ``_row_converter`` converts them (through the
    converter's ``columns.at_once`` where it has one), or ``_NotClean`` if one does not
    convert or a required one is empty."""
    texts = list(map(str.strip, cells))
    empty = "" in texts
    if empty and column.required:
        raise _NotClean
    convert, default = column.convert, column.default
    try:
        if is_memoisable(convert):
            cache = memo.setdefault(convert, {})
            if not empty:
                try:  # every text seen before (an ID number in a later file): one pass
                    return list(map(cache.__getitem__, texts))
                except KeyError:
                    pass
            new = set(texts).difference(cache)
            new.discard("")
            new_texts = list(new)
            cache.update(zip(new_texts, convert_all(convert, new_texts)))
            if not empty:
                return list(map(cache.__getitem__, texts))
            if default is None:  # every other text is in the cache now, and "" is not
                return list(map(cache.get, texts))
            return [cache[text] if text else default for text in texts]
        if not empty:
            return convert_all(convert, texts)
        values = iter(convert_all(convert, [text for text in texts if text]))
    except CellError:
        raise _NotClean from None
    return [next(values) if text else default for text in texts]


def _header_faults(spec: FileSpec, filename: str, header: list[str]) -> list[RowError]:
    """The faults of a file's header (its names stripped): an unknown column, a column
    twice, a required column missing. Both readers judge the header by this alone."""
    known = set(spec.column_names)
    faults = [RowError(filename, 1, name, name, both(_l("未知列「%(name)s」", name=name)))
              for name in header if name not in known]
    faults += [RowError(filename, 1, name, name, both(_l("列名重复")))
               for name in {n for n in header if header.count(n) > 1}]
    faults += [RowError(filename, 1, col.name, "",
                        both(_l("缺少必填列「%(name)s」", name=col.name)))
               for col in spec.columns if col.required and col.name not in header]
    return faults


def _parse_rows(spec: FileSpec, filename: str, reader, parsed: ParsedFile,
                errors: list[RowError], memo: dict) -> None:
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip() for name in header]
    faults = _header_faults(spec, filename, header)
    if faults:
        errors.extend(faults)
        return

    converters = [spec.column(name) for name in header]
    absent = [(col.name, col.default) for col in spec.columns if col.name not in header]
    checks = ROW_CHECKS.get(filename, ())
    convert_row = _row_converter(converters, memo)
    key_of = operator.itemgetter(*spec.key)  # a row's natural key (alone, or a tuple)
    by_key: dict[Any, int] = {}
    for cells in reader:
        line = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) != len(header):
            errors.append(RowError(
                filename, line, "", ",".join(cells),
                both(_l("列数为%(cells)s，表头为%(header)s列", cells=len(cells),
                        header=len(header)))))
            continue
        try:
            row = convert_row(cells)
        except CellError:
            row = None
        if row is None:
            _cell_errors(converters, cells, filename, line, errors)
            continue
        for name, default in absent:
            row[name] = default
        ok = True
        for check in checks:
            for column, message in check(row):
                errors.append(RowError(filename, line, column, str(row.get(column) or ""),
                                       both(message)))
                ok = False
        if not ok:
            continue
        key = key_of(row)
        if key in by_key:  # a later row with the same natural key replaces the earlier one
            index = by_key[key]
            parsed.rows[index], parsed.lines[index] = row, line
        else:
            by_key[key] = len(parsed.rows)
            parsed.rows.append(row)
            parsed.lines.append(line)


def read_dataset(directory: Path, existing_keys: Callable[[str, set], set],
                 on_file: Callable[[str], None] | None = None) -> Dataset:
    """Parse and check the data set in ``directory``.

    ``existing_keys(filename, keys)`` answers which of ``keys`` the database already holds
    for that file, so references may point at records imported earlier. ``on_file(name)``
    is told of each file read (the importer's progress).
    """
    errors: list[RowError] = []
    files: dict[str, ParsedFile] = {}
    memo: dict = {}  # converted cells shared by the files: an ID number recurs in several
    if not dataset_directory(directory, errors):
        return Dataset(files, errors)
    for spec in FILES:
        parsed = read_file(directory, spec, errors, memo)
        if parsed is None:
            continue
        files[spec.filename] = parsed
        if on_file is not None:
            on_file(spec.filename)
    dataset = Dataset(files, errors)
    check_references(dataset, existing_keys)
    check_village_levels(dataset)
    return dataset


def dataset_directory(directory: Path, errors: list[RowError]) -> bool:
    """Whether ``directory`` exists; the faults of a missing one and of every file in it
    that is not a data-set file are added to ``errors``."""
    if not directory.is_dir():
        errors.append(RowError(str(directory), 0, "", "",
                               both(_l("数据集目录不存在"))))
        return False
    for path in sorted(directory.glob("*.csv")):
        if path.name not in BY_NAME:
            errors.append(RowError(path.name, 1, "", path.name,
                                   both(_l("未知文件"))))
    return True


def read_file(directory: Path, spec: FileSpec, errors: list[RowError],
              memo: dict) -> ParsedFile | None:
    """``spec``'s file in ``directory``, parsed (``parse_file``), or ``None`` when the data
    set leaves it out or it is not UTF-8 (a fault in ``errors``)."""
    path = directory / spec.filename
    if not path.is_file():
        return None
    text, error = _decode(path)
    if error:
        errors.append(error)
        return None
    return parse_file(spec, spec.filename, text, errors, memo)


def check_references(dataset: Dataset, existing_keys, only: Iterable[str] | None = None,
                     known: dict[str, set] | None = None) -> None:
    """Every row whose reference (``FileSpec.references``) is neither in the data set nor
    in the database (``existing_keys``) is a fault, and is dropped from its file.

    ``only`` names the files to check (default: all); ``known`` (the keys found so far, by
    file referred to) is kept by a caller that checks file by file. A file refers only to
    itself and to files before it in ``FILES``, so checked file by file in that order, as
    each is read, with one ``known``, the faults are those of one check of them all.
    """
    known = {} if known is None else known
    names = set(dataset.files) if only is None else set(only)
    for parsed in dataset.files.values():
        if parsed.spec.filename not in names:
            continue
        for ref in parsed.spec.references:
            wanted = set(map(operator.methodcaller("get", ref.column), parsed.rows))
            wanted.discard(None)
            if ref.target not in known:
                known[ref.target] = dataset.keys(ref.target)
            missing = wanted - known[ref.target]
            if missing:
                found = existing_keys(ref.target, missing)
                known[ref.target] |= found
                missing -= found
            if not missing:  # every row refers to a known record: all are kept
                continue
            target_keys = known[ref.target]
            keep_rows, keep_lines = [], []
            for row, line in zip(parsed.rows, parsed.lines):
                value = row.get(ref.column)
                if value is not None and value not in target_keys:
                    dataset.errors.append(RowError(
                        parsed.spec.filename, line, ref.column, str(value),
                        both(ref.message)))
                else:
                    keep_rows.append(row)
                    keep_lines.append(line)
            parsed.rows, parsed.lines = keep_rows, keep_lines


def check_village_levels(dataset: Dataset) -> None:
    households = dataset.files.get("households.csv")
    if households is None:
        return
    for row, line in zip(households.rows, households.lines):
        if level_of(row["village_code"]) != Level.VILLAGE:
            dataset.errors.append(RowError(
                "households.csv", line, "village_code", row["village_code"],
                both(_l("户必须属于嘎查村级区划"))))
