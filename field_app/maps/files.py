"""Reading boundary files: GeoJSON, and ESRI shapefiles plain or zipped (pyshp).

Every problem is collected with the feature it belongs to and raised together as one
``BoundaryFileError``, so that a bad file is refused whole with every reason at once.
Coordinates must be longitude/latitude on WGS 84 (or CGCS2000, which differs from it by
centimetres): a projected file is refused, whether its .prj or ``crs`` member says so or its
coordinates fall outside the longitude and latitude ranges.
"""
from __future__ import annotations

import dataclasses
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from field_app.core.errors import ValidationFailed

# Geographic CRSs accepted (by name, case-insensitive, in a GeoJSON ``crs`` or a .prj).
GEOGRAPHIC_NAMES = ("crs84", "epsg::4326", "epsg:4326", "epsg::4490", "epsg:4490")
GEOGRAPHIC_DATUMS = ("wgs_1984", "wgs 84", "wgs84", "cgcs2000", "cgcs_2000",
                     "china_2000", "china geodetic coordinate system 2000")
MAX_FEATURES = 5_000  # far more than the divisions of a region's counties
MAX_POINTS = 2_000_000  # the whole of China's counties at full detail is about this


class BoundaryFileError(ValidationFailed):
    """The file cannot be loaded; ``errors`` lists each reason (a lazy string) as a line."""


@dataclasses.dataclass(frozen=True)
class Feature:
    number: int  # 1-based, in the file's order
    properties: dict[str, Any]
    geometry: dict | None

    def describe(self, name_property: str) -> str:
        name = self.properties.get(name_property)
        return _l("第%(n)s个要素", n=self.number) if name in (None, "") else \
            _l("第%(n)s个要素（%(name)s）", n=self.number, name=name)


def _refuse(message) -> BoundaryFileError:
    return BoundaryFileError(message, [message])


