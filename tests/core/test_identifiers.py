import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from field_app.core.identifiers import (
    IdentifierError,
    check_uscc,
    mask_id_number,
    mask_phone,
    parse_id_number,
)


def with_ric_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def test_id_number_gives_birth_date_and_sex():
    person = parse_id_number("152201196711123488")
    assert person.birth_date == dt.date(1967, 11, 12)
    assert person.sex == "female"
    assert parse_id_number(with_ric_check("15220119800101001")).sex == "male"


def test_lower_case_x_check_character_is_normalised():
    number = next(n for n in (with_ric_check(f"1522011990010100{i}") for i in range(10))
                  if n.endswith("X"))
    assert parse_id_number(number.lower()).number == number


def test_birth_place_newer_than_birth_year_is_accepted():
    # 阿尔山市 (152202) was created in 1996; stdnum's validate() rejects this number.
    number = with_ric_check("15220219700101001")
    assert not ric.is_valid(number)
    assert parse_id_number(number).birth_date == dt.date(1970, 1, 1)


@pytest.mark.parametrize(("number", "reason"), [
    ("152201196711123489", "校验码"),
    ("15220119671112348", "18位"),
    ("15220119671112348A", "18位"),
    (with_ric_check("15220119670229348"), "不存在"),
])
def test_bad_id_numbers_are_refused_with_the_reason(number, reason):
    with pytest.raises(IdentifierError) as error:
        parse_id_number(number)
    assert reason in str(error.value.message)


def test_birth_date_in_the_future_is_refused():
    number = with_ric_check("15220120300101001")
    with pytest.raises(IdentifierError) as error:
        parse_id_number(number, today=dt.date(2026, 11, 27))
    assert "晚于今天" in str(error.value.message)


def test_credit_codes_of_authority_y_are_accepted_and_check_characters_enforced():
    body = "Y1152201MA0000001"
    assert check_uscc(body + uscc.calc_check_digit(body)) == body + uscc.calc_check_digit(body)
    with pytest.raises(IdentifierError):
        check_uscc("91152201101662994A")
    with pytest.raises(IdentifierError):
        check_uscc("91152201101662994")


def test_masks_show_first_six_and_last_four():
    assert mask_id_number("152201196711123488") == "152201********3488"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) == ""
