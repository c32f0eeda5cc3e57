"""Version ranges: parsing, set operations and the C guards built from them."""

import pytest

import schema_helpers  # noqa: F401  (puts codegen/ on sys.path)
from kafkagen_lib.versions import ALL, NONE, SHORT_MAX, Versions, VersionError, guard


@pytest.mark.parametrize("text, lo, hi", [
    ("3", 3, 3),
    ("0", 0, 0),
    ("1-4", 1, 4),
    ("2+", 2, SHORT_MAX),
    ("0+", 0, SHORT_MAX),
    (" 5 ", 5, 5),
    (7, 7, 7),
])
def test_parse(text, lo, hi):
    v = Versions.parse(text)
    assert (v.lo, v.hi) == (lo, hi)
    assert not v.empty


def test_parse_none_is_empty():
    v = Versions.parse("none")
    assert v.empty
    assert v == NONE
    assert str(v) == "none"


def test_parse_missing_uses_default():
    assert Versions.parse(None, NONE) == NONE
    assert Versions.parse(None, ALL) == ALL
    with pytest.raises(VersionError):
        Versions.parse(None)


@pytest.mark.parametrize("text", ["", "abc", "3-1", "-1", "1-", "+", "0-40000", "40000+",
                                  "1.5", "1+2", "0x1"])
def test_parse_rejects(text):
    with pytest.raises(VersionError):
        Versions.parse(text)


@pytest.mark.parametrize("text", ["3", "1-4", "2+", "0+", "none"])
def test_str_round_trips(text):
    assert str(Versions.parse(text)) == text


def test_open_ended():
    assert Versions.parse("2+").open_ended
    assert not Versions.parse("2-5").open_ended
    assert not NONE.open_ended


def test_intersect():
    a = Versions.parse("0-5")
    assert a.intersect(Versions.parse("3+")) == Versions(3, 5)
    assert a.intersect(Versions.parse("2-3")) == Versions(2, 3)
    assert a.intersect(Versions.parse("6+")) == NONE
    assert a.intersect(NONE) == NONE
    assert NONE.intersect(a) == NONE
    assert Versions.parse("4+").intersect(Versions.parse("1+")) == Versions.parse("4+")


def test_contains():
    a = Versions.parse("1-5")
    assert a.contains(1) and a.contains(5) and a.contains(3)
    assert not a.contains(0) and not a.contains(6)
    assert a.contains(Versions.parse("2-3"))
    assert a.contains(Versions.parse("1-5"))
    assert not a.contains(Versions.parse("0-3"))
    assert not a.contains(Versions.parse("4+"))
    assert a.contains(NONE)  # the empty range is inside everything
    assert not NONE.contains(a)
    assert ALL.contains(Versions.parse("9+"))


@pytest.mark.parametrize("field, context, expected", [
    ("0+", "0-5", "1"),            # present in every possible version
    ("2-9", "3-5", "1"),
    ("6+", "0-5", "0"),            # never present
    ("none", "0-5", "0"),
    ("3+", "0-5", "v >= 3"),
    ("0-2", "0-5", "v <= 2"),
    ("1-2", "0-5", "(v >= 1 && v <= 2)"),
    ("2", "0-5", "v == 2"),
    ("2-4", "3-7", "v <= 4"),
    ("3+", "1+", "v >= 3"),
])
def test_guard(field, context, expected):
    assert guard(Versions.parse(field), Versions.parse(context)) == expected


def test_guard_variable_name():
    assert guard(Versions.parse("4+"), Versions.parse("0-9"), "version") == "version >= 4"
