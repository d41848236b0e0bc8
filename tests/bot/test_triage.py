"""Triage: priorities by the guidelines' definitions, and reading the user's answers."""

from __future__ import annotations

import pytest

from bot.triage import (
    IMPACTS,
    WORKAROUNDS,
    Triage,
    parse_impact,
    parse_meeting_id,
    parse_workaround,
    priority_for,
)

# Written out from the guidelines (P1 Urgent .. P4 Low), not derived from the code.
EXPECTED_PRIORITY = {
    ("down", "none"): "P1",
    ("down", "partial"): "P2",
    ("down", "full"): "P3",
    ("many", "none"): "P2",
    ("many", "partial"): "P2",
    ("many", "full"): "P3",
    ("few", "none"): "P3",
    ("few", "partial"): "P3",
    ("few", "full"): "P3",
    ("question", "none"): "P4",
    ("question", "partial"): "P4",
    ("question", "full"): "P4",
}


def test_table_covers_every_pair() -> None:
    assert set(EXPECTED_PRIORITY) == {(i, w) for i in IMPACTS for w in WORKAROUNDS}


@pytest.mark.parametrize(("impact", "workaround"), sorted(EXPECTED_PRIORITY))
def test_priority_for(impact: str, workaround: str) -> None:
    expected = EXPECTED_PRIORITY[(impact, workaround)]
    assert priority_for(impact, workaround) == expected
    assert Triage("problem", impact, workaround).priority == expected


@pytest.mark.parametrize(("impact", "workaround"), [
    ("broken", "none"), ("down", "maybe"), ("", ""), ("Down", "none")])
def test_priority_for_unknown_answers(impact: str, workaround: str) -> None:
    with pytest.raises(ValueError, match="unknown triage answer"):
        priority_for(impact, workaround)


def test_triage_as_dict() -> None:
    triage = Triage("Meetings drop", "many", "partial", "123456789")
    assert triage.as_dict() == {"problem": "Meetings drop", "impact": "many",
                                "workaround": "partial", "meeting_id": "123456789"}


# --- parsing answers ------------------------------------------------------------------------

@pytest.mark.parametrize("value", IMPACTS)
def test_parse_impact_button_values(value: str) -> None:
    assert parse_impact(value) == value
    assert parse_impact(f"  {value.upper()} ") == value


@pytest.mark.parametrize(("text", "expected"), [
    ("The whole service is down", "down"),
    ("Nobody can join any meeting", "down"),
    ("no one in the company can sign in", "down"),
    ("Complete outage for us", "down"),
    ("many people are affected", "many"),
    ("Most of our users see it", "many"),
    ("a lot of people", "many"),
    ("just me", "few"),
    ("only me, nobody else noticed", "few"),
    ("a few colleagues", "few"),
    ("a single user", "few"),
    ("It's just a question", "question"),
    ("How to configure SSO for my team", "question"),
    ("feature request: dark mode", "question"),
    ("not urgent", "question"),
    ("banana", None),
    ("", None),
])
def test_parse_impact_free_text(text: str, expected: str | None) -> None:
    assert parse_impact(text) == expected


def test_parse_impact_negated_everyone() -> None:
    assert parse_impact("just me, everyone else is fine") == "few"


@pytest.mark.parametrize("value", WORKAROUNDS)
def test_parse_workaround_button_values(value: str) -> None:
    assert parse_workaround(value) == value
    assert parse_workaround(f" {value.capitalize()}") == value


@pytest.mark.parametrize(("text", "expected"), [
    ("no", "none"),
    ("Nope", "none"),
    ("No workaround at all", "none"),
    ("not really", "none"),
    ("nothing works", "none"),
    ("partly", "partial"),
    ("sort of, the desktop app works sometimes", "partial"),
    ("yes, but only partly", "partial"),
    ("yes", "full"),
    ("Yes, we can use the phone instead", "full"),
    ("the web client works fine", "full"),
    ("purple", None),
    ("", None),
])
def test_parse_workaround_free_text(text: str, expected: str | None) -> None:
    assert parse_workaround(text) == expected


@pytest.mark.parametrize("text", ["we can't", "No, we can't", "we can't work around it"])
def test_parse_workaround_we_cant_is_none(text: str) -> None:
    assert parse_workaround(text) == "none"


@pytest.mark.parametrize(("text", "expected"), [
    ("123456789", "123456789"),
    ("1234567890", "1234567890"),
    ("12345678901", "12345678901"),
    ("123 456 789", "123456789"),
    ("123-456-7890", "1234567890"),
    ("  123 4567 8901 ", "12345678901"),
])
def test_parse_meeting_id_accepts(text: str, expected: str) -> None:
    assert parse_meeting_id(text) == expected


@pytest.mark.parametrize("text", [
    "12345678",  # 8 digits
    "123456789012",  # 12 digits
    "1234-5678",
    "12345678a",
    "abcdefghi",
    "123.456.789",
    "",
])
def test_parse_meeting_id_rejects(text: str) -> None:
    assert parse_meeting_id(text) is None
