"""The support policy: which channels each plan and role may use, priorities, target
response times and the phone directory, loaded from `data/support_policy.yml`.

The policy is data, not code: the company changes it (say, live chat for Business
members) by editing the YAML. Loading validates every name and stops with a message that
names the file and the key at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import data_dir

PRIORITIES = ("P1", "P2", "P3", "P4")
ANONYMOUS_PLAN = "basic"


class PolicyError(ValueError):
    """The policy file is invalid; the message names the file and key."""


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    licensed: bool


@dataclass(frozen=True)
class Priority:
    id: str
    name: str
    meaning: str
    resources: str


@dataclass(frozen=True)
class SupportPolicy:
    plans: dict[str, Plan]
    roles: tuple[str, ...]
    channels: dict[str, str]  # channel id -> how to name it to a user
    everyone: frozenset[str]
    entitlements: dict[str, dict[str, frozenset[str]]]
    priorities: dict[str, Priority]
    target_plans: frozenset[str]
    target_roles: frozenset[str]
    target_hours: dict[str, int]
    phone_extension: str
    phone_prepare: tuple[str, ...]
    phone_numbers: dict[str, tuple[str, ...]]
    country_names: dict[str, str]
    # language -> kind ("plans", "roles", "channels", "priorities", "countries") -> id -> name
    translations: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def name(self, kind: str, key: str, language: str = "en") -> str:
        """How to name a plan, role, channel, priority or country in `language`."""
        translated = self.translations.get(language, {}).get(kind, {}).get(key)
        if translated:
            return translated
        english = {"plans": lambda: self.plans[key].name, "roles": lambda: key,
                   "channels": lambda: self.channels[key],
                   "priorities": lambda: self.priorities[key].name,
                   "countries": lambda: self.country_names[key]}
        return english[kind]()

    def channels_for(self, plan: str, role: str) -> frozenset[str]:
        """Every channel open to this plan and role (the shared ones included)."""
        return self.everyone | self.entitlements.get(plan, {}).get(role, frozenset())

    def allows(self, plan: str, role: str, channel: str) -> bool:
        return channel in self.channels_for(plan, role)

    def has_response_targets(self, plan: str, role: str) -> bool:
        return plan in self.target_plans and role in self.target_roles

    def plans_with(self, channel: str, role: str) -> list[str]:
        """Plans on which `role` gets `channel`, in file order."""
        return [p for p in self.plans if self.allows(p, role, channel)]

    def roles_with(self, plan: str, channel: str) -> list[str]:
        return [r for r in self.roles if self.allows(plan, r, channel)]


def _require(mapping: Any, key: str, where: str, path: Path) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise PolicyError(f"{path}: missing key '{where}{key}'")
    return mapping[key]


def parse(raw: Any, path: Path) -> SupportPolicy:
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: expected a mapping at the top level")
    plans_raw = _require(raw, "plans", "", path)
    plans = {}
    for pid, spec in plans_raw.items():
        name = _require(spec, "name", f"plans.{pid}.", path)
        licensed = _require(spec, "licensed", f"plans.{pid}.", path)
        if not isinstance(licensed, bool):
            raise PolicyError(f"{path}: plans.{pid}.licensed must be true or false")
        plans[str(pid)] = Plan(str(pid), str(name), licensed)
    if ANONYMOUS_PLAN not in plans:
        raise PolicyError(f"{path}: plans must include '{ANONYMOUS_PLAN}' (anonymous visitors)")
    roles = tuple(str(r) for r in _require(raw, "roles", "", path))
    channels = {}
    for cid, spec in _require(raw, "channels", "", path).items():
        name = _require(spec, "name", f"channels.{cid}.", path)
        extra = sorted(str(k) for k in spec if k != "name")
        if extra:  # `{name: a (b, c)}` is YAML for name "a (b" plus keys "c)": quote it
            raise PolicyError(f"{path}: channels.{cid} has unexpected keys {extra}; "
                              f"a name with commas must be quoted")
        channels[str(cid)] = str(name)

    def channel_set(values: Any, where: str) -> frozenset[str]:
        if not isinstance(values, list):
            raise PolicyError(f"{path}: {where} must be a list of channels")
        unknown = [v for v in values if v not in channels]
        if unknown:
            raise PolicyError(f"{path}: {where}: unknown channel '{unknown[0]}'")
        return frozenset(str(v) for v in values)

    everyone = channel_set(_require(raw, "everyone", "", path), "everyone")
    entitlements: dict[str, dict[str, frozenset[str]]] = {}
    for plan, per_role in _require(raw, "entitlements", "", path).items():
        if plan not in plans:
            raise PolicyError(f"{path}: entitlements.{plan}: unknown plan '{plan}'")
        if not isinstance(per_role, dict):
            raise PolicyError(f"{path}: entitlements.{plan} must map roles to channels")
        entitlements[plan] = {}
        for role, values in per_role.items():
            if role not in roles:
                raise PolicyError(f"{path}: entitlements.{plan}.{role}: unknown role '{role}'")
            entitlements[plan][role] = channel_set(values, f"entitlements.{plan}.{role}")
    priorities = {}
    for pid, spec in _require(raw, "priorities", "", path).items():
        if pid not in PRIORITIES:
            raise PolicyError(f"{path}: priorities.{pid}: unknown priority '{pid}'")
        priorities[pid] = Priority(
            pid, *(str(_require(spec, k, f"priorities.{pid}.", path))
                   for k in ("name", "meaning", "resources")))
    if set(priorities) != set(PRIORITIES):
        raise PolicyError(f"{path}: priorities must define exactly {', '.join(PRIORITIES)}")
    target = _require(raw, "target_response", "", path)
    target_plans = frozenset(str(p) for p in _require(target, "plans", "target_response.", path))
    for plan in target_plans - set(plans):
        raise PolicyError(f"{path}: target_response.plans: unknown plan '{plan}'")
    target_roles = frozenset(str(r) for r in _require(target, "roles", "target_response.", path))
    for role in target_roles - set(roles):
        raise PolicyError(f"{path}: target_response.roles: unknown role '{role}'")
    hours_raw = _require(target, "hours", "target_response.", path)
    if set(hours_raw) != set(PRIORITIES):
        raise PolicyError(f"{path}: target_response.hours must give {', '.join(PRIORITIES)}")
    hours = {}
    for pid, value in hours_raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise PolicyError(f"{path}: target_response.hours.{pid} must be a positive integer")
        hours[str(pid)] = value
    phone = _require(raw, "phone", "", path)
    numbers = {str(c).upper(): tuple(str(n) for n in ns)
               for c, ns in _require(phone, "numbers", "phone.", path).items()}
    names = {str(c).upper(): str(n)
             for c, n in _require(phone, "country_names", "phone.", path).items()}
    for country in numbers:
        if country not in names:
            raise PolicyError(f"{path}: phone.country_names.{country} is missing")
    translations = _translations(raw.get("translations") or {}, path, {
        "plans": set(plans), "roles": set(roles), "channels": set(channels),
        "priorities": set(PRIORITIES), "countries": set(names)})
    return SupportPolicy(
        translations=translations,
        plans=plans, roles=roles, channels=channels, everyone=everyone,
        entitlements=entitlements, priorities=priorities, target_plans=target_plans,
        target_roles=target_roles, target_hours=hours,
        phone_extension=str(_require(phone, "extension", "phone.", path)),
        phone_prepare=tuple(str(p) for p in _require(phone, "prepare", "phone.", path)),
        phone_numbers=numbers, country_names=names,
    )


def _translations(raw: Any, path: Path, ids: dict[str, set[str]]
                  ) -> dict[str, dict[str, dict[str, str]]]:
    """Names in other languages: complete for every kind, nothing unknown."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: translations must map languages to names")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for language, kinds in raw.items():
        where = f"translations.{language}"
        if not isinstance(kinds, dict):
            raise PolicyError(f"{path}: {where} must map kinds to names")
        out[str(language)] = {}
        for kind, wanted in ids.items():
            given = kinds.get(kind)
            if not isinstance(given, dict):
                raise PolicyError(f"{path}: missing key '{where}.{kind}'")
            given = {str(k).upper() if kind == "countries" else str(k): str(v)
                     for k, v in given.items()}
            for key in sorted(set(given) - wanted):
                raise PolicyError(f"{path}: {where}.{kind}: unknown {kind[:-1]} '{key}'")
            for key in sorted(wanted - set(given)):
                raise PolicyError(f"{path}: {where}.{kind}.{key} is missing")
            out[str(language)][kind] = given
        for kind in sorted(set(kinds) - set(ids)):
            raise PolicyError(f"{path}: {where}: unknown kind '{kind}'")
    return out


def load(path: Path | None = None) -> SupportPolicy:
    path = path or data_dir() / "support_policy.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    return parse(raw, path)


def cached() -> SupportPolicy:
    """The policy of the current data directory, loaded once per directory."""
    return _load_cached(str(data_dir() / "support_policy.yml"))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> SupportPolicy:
    return load(Path(path))
