"""Loading division boundaries: GeoJSON and shapefiles matched by code or name, simplified,
idempotent and audited; a bad file is refused whole with a Chinese reason per feature."""
from __future__ import annotations

import zipfile

import pytest
import shapefile
from sqlalchemy import func, select

from field_app.audit.models import AuditEvent
from field_app.divisions.models import Division
from field_app.extensions import db
from field_app.maps.files import BoundaryFileError
from field_app.maps.operations import division_code, load_boundaries
from tests.maps.helpers import (ARXAN, BOW_TIE, ULANHOT, counties_file, feature, polygon,
                                square, stored, write_geojson)

WGS84_PRJ = ('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,'
             '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
MERCATOR_PRJ = ('PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",'
                'DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]],'
                'PROJECTION["Mercator_Auxiliary_Sphere"],UNIT["Meter",1.0]]')


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "boundaries_loaded").order_by(AuditEvent.id)))


def test_adcodes_are_padded_to_division_codes():
    assert division_code(152201) == "152201000000"
    assert division_code("152201100") == "152201100000"
    assert division_code("152201100201") == "152201100201"
    assert division_code("152201.0") == "152201000000"
    assert division_code("15220") is None and division_code("abc") is None
    assert division_code(None) is None


def test_geojson_boundaries_are_stored_as_multipolygons_in_wgs84(make, tmp_path):
    result = load_boundaries(db.session, counties_file(tmp_path))
    assert result.changed == ["152201000000", "152202000000"] and result.unchanged == []
    rows = db.session.execute(
        select(Division.code, func.ST_SRID(Division.boundary),
               func.ST_GeometryType(Division.boundary))
        .where(Division.boundary.is_not(None)).order_by(Division.code)).all()
    assert [(code, srid) for code, srid, _ in rows] == [("152201000000", 4326),
                                                        ("152202000000", 4326)]
    assert all("MULTIPOLYGON" in kind.upper() for _, _, kind in rows)
    # The square around Ulanhot contains a point inside it and not Arxan's corner.
    inside = db.session.scalar(select(func.ST_Contains(
        Division.boundary, func.ST_GeomFromText("POINT(122.25 46.25)", 4326)))
        .where(Division.code == "152201000000"))
    assert inside in (1, True)
    assert stored()["152200000000"] is None


def test_features_without_a_code_match_by_name(make, tmp_path):
    path = write_geojson(tmp_path / "named.geojson", feature(ULANHOT, NAME="乌兰浩特市"))
    result = load_boundaries(db.session, path, code_property="CODE", name_property="NAME")
    assert result.changed == ["152201000000"]


def test_loading_the_same_file_again_changes_and_logs_nothing(make, tmp_path):
    path = counties_file(tmp_path)
    load_boundaries(db.session, path)
    before = stored()
    assert len(_events()) == 1
    again = load_boundaries(db.session, path)
    assert again.changed == [] and again.unchanged == ["152201000000", "152202000000"]
    assert stored() == before
    assert len(_events()) == 1


def test_a_load_is_audited_with_the_divisions_it_changed(make, tmp_path):
    load_boundaries(db.session, counties_file(tmp_path))
    event = _events()[0]
    assert event.after["divisions"] == ["152201000000", "152202000000"]
    assert event.after["file"] == "counties.geojson"
    assert event.division_code == "152200000000"  # the parent both counties share


def test_a_changed_boundary_replaces_the_old_one(make, tmp_path):
    load_boundaries(db.session, counties_file(tmp_path))
    moved = write_geojson(tmp_path / "moved.geojson",
                          feature(polygon(square(122.5, 46.0)), adcode=152201))
    result = load_boundaries(db.session, moved)
    assert result.changed == ["152201000000"]
    assert "122.5 46" in stored()["152201000000"].replace(", ", ",")


def test_boundaries_are_simplified_to_the_tolerance(make, tmp_path):
    dense = polygon(square(122.0, 46.0, size=0.5, points_per_side=250))  # 1,001 points
    path = write_geojson(tmp_path / "dense.geojson", feature(dense, adcode=152201))
    load_boundaries(db.session, path, tolerance=0.002)
    points = db.session.scalar(select(func.ST_NPoints(Division.boundary))
                               .where(Division.code == "152201000000"))
    assert points == 5  # the four corners, closed


