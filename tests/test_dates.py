"""Publication dates: which forms newsroom reads, what instant they mean, and why others fail."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from newsroom.dates import date_from_filename, parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def offset(hours: int, minutes: int = 0) -> timezone:
    sign = -1 if hours < 0 else 1
    return timezone(sign * timedelta(hours=abs(hours), minutes=minutes))


def assert_same_time(got: datetime, want: datetime) -> None:
    """Same wall-clock time AND same UTC offset: ``==`` alone only compares instants."""
    assert got.tzinfo is not None, f"{got!r} is naive"
    assert (got.replace(tzinfo=None), got.utcoffset()) == (want.replace(tzinfo=None), want.utcoffset())


# -- accepted forms -----------------------------------------------------------------------

ACCEPTED = [
    # (front matter value, the aware datetime it means when the site zone is Asia/Shanghai)
    ("2021-08-25", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("2021-8-25", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("2021-8-5", datetime(2021, 8, 5, tzinfo=SHANGHAI)),
    ("2021/08/25", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("  2021-08-25  ", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("2021-08-25 09:30", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
    ("2021-08-25 9:30", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
    ("2021-08-25T09:30", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
    ("2021-08-25T09:30:00", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
    ("2021-08-25 09:30:15", datetime(2021, 8, 25, 9, 30, 15, tzinfo=SHANGHAI)),
    ("2021-08-25T09:30:00.5", datetime(2021, 8, 25, 9, 30, 0, 500000, tzinfo=SHANGHAI)),
    ("2021-08-25T09:30:00.123456", datetime(2021, 8, 25, 9, 30, 0, 123456, tzinfo=SHANGHAI)),
    # more than microseconds: the extra digits are dropped, not an error
    ("2021-08-25T09:30:00.1234567", datetime(2021, 8, 25, 9, 30, 0, 123456, tzinfo=SHANGHAI)),
    ("2021-08-25T09:30:00,25", datetime(2021, 8, 25, 9, 30, 0, 250000, tzinfo=SHANGHAI)),
    ("2021-08-25T09:30:00Z", datetime(2021, 8, 25, 9, 30, tzinfo=UTC)),
    ("2021-08-25T09:30:00z", datetime(2021, 8, 25, 9, 30, tzinfo=UTC)),
    ("2021-08-25 09:30 UTC", datetime(2021, 8, 25, 9, 30, tzinfo=UTC)),
    ("2021-08-25T09:30:00.5Z", datetime(2021, 8, 25, 9, 30, 0, 500000, tzinfo=UTC)),
    ("2021-08-25T09:30:00+08:00", datetime(2021, 8, 25, 9, 30, tzinfo=offset(8))),
    ("2021-08-25T09:30:00+0800", datetime(2021, 8, 25, 9, 30, tzinfo=offset(8))),
    ("2021-08-25T09:30:00+05:30", datetime(2021, 8, 25, 9, 30, tzinfo=offset(5, 30))),
    ("2021-08-25T09:30+05", datetime(2021, 8, 25, 9, 30, tzinfo=offset(5))),
    ("2016-07-26 13:00:00 -0700", datetime(2016, 7, 26, 13, 0, tzinfo=offset(-7))),
    ("2016-07-26 13:00:00 -07:00", datetime(2016, 7, 26, 13, 0, tzinfo=offset(-7))),
    ("Aug 25, 2021", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("August 25, 2021", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("Aug 25 2021", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("25 August 2021", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("25 Aug 2021", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED, ids=[v for v, _ in ACCEPTED])
def test_parse_date_accepts_string_forms(value, expected):
    assert_same_time(parse_date(value, SHANGHAI), expected)


YAML_AND_TOML_VALUES = [
    # what PyYAML / tomllib hand over for a `date:` field
    ("date", date(2021, 8, 25), datetime(2021, 8, 25, tzinfo=SHANGHAI)),
    ("naive datetime", datetime(2021, 8, 25, 9, 30), datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
    (
        "aware datetime keeps its own zone",
        datetime(2016, 7, 26, 13, 0, tzinfo=offset(-7)),
        datetime(2016, 7, 26, 13, 0, tzinfo=offset(-7)),
    ),
    (
        "aware UTC datetime",
        datetime(2021, 8, 25, 1, 30, tzinfo=UTC),
        datetime(2021, 8, 25, 1, 30, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(
    ("value", "expected"), [(v, e) for _, v, e in YAML_AND_TOML_VALUES], ids=[i for i, _, _ in YAML_AND_TOML_VALUES]
)
def test_parse_date_accepts_date_and_datetime_objects(value, expected):
    assert_same_time(parse_date(value, SHANGHAI), expected)


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("date: 2021-08-25", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
        ("date: 2021-08-25 09:30:00", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
        ("date: 2021-08-25T09:30:00+08:00", datetime(2021, 8, 25, 9, 30, tzinfo=offset(8))),
        ("date: 2016-07-26 13:00:00 -07:00", datetime(2016, 7, 26, 13, 0, tzinfo=offset(-7))),
        ("date: '2021-08-25 09:30'", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
    ],
)
def test_parse_date_reads_what_yaml_loads(front_matter, expected):
    value = yaml.safe_load(front_matter)["date"]
    assert_same_time(parse_date(value, SHANGHAI), expected)


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("date = 2021-08-25", datetime(2021, 8, 25, tzinfo=SHANGHAI)),
        ("date = 2021-08-25T09:30:00", datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)),
        ("date = 2021-08-25T09:30:00-07:00", datetime(2021, 8, 25, 9, 30, tzinfo=offset(-7))),
    ],
)
def test_parse_date_reads_what_toml_loads(front_matter, expected):
    value = tomllib.loads(front_matter)["date"]
    assert_same_time(parse_date(value, SHANGHAI), expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a named zone, not a fixed offset: summer and winter differ
        ("2021-08-25 09:30", datetime(2021, 8, 25, 9, 30, tzinfo=offset(-4))),
        ("2021-01-25 09:30", datetime(2021, 1, 25, 9, 30, tzinfo=offset(-5))),
        (date(2021, 1, 25), datetime(2021, 1, 25, tzinfo=offset(-5))),
        (datetime(2021, 8, 25, 9, 30), datetime(2021, 8, 25, 9, 30, tzinfo=offset(-4))),
        # an explicit offset wins over the site zone
        ("2021-08-25T09:30:00+08:00", datetime(2021, 8, 25, 9, 30, tzinfo=offset(8))),
    ],
)
def test_times_without_a_zone_are_in_the_site_zone(value, expected):
    assert_same_time(parse_date(value, NEW_YORK), expected)


def test_same_wall_clock_in_different_zones_is_a_different_instant():
    shanghai = parse_date("2021-08-25 09:30", SHANGHAI)
    utc = parse_date("2021-08-25 09:30", UTC)
    assert utc - shanghai == timedelta(hours=8)


# -- rejected forms -----------------------------------------------------------------------

REJECTED = [
    # (value, words the message must contain)
    ("08/25/2021", ["'08/25/2021'", "ambiguous", "2021-08-25"]),
    ("25/08/2021", ["ambiguous"]),
    ("25.08.2021", ["ambiguous"]),
    ("8-25-21", ["ambiguous"]),
    ("yesterday", ["'yesterday'", "not a date", "2021-08-25"]),
    ("", ["not a date"]),
    ("2021-08-25 at noon", ["not a date"]),
    ("2021-13-01", ["'2021-13-01'", "not a real date", "month"]),
    ("2021-02-30", ["not a real date", "day"]),
    ("2021-08-25 25:00", ["not a real date", "hour"]),
    ("2021-08-25T09:30:00+25:00", ["impossible time zone offset", "+25:00"]),
    ("2021-08-25T09:30:00+08:75", ["impossible time zone offset"]),
    (12345, ["12345", "not a date", "2021-08-25"]),
    (True, ["True", "not a date"]),
    (20210825.5, ["not a date"]),
    (None, ["None", "not a date"]),
    (["2021-08-25"], ["not a date"]),
]


@pytest.mark.parametrize(("value", "words"), REJECTED, ids=[repr(v) for v, _ in REJECTED])
def test_parse_date_rejects_and_says_why(value, words):
    with pytest.raises(ValueError) as caught:
        parse_date(value, SHANGHAI)
    message = str(caught.value)
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("0001-01-01 00:00 +09:00", SHANGHAI),  # 0000-12-31 in Shanghai
        (datetime(1, 1, 1, tzinfo=offset(14)), SHANGHAI),  # as YAML and TOML load it
        ("9999-12-31 23:00 -05:00", SHANGHAI),  # year 10000 in Shanghai
        (datetime(9999, 12, 31, 23, 59, tzinfo=offset(-12)), UTC),
        ("0001-01-01", SHANGHAI),  # fine in Shanghai, but year 0 in UTC
        (date(1, 1, 1), SHANGHAI),
    ],
    ids=["+09:00 text", "+14:00 datetime", "-05:00 text", "-12:00 datetime", "year 1 text", "year 1 date"],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_overflowed(value, zone):
    with pytest.raises(ValueError) as caught:  # not an OverflowError from astimezone() later
        parse_date(value, zone)
    assert "too close to year 1 or year 9999" in str(caught.value)


@pytest.mark.parametrize("value", ["9999-12-31 23:59", "0001-01-02", date(9999, 12, 31)])
def test_dates_near_the_ends_of_the_calendar_that_fit_are_read(value):
    assert parse_date(value, SHANGHAI).astimezone(SHANGHAI).astimezone(UTC).year in (1, 9999)


# -- dates in file names (Jekyll) ---------------------------------------------------------

@pytest.mark.parametrize(
    ("stem", "day", "rest"),
    [
        ("2021-08-25-greenway-opens", date(2021, 8, 25), "greenway-opens"),
        ("2021-08-25-长治绿道", date(2021, 8, 25), "长治绿道"),
        ("2021-08-25-2021-recap", date(2021, 8, 25), "2021-recap"),
        ("2021-8-5-greenway", date(2021, 8, 5), "greenway"),  # Jekyll accepts single digits
        ("greenway-opens", None, "greenway-opens"),
        ("2021-08-25", None, "2021-08-25"),  # nothing left for a slug
        ("2021-08-25-", None, "2021-08-25-"),
        ("2021-02-30-not-a-day", None, "2021-02-30-not-a-day"),
        ("2021-13-01-not-a-month", None, "2021-13-01-not-a-month"),
        ("21-08-25-short-year", None, "21-08-25-short-year"),
    ],
)
def test_date_from_filename(stem, day, rest):
    assert date_from_filename(stem) == (day, rest)
