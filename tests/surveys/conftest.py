import pytest

from field_app.accounts.roles import Role
from field_app.extensions import db
from tests.surveys.helpers import Phone


@pytest.fixture
def survey_round(make):
    round_ = make.survey_round()
    db.session.commit()
    return round_


@pytest.fixture
def cadre(client, login_as, survey_round):
    """The village collector of 葛根庙嘎查 (152201100201), signed in, with an open round."""
    login_as(Role.VILLAGE_COLLECTOR)
    return Phone(client)
