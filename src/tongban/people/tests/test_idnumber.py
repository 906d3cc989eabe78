"""Citizen ID numbers: what a clerk types or a spreadsheet holds becomes one checked
18-character number, or a refusal that says in Chinese which check failed."""

import datetime as dt

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from tongban.lib.errors import ApplicationError
from tongban.people import idnumber

# 110105 朝阳区, born 1990-01-01, sequence 002 (even: female).
NUMBER = "110105199001010029"


def with_check_digit(body: str) -> str:
    """A 17-digit body completed with its correct check digit, so only the check under
    test can fail."""
    return body + ric.calc_check_digit(body + "0")


def refusal(raw: str, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        idnumber.parse(raw, **kwargs)
    return caught.value


def test_it_reads_what_a_valid_number_says():
    parsed = idnumber.parse(NUMBER)
    assert parsed == idnumber.IdNumber(NUMBER, "F", dt.date(1990, 1, 1), "110105", ())


def test_it_turns_full_width_digits_into_ordinary_ones():
    full_width = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert idnumber.parse(full_width).number == NUMBER


def test_it_drops_spaces_inside_and_around_the_number():
    assert idnumber.parse(" 110105 19900101 0029\u3000").number == NUMBER


def test_it_takes_a_lower_case_x_as_the_check_digit_x():
    number = with_check_digit("11010519900101007")
    assert number.endswith("X")
    assert idnumber.parse(number.lower()).number == number


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "id_number_missing", "身份证号不能为空"),
        ("11010519900101002", "id_number_length", "身份证号应为 18 位，实际为 17 位"),
        ("1101051990010100290", "id_number_length", "身份证号应为 18 位，实际为 19 位"),
        ("1101051990010100A9", "id_number_format", "身份证号前 17 位须为数字，末位为数字或 X"),
        ("110105199001010028", "id_number_checksum", "身份证号校验位不正确"),
        (with_check_digit("11010519900230001"), "id_number_birth_date", "身份证号中的出生日期不存在"),
        (with_check_digit("99010119900101001"), "id_number_region", "身份证号前 6 位不是有效的行政区划代码"),
    ],
    ids=["empty", "too-short", "too-long", "letter-inside", "check-digit", "february-30", "region-99"],
)
def test_it_refuses_a_bad_number_with_its_own_code_and_a_chinese_message(raw, code, message):
    error = refusal(raw, field_name="身份证号")
    assert (error.code, error.message, error.field) == (code, message, "身份证号")


def test_it_refuses_a_birth_date_after_today():
    tomorrow = dt.date.today() + dt.timedelta(days=1)  # noqa: DTZ011 - parse compares civil dates
    error = refusal(with_check_digit(f"110105{tomorrow:%Y%m%d}001"))
    assert (error.code, error.message, error.field) == (
        "id_number_birth_future", "身份证号中的出生日期晚于今天", "id_number")


def test_it_accepts_someone_born_today():
    today = dt.date(2024, 6, 1)
    number = with_check_digit("11010520240601001")
    assert idnumber.parse(number, today=today).birth_date == today


def test_it_upgrades_a_15_digit_number_and_says_so():
    parsed = idnumber.parse("110105900101002")
    assert parsed.number == NUMBER
    assert parsed.birth_date == dt.date(1990, 1, 1)
    assert parsed.warnings == ("15 位旧号码已升级为 18 位：110105********0029",)


def test_it_refuses_letters_in_a_15_digit_number():
    error = refusal("11010590010100X")
    assert (error.code, error.message) == ("id_number_format", "15 位身份证号只能由数字组成")


def test_it_accepts_a_county_code_assigned_after_the_birth_year():
    # 330106 (杭州市西湖区) was assigned in 1983; someone born there in 1960 got it when
    # the number was issued. stdnum's own validate refuses this, which is why parse
    # does not call it.
    number = with_check_digit("33010619600505003")
    with pytest.raises(ValidationError):
        ric.validate(number)
    parsed = idnumber.parse(number)
    assert (parsed.number, parsed.gender, parsed.birth_date, parsed.region_code) == (
        number, "M", dt.date(1960, 5, 5), "330106")


def test_the_synthetic_numbers_of_demos_and_tests_pass_the_checks():
    number = idnumber.make("110105", dt.date(2005, 3, 14), 1234)
    assert idnumber.parse(number).number == number
    assert number[14:17] == "234"