def read_features(path: Path | str) -> list[Feature]:
    """The features of a .geojson/.json, .shp (with its .dbf beside it) or .zip file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _refuse(_l("找不到文件 %(name)s", name=path.name))
    if suffix in (".geojson", ".json"):
        return _geojson(path.read_bytes())
    if suffix == ".zip":
        return _zipped_shapefile(path)
    if suffix == ".shp":
        return _shapefile(path.with_suffix(""))
    raise _refuse(_l("不支持的文件类型 %(suffix)s：请用 GeoJSON（.geojson）、shapefile（.shp）"
                     "或打包的 shapefile（.zip）", suffix=suffix or "—"))


# --- GeoJSON ------------------------------------------------------------------------------

def _geojson(data: bytes) -> list[Feature]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(_l("不是有效的 GeoJSON 文件（应为 UTF-8 编码的 JSON）")) from None
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection",
                                                                       "Feature"):
        raise _refuse(_l("GeoJSON 应为要素集合（FeatureCollection）"))
    _check_crs_member(document.get("crs"))
    raw = document.get("features") if document["type"] == "FeatureCollection" else [document]
    if not isinstance(raw, list) or not raw:
        raise _refuse(_l("文件中没有要素"))
    if len(raw) > MAX_FEATURES:
        raise _refuse(_l("要素过多（%(count)s 个，最多 %(max)s 个）", count=len(raw),
                         max=MAX_FEATURES))
    features = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            item = {}
        properties = item.get("properties") if isinstance(item.get("properties"), dict) else {}
        geometry = item.get("geometry") if isinstance(item.get("geometry"), dict) else None
        features.append(Feature(number, properties, geometry))
    return features


def _check_crs_member(crs) -> None:
    """A GeoJSON 2008 ``crs`` member, where present, must name a geographic WGS 84 CRS."""
    if crs is None:
        return
    name = ""
    if isinstance(crs, dict):
        properties = crs.get("properties")
        name = str(properties.get("name", "")) if isinstance(properties, dict) else ""
    if not any(accepted in name.lower() for accepted in GEOGRAPHIC_NAMES):
        raise _refuse(_l("坐标系 %(crs)s 不是经纬度坐标（WGS 84）：请先转换为 EPSG:4326",
                         crs=name or "?"))


# --- shapefiles ---------------------------------------------------------------------------

def _zipped_shapefile(path: Path) -> list[Feature]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(_l("不是有效的 zip 文件")) from None
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        shapes = [n for n in names if n.lower().endswith(".shp")]
        if len(shapes) != 1:
            raise _refuse(_l("zip 文件中应恰有一个 .shp 文件，现有 %(count)s 个",
                             count=len(shapes)))
        stem = shapes[0][:-4]
        members = {n[len(stem):].lower(): n for n in names if n.startswith(stem)}
        if ".dbf" not in members:
            raise _refuse(_l("zip 文件中缺少与 .shp 同名的 .dbf 属性文件"))
        read = {suffix: archive.read(members[suffix])
                for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg") if suffix in members}
    return _shapes(read)


def _shapefile(stem: Path) -> list[Feature]:
    read = {}
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        found = [p for p in (stem.with_suffix(suffix), stem.with_suffix(suffix.upper()))
                 if p.is_file()]
        if found:
            read[suffix] = found[0].read_bytes()
    if ".dbf" not in read:
        raise _refuse(_l("缺少与 .shp 同名的 .dbf 属性文件"))
    return _shapes(read)


def _shapes(read: dict[str, bytes]) -> list[Feature]:
    import shapefile  # pyshp

    if ".prj" in read:
        _check_prj(read[".prj"].decode("latin-1"))
    declared = read.get(".cpg", b"").decode("ascii", "ignore").strip().lower()
    encodings = [declared] if declared else ["utf-8", "gbk"]
    last_error: Exception | None = None
    for encoding in encodings:
        try:
            reader = shapefile.Reader(shp=io.BytesIO(read[".shp"]), dbf=io.BytesIO(read[".dbf"]),
                                      shx=io.BytesIO(read[".shx"]) if ".shx" in read else None,
                                      encoding=encoding)
            with reader:
                if len(reader) > MAX_FEATURES:
                    raise _refuse(_l("要素过多（%(count)s 个，最多 %(max)s 个）",
                                     count=len(reader), max=MAX_FEATURES))
                return [Feature(number, item.record.as_dict(), _shape_geometry(item.shape))
                        for number, item in enumerate(reader.iterShapeRecords(), start=1)]
        except BoundaryFileError:
            raise
        except (UnicodeDecodeError, LookupError) as error:
            last_error = error
        except (shapefile.ShapefileException, ValueError, TypeError, IndexError, OSError,
                AttributeError, KeyError) as error:
            # pyshp raises assorted exceptions on a truncated or corrupt file.
            raise _refuse(_l("shapefile 文件已损坏或不完整")) from error
    raise _refuse(_l("无法识别 .dbf 属性文件的编码：请附上 .cpg 文件（如 UTF-8 或 GBK）")) \
        from last_error


def _shape_geometry(shape) -> dict | None:
    if shape.shapeType == 0:  # a null shape
        return None
    try:
        return dict(shape.__geo_interface__)
    except Exception:  # noqa: BLE001  pyshp refuses shapes it cannot express as GeoJSON
        return {"type": "?"}


def _check_prj(text: str) -> None:
    lowered = text.lower()
    if lowered.lstrip().startswith("projcs") or "projcs[" in lowered:
        raise _refuse(_l("shapefile 使用投影坐标系（.prj 为 PROJCS）：请先转换为经纬度坐标"
                         "（WGS 84，EPSG:4326）"))
    if not any(datum in lowered for datum in GEOGRAPHIC_DATUMS):
        raise _refuse(_l("shapefile 的坐标系不是 WGS 84 或 CGCS2000 经纬度：请先转换为"
                         " EPSG:4326"))


# --- geometry -----------------------------------------------------------------------------

def polygon_wkt(geometry: dict | None) -> tuple[str | None, object | None, int]:
    """``(WKT, None, points)`` of a Polygon or MultiPolygon with coordinates rounded to six
    decimals (about 0.1 m); ``(None, reason, 0)`` when it is not one, or not in
    longitude/latitude."""
    if not isinstance(geometry, dict) or geometry.get("type") is None:
        return None, _l("没有几何图形"), 0
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        return None, _l("几何类型为 %(kind)s，应为面（Polygon 或 MultiPolygon）", kind=kind), 0
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return None, _l("面没有坐标"), 0
    parts, count = [], 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, _l("面没有坐标"), 0
        rings = []
        for ring in polygon:
            points, reason = _ring(ring)
            if reason is not None:
                return None, reason, 0
            count += len(points)
            rings.append("(" + ",".join(f"{x} {y}" for x, y in points) + ")")
        parts.append("(" + ",".join(rings) + ")")
    return "MULTIPOLYGON(" + ",".join(parts) + ")", None, count


def _ring(ring) -> tuple[list[tuple[float, float]], object | None]:
    if not isinstance(ring, list):
        return [], _l("坐标格式错误")
    points = []
    for position in ring:
        if (not isinstance(position, (list, tuple)) or len(position) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           for v in position[:2])):
            return [], _l("坐标格式错误")
        x, y = float(position[0]), float(position[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            return [], _l("坐标格式错误")
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            return [], _l("坐标 (%(x)s, %(y)s) 超出经纬度范围：文件可能使用投影坐标系，"
                          "请先转换为 WGS 84 经纬度（EPSG:4326）", x=x, y=y)
        points.append((round(x, 6), round(y, 6)))
    if len(points) < 4 or points[0] != points[-1]:
        return [], _l("面的边界环未闭合或少于4个点")
    return points, None
