"""The maps: the choropleth's figures are the grouped engine's, the coverage map's points
carry each household's survey state, and the pages answer only inside the jurisdiction."""
from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from geoalchemy2 import WKTElement
from sqlalchemy import select

from field_app.accounts.roles import Role
from field_app.core.clock import clock
from field_app.extensions import db
from field_app.indicators import compute_indicators
from field_app.maps import queries
from field_app.maps.operations import load_boundaries
from field_app.review.models import HouseholdSurvey
from field_app.review.states import SurveyStatus
from tests.maps.helpers import counties_file

A, B = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
LEAGUE, ULANHOT, ARXAN = "152200000000", "152201000000", "152202000000"
TOWN, GACHA, OTHER_VILLAGE = "152201100000", "152201100201", "152202100201"


def _map_image(body: str) -> str:
    """The SVG of the page's map: an <img> with a data: URL, which the pages' CSP allows."""
    found = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', body)
    assert found, body[:500]
    return base64.b64decode(found.group(1)).decode("utf-8")


@pytest.fixture
def bounded(make, tmp_path):
    load_boundaries(db.session, counties_file(tmp_path))
    return make


def _transfers(make, village: str, count: int) -> None:
    for _ in range(count):
        person = make.rural_person(village=village)
        make.spell(person, dt.date(2024, 3, 1))


def test_the_choropleth_shows_each_childs_figure_from_the_engine(bounded):
    _transfers(bounded, GACHA, 3)
    _transfers(bounded, OTHER_VILLAGE, 1)
    children = queries.children_figure(LEAGUE, "rural_transfer", A, B)
    values = {child.code: value for child, _geometry, value in children}
    assert values == {ULANHOT: 3, ARXAN: 1}
    for code, value in values.items():
        assert compute_indicators(db.session.connection(), code, A, B)["rural_transfer"] == value
    svg = queries.figure_map_svg(LEAGUE, "rural_transfer", A, B)
    assert svg.startswith("<svg") and "乌兰浩特市" in svg and "阿尔山市" in svg
    assert "<title>兴安盟 农村牧区劳动力转移就业人数（2024年）</title>" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts[texts.index("乌兰浩特市") + 1] == "3"  # each area's label: name, value
    assert texts[texts.index("阿尔山市") + 1] == "1"


def test_every_figure_is_drawn_including_the_rate(bounded):
    for figure in ("registered_unemployment_rate", "urban_new_employment", "employed_total"):
        assert queries.figure_map_svg(LEAGUE, figure, A, B).startswith("<svg")


def test_there_is_no_map_without_a_childs_boundary(make):
    assert queries.figure_map_svg(LEAGUE, "rural_transfer", A, B) is None
    assert queries.figure_map_svg("152299000000", "rural_transfer", A, B) is None


def test_an_unknown_figure_is_a_value_error(bounded):
    with pytest.raises(ValueError):
        queries.figure_map_svg(LEAGUE, "nonsense", A, B)


def _located(make, village: str, lon: float, lat: float):
    household = make.household(village)
    household.location = WKTElement(f"POINT({lon} {lat})", srid=4326)
    return household


def _status(household, status: SurveyStatus, reviewer) -> None:
    survey = db.session.scalar(select(HouseholdSurvey).where(
        HouseholdSurvey.household_id == household.id))
    survey.status = status
    if status != SurveyStatus.ENTERED:
        survey.submitted_at, survey.submitted_by_id = clock.now(), reviewer.id
    if status in (SurveyStatus.APPROVED, SurveyStatus.RETURNED):
        survey.reviewed_at, survey.reviewed_by_id = clock.now(), reviewer.id
    db.session.flush()


@pytest.fixture
def surveyed(make):
    """Five households of the gacha in a round: approved, entered, returned, untouched,
    and one without a GPS point; a sixth came after the round opened (no status row)."""
    located = [_located(make, GACHA, 122.0 + i / 100, 46.0 + i / 100) for i in range(4)]
    unlocated = make.household(GACHA)
    round_ = make.survey_round(ULANHOT)
    reviewer = make.user(Role.TOWNSHIP_REVIEWER, TOWN)
    _status(located[0], SurveyStatus.APPROVED, reviewer)
    _status(located[1], SurveyStatus.ENTERED, reviewer)
    _status(located[2], SurveyStatus.RETURNED, reviewer)
    late = _located(make, GACHA, 122.1, 46.1)
    _located(make, OTHER_VILLAGE, 120.1, 47.1)  # another county: never on this map
    return round_, located, unlocated, late


def test_coverage_points_carry_each_households_survey_state(surveyed):
    round_, *_ = surveyed
    found = queries.coverage(GACHA, round_.id)
    assert sorted(found.points) == [(122.0, 46.0, "surveyed"), (122.01, 46.01, "surveyed"),
                                    (122.02, 46.02, "returned"),
                                    (122.03, 46.03, "not_surveyed"),
                                    (122.1, 46.1, "not_surveyed")]
    assert found.counts == {"surveyed": 2, "not_surveyed": 3, "returned": 1}
    assert found.unlocated == 1 and found.households == 6
    # The township sees the same households: its only village.
    assert queries.coverage(TOWN, round_.id) == found


