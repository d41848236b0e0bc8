"""The support policy: the real file loads, its entitlements match the guidelines, and a
broken file stops loading with a message naming the file and the key at fault."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import entitlements, policy
from bot.accounts import Account
from bot.entitlements import Asker
from bot.identity import Identity
from bot.paths import data_dir

POLICY_FILE = data_dir() / "support_policy.yml"
RAW: dict[str, Any] = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))

# The expected default entitlements, written out from DESIGN.md "Support facts" (not
# derived from the code or the YAML).
SHARED = frozenset({"bot", "knowledge_base", "self_service"})
PRO_EXTRA = frozenset({"web_ticket", "live_chat"})
PHONE_EXTRA = frozenset({"web_ticket", "live_chat", "phone"})
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("basic", "owner"): SHARED,
    ("basic", "admin"): SHARED,
    ("basic", "member"): SHARED,
    ("pro", "owner"): SHARED | PRO_EXTRA,
    ("pro", "admin"): SHARED | PRO_EXTRA,
    ("pro", "member"): SHARED,
    ("business", "owner"): SHARED | PHONE_EXTRA,
    ("business", "admin"): SHARED | PHONE_EXTRA,
    ("business", "member"): SHARED,
    ("education", "owner"): SHARED | PHONE_EXTRA,
    ("education", "admin"): SHARED | PHONE_EXTRA,
    ("education", "member"): SHARED,
    ("enterprise", "owner"): SHARED | PHONE_EXTRA,
    ("enterprise", "admin"): SHARED | PHONE_EXTRA,
    ("enterprise", "member"): SHARED,
    ("api", "owner"): SHARED | PHONE_EXTRA,
    ("api", "admin"): SHARED | PHONE_EXTRA,
    ("api", "member"): SHARED,
}
ALL_CHANNELS = ("bot", "knowledge_base", "self_service", "web_ticket", "live_chat", "phone")

COMBINATIONS = list(itertools.product(RAW["plans"], RAW["roles"], RAW["channels"]))


def write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "support_policy.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def copy() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    return raw


@pytest.fixture(scope="module")
def real() -> policy.SupportPolicy:
    return policy.load()


# --- the real file --------------------------------------------------------------------

def test_real_policy_loads(real: policy.SupportPolicy) -> None:
    assert list(real.plans) == ["basic", "pro", "business", "education", "enterprise", "api"]
    assert real.plans["basic"].name == "Basic (free)"
    assert real.plans["basic"].licensed is False
    assert all(real.plans[p].licensed for p in real.plans if p != "basic")
    assert real.roles == ("owner", "admin", "member")
    assert set(real.channels) == set(ALL_CHANNELS)
    assert real.everyone == SHARED
    assert list(real.priorities) == ["P1", "P2", "P3", "P4"]
    assert [real.priorities[p].name for p in real.priorities] == [
        "Urgent", "High", "Normal", "Low"]
    assert real.target_hours == {"P1": 1, "P2": 4, "P3": 24, "P4": 24}
    assert real.target_plans == {"pro", "business", "education", "enterprise", "api"}
    assert real.target_roles == {"owner", "admin"}
    assert real.phone_extension == "2"
    assert real.phone_numbers["US"] == ("+1.888.799.9666",)
    assert real.phone_numbers["GB"] == ("+44.800.368.7314", "+44.20.7039.8961")
    assert set(real.phone_numbers) == {"US", "AU", "FR", "IN", "JP", "NZ", "SG", "GB"}
    assert real.country_names["GB"] == "United Kingdom"


def test_load_with_default_path_equals_explicit_path(real: policy.SupportPolicy) -> None:
    assert policy.load(POLICY_FILE) == real


def test_expected_table_covers_every_plan_and_role() -> None:
    assert set(EXPECTED) == set(itertools.product(RAW["plans"], RAW["roles"]))
    assert set(RAW["channels"]) == set(ALL_CHANNELS)


@pytest.mark.parametrize(("plan", "role", "channel"), COMBINATIONS)
def test_default_entitlement(real: policy.SupportPolicy, plan: str, role: str,
                             channel: str) -> None:
    expected = channel in EXPECTED[(plan, role)]
    assert real.allows(plan, role, channel) is expected
    assert (channel in real.channels_for(plan, role)) is expected


@pytest.mark.parametrize(("plan", "role"), sorted(EXPECTED))
def test_channels_for_is_exactly_the_table(real: policy.SupportPolicy, plan: str,
                                           role: str) -> None:
    assert real.channels_for(plan, role) == EXPECTED[(plan, role)]


def test_response_targets_only_for_paid_owners_and_admins(real: policy.SupportPolicy) -> None:
    for plan, role in EXPECTED:
        expected = plan != "basic" and role in ("owner", "admin")
        assert real.has_response_targets(plan, role) is expected, (plan, role)


def test_plans_with_and_roles_with(real: policy.SupportPolicy) -> None:
    assert real.plans_with("phone", "owner") == ["business", "education", "enterprise", "api"]
    assert real.plans_with("live_chat", "admin") == [
        "pro", "business", "education", "enterprise", "api"]
    assert real.plans_with("live_chat", "member") == []
    assert real.roles_with("pro", "web_ticket") == ["owner", "admin"]
    assert real.roles_with("pro", "phone") == []
    assert real.roles_with("basic", "bot") == ["owner", "admin", "member"]


# --- validation ---------------------------------------------------------------------------

def _unknown_plan(raw: dict[str, Any]) -> None:
    raw["entitlements"]["gold"] = {"owner": ["phone"]}


def _unknown_role(raw: dict[str, Any]) -> None:
    raw["entitlements"]["pro"]["guest"] = ["live_chat"]


def _unknown_channel(raw: dict[str, Any]) -> None:
    raw["entitlements"]["business"]["member"] = ["fax"]


def _unknown_channel_everyone(raw: dict[str, Any]) -> None:
    raw["everyone"] = ["bot", "carrier_pigeon"]


def _unknown_priority(raw: dict[str, Any]) -> None:
    raw["priorities"]["P5"] = dict(raw["priorities"]["P4"])


def _missing_plan_name(raw: dict[str, Any]) -> None:
    del raw["plans"]["pro"]["name"]


def _missing_top_key(raw: dict[str, Any]) -> None:
    del raw["everyone"]


def _missing_priority_field(raw: dict[str, Any]) -> None:
    del raw["priorities"]["P2"]["meaning"]


def _missing_phone_numbers(raw: dict[str, Any]) -> None:
    del raw["phone"]["numbers"]


def _hours_float(raw: dict[str, Any]) -> None:
    raw["target_response"]["hours"]["P2"] = 1.5


def _hours_string(raw: dict[str, Any]) -> None:
    raw["target_response"]["hours"]["P3"] = "a day"


def _hours_zero(raw: dict[str, Any]) -> None:
    raw["target_response"]["hours"]["P4"] = 0


def _unknown_target_plan(raw: dict[str, Any]) -> None:
    raw["target_response"]["plans"].append("platinum")


def _unknown_target_role(raw: dict[str, Any]) -> None:
    raw["target_response"]["roles"].append("guest")


def _missing_country_name(raw: dict[str, Any]) -> None:
    del raw["phone"]["country_names"]["JP"]


@pytest.mark.parametrize(("change", "expected"), [
    (_unknown_plan, "entitlements.gold: unknown plan 'gold'"),
    (_unknown_role, "entitlements.pro.guest: unknown role 'guest'"),
    (_unknown_channel, "entitlements.business.member: unknown channel 'fax'"),
    (_unknown_channel_everyone, "everyone: unknown channel 'carrier_pigeon'"),
    (_unknown_priority, "priorities.P5: unknown priority 'P5'"),
    (_missing_plan_name, "missing key 'plans.pro.name'"),
    (_missing_top_key, "missing key 'everyone'"),
    (_missing_priority_field, "missing key 'priorities.P2.meaning'"),
    (_missing_phone_numbers, "missing key 'phone.numbers'"),
    (_hours_float, "target_response.hours.P2 must be a positive integer"),
    (_hours_string, "target_response.hours.P3 must be a positive integer"),
    (_hours_zero, "target_response.hours.P4 must be a positive integer"),
    (_unknown_target_plan, "target_response.plans: unknown plan 'platinum'"),
    (_unknown_target_role, "target_response.roles: unknown role 'guest'"),
    (_missing_country_name, "phone.country_names.JP is missing"),
], ids=lambda v: v.__name__.strip("_") if callable(v) else None)
def test_invalid_policy_names_file_and_key(tmp_path: Path, change: Any, expected: str) -> None:
    raw = copy()
    change(raw)
    path = write(tmp_path, raw)
    with pytest.raises(policy.PolicyError) as err:
        policy.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_an_unquoted_channel_name_with_commas_is_refused(tmp_path: Path) -> None:
    text = (data_dir() / "support_policy.yml").read_text()
    broken = text.replace('{name: "self-service (report abuse, billing discrepancy, contact '
                          'sales)"}', "{name: self-service (report abuse, billing discrepancy, "
                          "contact sales)}")
    assert broken != text
    path = tmp_path / "support_policy.yml"
    path.write_text(broken)
    with pytest.raises(policy.PolicyError, match=r"channels\.self_service has unexpected keys"):
        policy.load(path)


def test_channel_names_are_whole() -> None:
    names = policy.load().channels
    assert names["self_service"] == ("self-service (report abuse, billing discrepancy, "
                                     "contact sales)")
    assert names["knowledge_base"] == "the knowledge base, training videos and user guides"


def test_boolean_hours_are_refused(tmp_path: Path) -> None:
    raw = copy()
    raw["target_response"]["hours"]["P1"] = True
    path = write(tmp_path, raw)
    with pytest.raises(policy.PolicyError, match=r"target_response\.hours\.P1"):
        policy.load(path)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    with pytest.raises(policy.PolicyError, match="cannot read") as err:
        policy.load(missing)
    assert str(missing) in str(err.value)
    broken = tmp_path / "broken.yml"
    broken.write_text("plans: [unclosed\n", encoding="utf-8")
    with pytest.raises(policy.PolicyError, match="not valid YAML") as err:
        policy.load(broken)
    assert str(broken) in str(err.value)
    scalar = tmp_path / "scalar.yml"
    scalar.write_text("just a string\n", encoding="utf-8")
    with pytest.raises(policy.PolicyError, match="top level") as err:
        policy.load(scalar)
    assert str(scalar) in str(err.value)


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(policy.PolicyError, ValueError)


# --- the policy is data: editing the YAML changes decisions with no code change -----------

def test_opening_live_chat_to_business_members(tmp_path: Path,
                                               real: policy.SupportPolicy) -> None:
    member = Asker(Identity("business-member", "verified"),
                   Account("business-member", "Bianca Business", "acc-biz-300", "business",
                           True, "member"))
    assert not real.allows("business", "member", "live_chat")
    assert not entitlements.decide(real, member, "live_chat").allowed

    raw = copy()
    raw["entitlements"]["business"]["member"] = ["live_chat"]
    changed = policy.load(write(tmp_path, raw))

    assert changed.channels_for("business", "member") == SHARED | {"live_chat"}
    assert changed.allows("business", "member", "live_chat")
    assert not changed.allows("business", "member", "web_ticket")
    assert not changed.allows("business", "member", "phone")
    # Only Business members changed.
    assert not changed.allows("pro", "member", "live_chat")
    assert not changed.allows("enterprise", "member", "live_chat")
    assert changed.roles_with("business", "live_chat") == ["owner", "admin", "member"]

    decision = entitlements.decide(changed, member, "live_chat")
    assert decision.allowed
    assert decision.reason == "ok"
    refused = entitlements.decide(changed, member, "web_ticket")
    assert not refused.allowed
    assert "live_chat" in refused.alternatives
    assert "you're a member" in refused.sentence