def test_zero_tolerance_keeps_every_point(make, tmp_path):
    ring = [[122.0, 46.0], [122.3, 46.05], [122.5, 46.0], [122.5, 46.5], [122.0, 46.5],
            [122.0, 46.0]]
    path = write_geojson(tmp_path / "exact.geojson", feature(polygon(ring), adcode=152201))
    load_boundaries(db.session, path, tolerance=0)
    assert db.session.scalar(select(func.ST_NPoints(Division.boundary))
                             .where(Division.code == "152201000000")) == 6


def _write_shapefile(stem, prj: str | None = WGS84_PRJ, encoding: str = "utf-8"):
    # Our own file objects: pyshp 3's Writer leaves a .dbf it opened itself unclosed.
    with open(stem.with_suffix(".shp"), "wb") as shp, open(stem.with_suffix(".shx"), "wb") as shx, \
            open(stem.with_suffix(".dbf"), "wb") as dbf:
        writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON,
                                  encoding=encoding)
        writer.field("adcode", "C", size=6)
        writer.field("name", "C", size=40)
        writer.poly(ULANHOT["coordinates"])
        writer.record("152201", "乌兰浩特市")
        writer.poly(ARXAN["coordinates"])
        writer.record("152202", "阿尔山市")
        writer.close()
    if prj is not None:
        stem.with_suffix(".prj").write_text(prj)
    return stem.with_suffix(".shp")


def test_a_shapefile_is_loaded_with_its_dbf_beside_it(make, tmp_path):
    result = load_boundaries(db.session, _write_shapefile(tmp_path / "counties"))
    assert result.changed == ["152201000000", "152202000000"]


def test_a_zipped_shapefile_loads_the_same_boundaries_as_the_geojson(make, tmp_path):
    shp = _write_shapefile(tmp_path / "gbk", encoding="gbk")
    shp.with_suffix(".cpg").write_text("GBK")
    archive = tmp_path / "counties.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            zipped.write(shp.with_suffix(suffix), f"data/counties{suffix}")
    assert load_boundaries(db.session, archive).changed == ["152201000000", "152202000000"]
    from_zip = stored()
    # The same outlines from GeoJSON change nothing.
    assert load_boundaries(db.session, counties_file(tmp_path)).changed == []
    assert stored() == from_zip


def _refused(make, path, **options) -> BoundaryFileError:
    before = stored()
    with pytest.raises(BoundaryFileError) as caught:
        load_boundaries(db.session, path, **options)
    assert stored() == before  # nothing written, not even the good features
    assert _events() == []
    return caught.value


def test_an_unmatched_feature_refuses_the_whole_file(make, tmp_path):
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201, name="乌兰浩特市"),
                         feature(ARXAN, adcode=152299, name="不存在旗"))
    error = _refused(make, path)
    assert "未载入任何边界" in str(error.message)
    assert error.errors == ["第2个要素（不存在旗）：没有对应的区划（代码 152299000000）"]


def test_unmatched_features_may_be_skipped(make, tmp_path):
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201),
                         feature(ARXAN, adcode=152299, name="不存在旗"))
    result = load_boundaries(db.session, path, skip_unmatched=True)
    assert result.changed == ["152201000000"] and result.skipped == ["第2个要素（不存在旗）"]


def test_an_invalid_geometry_is_refused_with_its_feature_named(make, tmp_path):
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201),
                         feature(BOW_TIE, adcode=152202, name="阿尔山市"))
    error = _refused(make, path)
    assert error.errors == ["第2个要素（阿尔山市）：几何图形无效（边界自相交或环重叠）"]


@pytest.mark.parametrize(("geometry", "reason"), [
    ({"type": "Point", "coordinates": [122, 46]}, "几何类型为 Point，应为面"),
    (polygon([[122, 46], [122.5, 46], [122.5, 46.5], [122, 46.5]]), "未闭合"),
    (None, "没有几何图形"),
    (polygon([[500000, 5000000], [600000, 5000000], [600000, 5100000], [500000, 5000000]]),
     "超出经纬度范围"),
    (polygon([[122, 46], ["x", 46], [122.5, 46.5], [122, 46]]), "坐标格式错误"),
])
def test_a_feature_that_is_not_a_lonlat_polygon_is_refused(make, tmp_path, geometry, reason):
    path = write_geojson(tmp_path / "b.geojson", feature(geometry, adcode=152201))
    error = _refused(make, path)
    assert len(error.errors) == 1 and reason in error.errors[0], error.errors