def test_the_coverage_map_draws_its_legend_with_counts(surveyed):
    round_, *_ = surveyed
    svg = queries.coverage_map_svg(GACHA, round_.id)
    assert "已调查 2" in svg and "未调查 2" in svg and "已退回 1" in svg  # located only
    assert queries.coverage_map_svg(ARXAN[:6] + "100201", round_.id) is None  # not its county


def test_a_league_statistician_sees_the_league_map_and_picks_a_figure(client, bounded,
                                                                       login_as):
    _transfers(bounded, GACHA, 2)
    login_as(Role.LEAGUE_STATISTICIAN, LEAGUE)
    page = client.get(f"/maps/divisions/{LEAGUE}?figure=rural_transfer&period=2024")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-map="figure"' in body
    svg = _map_image(body)
    assert "乌兰浩特市" in svg and 'style="' in svg  # drawn whole, its styles inside the image
    assert '<option value="rural_transfer" selected>' in body
    assert f'href="/maps/divisions/{ULANHOT}?figure=rural_transfer&amp;period=2024"' in body


@pytest.mark.parametrize(("query", "message"), [
    ("figure=nonsense", "没有这项指标"),
    ("period=2024-13", "2024-13"),
    ("figure=%00&period=x", "没有这项指标"),
])
def test_a_bad_figure_or_period_gets_400_with_a_message(client, bounded, login_as, query,
                                                         message):
    login_as(Role.LEAGUE_STATISTICIAN, LEAGUE)
    page = client.get(f"/maps/divisions/{LEAGUE}?{query}")
    body = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'role="alert"' in body and message in body


def test_a_division_without_boundaries_says_so(client, make, login_as):
    login_as(Role.LEAGUE_STATISTICIAN, LEAGUE)
    body = client.get(f"/maps/divisions/{LEAGUE}").get_data(as_text=True)
    assert 'data-map="none"' in body and "data:image/svg+xml" not in body


def test_the_division_page_links_to_its_map(client, bounded, login_as):
    login_as(Role.LEAGUE_STATISTICIAN, LEAGUE)
    body = client.get(f"/divisions/{LEAGUE}").get_data(as_text=True)
    assert f'href="/maps/divisions/{LEAGUE}?period=' in body


def test_a_township_reviewer_sees_the_coverage_of_its_villages(client, surveyed, login_as):
    login_as(Role.TOWNSHIP_REVIEWER, TOWN)
    page = client.get(f"/maps/divisions/{GACHA}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-map="coverage"' in body and "已退回 1" in _map_image(body)
    assert '<li data-state="returned"><span>已退回</span><span class="value">1 户</span>' in body
    assert client.get(f"/maps/divisions/{TOWN}").status_code == 200


def test_a_coverage_page_of_another_round_is_404(client, surveyed, login_as):
    round_, *_ = surveyed
    login_as(Role.COUNTY_STATISTICIAN, ULANHOT)
    assert client.get(f"/maps/divisions/{GACHA}?round={round_.id}").status_code == 200
    assert client.get(f"/maps/divisions/{GACHA}?round={round_.id + 99}").status_code == 404


@pytest.mark.parametrize(("role", "home", "url"), [
    (Role.COUNTY_STATISTICIAN, ULANHOT, f"/maps/divisions/{ARXAN}"),
    (Role.COUNTY_STATISTICIAN, ULANHOT, f"/maps/divisions/{OTHER_VILLAGE}"),
    (Role.TOWNSHIP_REVIEWER, TOWN, f"/maps/divisions/{OTHER_VILLAGE}"),
    (Role.TOWNSHIP_REVIEWER, TOWN, f"/maps/divisions/{ULANHOT}"),
    (Role.VILLAGE_COLLECTOR, GACHA, f"/maps/divisions/{GACHA}"),  # not the survey's reader
    (Role.COUNTY_ADMIN, ULANHOT, f"/maps/divisions/{GACHA}"),
    (Role.AUDITOR, LEAGUE, f"/maps/divisions/{LEAGUE}"),
    (Role.LEAGUE_STATISTICIAN, LEAGUE, "/maps/divisions/150000000000"),
    (Role.LEAGUE_STATISTICIAN, LEAGUE, "/maps/divisions/not-a-code"),
])
def test_out_of_jurisdiction_or_business_is_404(client, surveyed, login_as, role, home, url):
    login_as(role, home)
    page = client.get(url)
    assert page.status_code == 404
    assert "阿尔山市" not in page.get_data(as_text=True)


def test_the_village_collector_gets_no_map_link(client, make, login_as):
    login_as(Role.VILLAGE_COLLECTOR, GACHA)
    page = client.get(f"/divisions/{GACHA}")
    assert page.status_code == 200
    assert "data-map-link" not in page.get_data(as_text=True)
