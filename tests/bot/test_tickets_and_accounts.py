"""The account directory and web tickets against a real (throwaway) Redis server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis as redis_lib
import yaml
from redis.asyncio import Redis

from bot import policy as policy_mod
from bot import redis_keys
from bot.accounts import AccountsError, RedisAccountDirectory, read_yaml
from bot.paths import data_dir
from bot.tickets import MAX_SUBJECT, TicketNotFound, TicketStore, parse_ticket_id
from scripts.stack import RedisTarget

POLICY = policy_mod.load()
DEMO_USERS = ["basic-owner", "pro-owner", "pro-member", "business-admin", "business-member",
              "education-owner", "enterprise-admin", "enterprise-member", "api-admin"]


@pytest.fixture
async def aredis(redis_server: RedisTarget, redis: redis_lib.Redis) -> AsyncIterator[Redis]:
    """An asyncio client on the test server; `redis` empties the db around each test."""
    client = Redis(host=redis_server.host, port=redis_server.port, db=redis_server.db,
                   password=redis_server.password)
    try:
        yield client
    finally:
        close = getattr(client, "aclose", None) or client.close
        await close()


# --- accounts ---------------------------------------------------------------------------

async def test_directory_round_trip(aredis: Redis) -> None:
    accounts = read_yaml(POLICY)
    assert [a.user_id for a in accounts] == DEMO_USERS
    directory = RedisAccountDirectory(aredis)
    assert await directory.load(accounts) is True
    for account in accounts:
        assert await directory.get(account.user_id) == account


async def test_directory_unknown_user(aredis: Redis) -> None:
    directory = RedisAccountDirectory(aredis)
    await directory.load(read_yaml(POLICY))
    assert await directory.get("nobody-here") is None


async def test_directory_load_twice(aredis: Redis, redis: redis_lib.Redis) -> None:
    accounts = read_yaml(POLICY)
    directory = RedisAccountDirectory(aredis)
    assert await directory.load(accounts) is True
    assert redis.get(redis_keys.ACCOUNTS_LOADED)
    assert await directory.load(accounts) is False
    # A different set is written again.
    assert await directory.load(accounts[:3]) is True


async def test_directory_reads_the_stored_hash(aredis: Redis, redis: redis_lib.Redis) -> None:
    directory = RedisAccountDirectory(aredis)
    await directory.load(read_yaml(POLICY))
    stored = redis.hgetall(redis_keys.account("business-admin"))
    assert stored == {"user_id": "business-admin", "name": "Bo Business",
                      "account_id": "acc-biz-300", "plan": "business", "licensed": "1",
                      "role": "admin"}
    assert redis.hget(redis_keys.account("basic-owner"), "licensed") == "0"


def _write_accounts(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    path = tmp_path / "accounts.yml"
    path.write_text(yaml.safe_dump({"accounts": entries}), encoding="utf-8")
    return path


def _demo_entries() -> list[dict[str, object]]:
    raw = yaml.safe_load((data_dir() / "accounts.yml").read_text(encoding="utf-8"))
    return list(raw["accounts"])


def test_read_yaml_unknown_plan(tmp_path: Path) -> None:
    entries = _demo_entries()
    entries[2] = {**entries[2], "plan": "platinum"}
    path = _write_accounts(tmp_path, entries)
    with pytest.raises(AccountsError) as err:
        read_yaml(POLICY, path)
    assert str(err.value) == f"{path}: accounts[2]: unknown plan 'platinum'"


def test_read_yaml_unknown_role(tmp_path: Path) -> None:
    entries = _demo_entries()
    entries[1] = {**entries[1], "role": "superuser"}
    path = _write_accounts(tmp_path, entries)
    with pytest.raises(AccountsError) as err:
        read_yaml(POLICY, path)
    assert str(err.value) == f"{path}: accounts[1]: unknown role 'superuser'"


def test_read_yaml_duplicate(tmp_path: Path) -> None:
    entries = _demo_entries()
    entries.append(dict(entries[3]))
    path = _write_accounts(tmp_path, entries)
    with pytest.raises(AccountsError) as err:
        read_yaml(POLICY, path)
    assert str(err.value) == \
        f"{path}: accounts[{len(entries) - 1}]: duplicate user_id 'business-admin'"


def test_read_yaml_other_errors(tmp_path: Path) -> None:
    entries = _demo_entries()
    bad_licence = [{**entries[0], "licensed": "yes"}]
    with pytest.raises(AccountsError, match=r"accounts\[0\]: licensed must be true or false"):
        read_yaml(POLICY, _write_accounts(tmp_path, bad_licence))
    missing = [{k: v for k, v in entries[0].items() if k != "role"}]
    with pytest.raises(AccountsError, match=r"accounts\[0\]: missing \['role'\]"):
        read_yaml(POLICY, _write_accounts(tmp_path, missing))
    path = tmp_path / "empty.yml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(AccountsError, match="expected 'accounts:'"):
        read_yaml(POLICY, path)


# --- tickets --------------------------------------------------------------------------------

async def test_create_ticket(aredis: Redis) -> None:
    store = TicketStore(aredis)
    ticket = await store.create(user_id="pro-owner", account_id="acc-pro-200", plan="pro",
                                role="owner", subject="Can't join", description="Error 5003",
                                priority="P2", target_hours=4, meeting_id="123456789",
                                now=1_000_000.0)
    assert ticket.id == "T-000001"
    assert ticket.status == "open"
    assert ticket.created_at == 1_000_000.0
    assert ticket.due_at == 1_000_000.0 + 4 * 3600
    assert ticket.meeting_id == "123456789"
    assert await store.get("T-000001", "pro-owner") == ticket


async def test_due_at_follows_target_hours(aredis: Redis) -> None:
    store = TicketStore(aredis)
    for priority, hours in POLICY.target_hours.items():
        ticket = await store.create(user_id="api-admin", account_id="acc-api-600", plan="api",
                                    role="admin", subject="s", description="d",
                                    priority=priority, target_hours=hours, now=5000.0)
        assert ticket.due_at == 5000.0 + hours * 3600
        assert ticket.priority == priority


async def test_sequential_ids(aredis: Redis) -> None:
    store = TicketStore(aredis)
    ids = [(await store.create(user_id=u, account_id="a", plan="pro", role="owner",
                               subject="s", description="d", priority="P3", target_hours=24)).id
           for u in ("pro-owner", "business-admin", "pro-owner")]
    assert ids == ["T-000001", "T-000002", "T-000003"]


async def test_default_now_and_truncation(aredis: Redis) -> None:
    store = TicketStore(aredis)
    ticket = await store.create(user_id="pro-owner", account_id="a", plan="pro", role="owner",
                                subject="s" * 1000, description="d", priority="P4",
                                target_hours=24)
    assert len(ticket.subject) == MAX_SUBJECT
    assert ticket.created_at > 1_600_000_000
    assert ticket.due_at == ticket.created_at + 24 * 3600
    assert ticket.meeting_id == ""
    assert await store.get(ticket.id, "pro-owner") == ticket


async def test_other_users_ticket_is_not_found(aredis: Redis) -> None:
    store = TicketStore(aredis)
    ticket = await store.create(user_id="pro-owner", account_id="a", plan="pro", role="owner",
                                subject="s", description="d", priority="P3", target_hours=24)
    with pytest.raises(TicketNotFound):
        await store.get(ticket.id, "pro-member")
    with pytest.raises(TicketNotFound):
        await store.get(ticket.id, "")


async def test_unknown_ticket_is_not_found(aredis: Redis) -> None:
    store = TicketStore(aredis)
    with pytest.raises(TicketNotFound):
        await store.get("T-999999", "pro-owner")
    assert issubclass(TicketNotFound, LookupError)


async def test_list_for_newest_first(aredis: Redis) -> None:
    store = TicketStore(aredis)
    first = await store.create(user_id="pro-owner", account_id="a", plan="pro", role="owner",
                               subject="1", description="d", priority="P3", target_hours=24,
                               now=1000.0)
    other = await store.create(user_id="pro-member", account_id="a", plan="pro",
                               role="member", subject="x", description="d", priority="P3",
                               target_hours=24, now=1500.0)
    second = await store.create(user_id="pro-owner", account_id="a", plan="pro", role="owner",
                                subject="2", description="d", priority="P3", target_hours=24,
                                now=2000.0)
    third = await store.create(user_id="pro-owner", account_id="a", plan="pro", role="owner",
                               subject="3", description="d", priority="P3", target_hours=24,
                               now=3000.0)
    assert await store.list_for("pro-owner") == [third.id, second.id, first.id]
    assert await store.list_for("pro-owner", limit=2) == [third.id, second.id]
    assert await store.list_for("pro-member") == [other.id]
    assert await store.list_for("nobody") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("T-000042", "T-000042"),
    ("ticket 000042", "T-000042"),
    ("my ticket 1234", "T-001234"),
    ("what's the status of T-000123?", "T-000123"),
    ("t000042", "T-000042"),
    ("no id here", None),
    ("", None),
])
def test_parse_ticket_id(text: str, expected: str | None) -> None:
    assert parse_ticket_id(text) == expected


def test_parse_short_ticket_id_with_prefix() -> None:
    assert parse_ticket_id("t-42") == "T-000042"