def test_a_projected_crs_is_refused(make, tmp_path):
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201),
                         crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}})
    assert "不是经纬度坐标" in _refused(make, path).errors[0]
    shp = _write_shapefile(tmp_path / "mercator", prj=MERCATOR_PRJ)
    assert "投影坐标系" in _refused(make, shp).errors[0]


def test_a_crs84_member_is_accepted(make, tmp_path):
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201),
                         crs={"type": "name",
                              "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    assert load_boundaries(db.session, path).changed == ["152201000000"]


def test_two_features_for_one_division_are_refused(make, tmp_path):
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201),
                         feature(ARXAN, name="乌兰浩特市"))
    assert "已由第1个要素匹配" in _refused(make, path).errors[0]


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("b.geojson", b"{not json", "不是有效的 GeoJSON"),
    ("b.geojson", b'{"type": "Polygon", "coordinates": []}', "要素集合"),
    ("b.geojson", b'{"type": "FeatureCollection", "features": []}', "没有要素"),
    ("b.zip", b"PK not a zip", "不是有效的 zip"),
    ("b.shp", b"\x00" * 10, "缺少与 .shp 同名的 .dbf"),
    ("b.kml", b"<kml/>", "不支持的文件类型 .kml"),
])
def test_an_unreadable_file_is_refused_with_a_chinese_reason(make, tmp_path, name, content,
                                                             reason):
    path = tmp_path / name
    path.write_bytes(content)
    assert reason in str(_refused(make, path).message)


def test_a_corrupt_shapefile_is_refused(make, tmp_path):
    shp = _write_shapefile(tmp_path / "broken")
    shp.write_bytes(shp.read_bytes()[:120])
    assert "损坏" in str(_refused(make, shp).message)


def test_the_command_loads_a_file_and_commits(app, runner, tmp_path):
    from tests.factories import Factory

    with app.app_context():
        Factory(db.session).tree()
        db.session.commit()
    path = counties_file(tmp_path)
    result = runner.invoke(args=["divisions", "boundaries", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "更新 2 个区划" in result.output
    again = runner.invoke(args=["divisions", "boundaries", "load", str(path)])
    assert "更新 0 个区划，2 个未变" in again.output
    with app.app_context():
        assert stored()["152202000000"] is not None


def test_the_command_refuses_a_bad_file_and_writes_nothing(app, runner, tmp_path):
    from tests.factories import Factory

    with app.app_context():
        Factory(db.session).tree()
        db.session.commit()
    path = write_geojson(tmp_path / "b.geojson", feature(ULANHOT, adcode=152201),
                         feature(BOW_TIE, adcode=152202, name="阿尔山市"))
    result = runner.invoke(args=["divisions", "boundaries", "load", str(path)])
    assert result.exit_code == 1
    assert "几何图形无效" in result.output and "未载入任何边界" in result.output
    with app.app_context():
        assert set(stored().values()) == {None}


def test_the_demo_boundaries_are_valid_and_match_the_league_and_its_counties(make):
    from pathlib import Path

    import field_app.demo

    path = Path(field_app.demo.__file__).parent / "boundaries.geojson"
    result = load_boundaries(db.session, path, skip_unmatched=True)
    assert result.changed == ["152200000000", "152201000000", "152202000000"]
    assert len(result.skipped) == 15  # eleven other leagues, four other counties
    # Ulanhot's centre lies in Ulanhot, and Arxan's outline does not reach it.
    point = func.ST_GeomFromText("POINT(122.08 46.07)", 4326)
    inside = dict(db.session.execute(select(Division.code, func.ST_Contains(
        Division.boundary, point)).where(Division.boundary.is_not(None))).all())
    assert {code: bool(value) for code, value in inside.items()} == {
        "152200000000": True, "152201000000": True, "152202000000": False}


def test_a_file_with_too_many_points_is_refused(make, tmp_path, monkeypatch):
    monkeypatch.setattr("field_app.maps.operations.MAX_POINTS", 9)
    assert "坐标点过多（10 个，最多 9 个）" in _refused(make, counties_file(tmp_path)).errors[0]
