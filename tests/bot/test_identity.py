"""Identity tokens: only a well-formed HS256 token with `sub` and `exp`, signed with our
secret and not expired, identifies a user; everything else is an anonymous visitor."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest

from bot import identity
from bot.identity import Identity, issue, verify

# At least 64 bytes, so PyJWT's key-length warnings (errors under filterwarnings=error)
# never fire, even for HS512.
SECRET = "test-help-center-secret-" + "x" * 48
OTHER_SECRET = "another-help-center-secret-" + "y" * 48


def b64url(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "business-admin", "exp": int(time.time()) + 600, **extra}


def test_valid_token_is_verified() -> None:
    token = issue("business-admin", SECRET)
    result = verify(token, SECRET)
    assert result == Identity("business-admin", "verified")
    assert result.verified


@pytest.mark.parametrize("token", [None, "", b""])
def test_missing_token(token: object) -> None:
    result = verify(token, SECRET)
    assert result == Identity(None, "missing")
    assert not result.verified
    assert result == identity.ANONYMOUS


def test_expired_token() -> None:
    token = issue("business-admin", SECRET, ttl_s=60, now=time.time() - 7200)
    assert verify(token, SECRET) == Identity(None, "expired")


def test_recently_expired_token_within_leeway_still_verifies() -> None:
    token = issue("pro-owner", SECRET, ttl_s=60, now=time.time() - 70)  # 10 s past exp
    assert verify(token, SECRET) == Identity("pro-owner", "verified")


def test_tampered_payload() -> None:
    token = issue("pro-member", SECRET)
    header, payload, signature = token.split(".")
    # Claim to be someone else with the same signature.
    forged = b64url({**json.loads(base64.urlsafe_b64decode(payload + "==")),
                     "sub": "business-admin"})
    assert verify(f"{header}.{forged}.{signature}", SECRET) == Identity(None, "invalid")
    # And a single changed character in the middle of the payload segment.
    middle = len(payload) // 2
    flipped = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]
    assert verify(f"{header}.{flipped}.{signature}", SECRET) == Identity(None, "invalid")


def test_wrong_key() -> None:
    token = issue("business-admin", OTHER_SECRET)
    assert verify(token, SECRET) == Identity(None, "invalid")


def test_alg_none_built_by_hand() -> None:
    header = b64url({"alg": "none", "typ": "JWT"})
    token = f"{header}.{b64url(claims())}."
    assert verify(token, SECRET) == Identity(None, "invalid")


def test_alg_none_from_pyjwt() -> None:
    token = jwt.encode(claims(), "", algorithm="none")  # "" means no key for "none"
    assert token.endswith(".")
    assert verify(token, SECRET) == Identity(None, "invalid")


def test_hs512_with_the_right_secret_is_refused() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS512")
    assert verify(token, SECRET) == Identity(None, "invalid")


def test_token_without_exp() -> None:
    token = jwt.encode({"sub": "business-admin"}, SECRET, algorithm="HS256")
    assert verify(token, SECRET) == Identity(None, "invalid")


def test_token_without_sub() -> None:
    token = jwt.encode({"exp": int(time.time()) + 600}, SECRET, algorithm="HS256")
    assert verify(token, SECRET) == Identity(None, "invalid")


@pytest.mark.parametrize("sub", ["", "x" * 129])
def test_empty_or_overlong_sub(sub: str) -> None:
    token = jwt.encode(claims(sub=sub), SECRET, algorithm="HS256")
    assert verify(token, SECRET) == Identity(None, "invalid")


@pytest.mark.parametrize("token", [12345, {"sub": "business-admin"}, ["a.b.c"], 3.5])
def test_non_string_token(token: object) -> None:
    assert verify(token, SECRET) == Identity(None, "invalid")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "...", "eyJ.eyJ.sig"])
def test_malformed_token(token: str) -> None:
    assert verify(token, SECRET) == Identity(None, "invalid")


def test_oversized_token() -> None:
    # Correctly signed and unexpired, but far longer than any real identity token.
    token = jwt.encode(claims(pad="p" * 5000), SECRET, algorithm="HS256")
    assert len(token) > identity.MAX_TOKEN_LENGTH
    assert verify(token, SECRET) == Identity(None, "invalid")
    assert verify("x" * (identity.MAX_TOKEN_LENGTH + 1), SECRET) == Identity(None, "invalid")


def test_issue_sets_sub_iat_exp() -> None:
    now = time.time()
    token = issue("api-admin", SECRET, ttl_s=120, now=now)
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert decoded == {"sub": "api-admin", "iat": int(now), "exp": int(now) + 120}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


# --- secret_from_env ----------------------------------------------------------------------

def test_production_without_secret_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELP_CENTER_SECRET", raising=False)
    monkeypatch.setenv("HANDOFF_ENV", "production")
    with pytest.raises(RuntimeError, match="HELP_CENTER_SECRET"):
        identity.secret_from_env()


def test_production_with_empty_secret_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELP_CENTER_SECRET", "")
    monkeypatch.setenv("HANDOFF_ENV", "production")
    with pytest.raises(RuntimeError):
        identity.secret_from_env()


def test_production_with_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELP_CENTER_SECRET", SECRET)
    monkeypatch.setenv("HANDOFF_ENV", "production")
    assert identity.secret_from_env() == SECRET


def test_no_secret_works_by_default_in_development_either(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The development secret was written in the source: anyone could sign tokens for
    any demo user of a development stack. Now there is none to fall back to."""
    monkeypatch.delenv("HELP_CENTER_SECRET", raising=False)
    monkeypatch.delenv("HANDOFF_ENV", raising=False)
    with pytest.raises(identity.SecretMissing, match="make run makes one"):
        identity.secret_from_env()
    monkeypatch.setenv("HELP_CENTER_SECRET", "short")
    with pytest.raises(identity.SecretMissing, match="at least 32 bytes"):
        identity.secret_from_env()


def test_dev_token_signs_demo_users_outside_production_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HANDOFF_ENV", raising=False)
    monkeypatch.setenv("HELP_CENTER_SECRET", SECRET)
    tok = identity.dev_token("pro-owner", {"pro-owner"})
    assert identity.verify(tok, identity.secret_from_env()) == identity.Identity(
        "pro-owner", "verified")
    with pytest.raises(KeyError, match="unknown demo user 'nobody'"):
        identity.dev_token("nobody", {"pro-owner"})
    monkeypatch.setenv("HANDOFF_ENV", "production")
    monkeypatch.setenv("HELP_CENTER_SECRET", "s" * 40)
    with pytest.raises(identity.DevTokensDisabled):
        identity.dev_token("pro-owner", {"pro-owner"})


# --- what the gateway passes the bot --------------------------------------------------------

def test_the_bots_assertion_carries_what_the_gateway_found_and_nothing_else() -> None:
    for who in (Identity("pro-owner", "verified"), Identity(None, "expired"),
                Identity(None, "missing")):
        assert identity.verify_assertion(identity.assertion(who, SECRET), SECRET) == who
    forged = issue("pro-owner", SECRET)  # a help-center token is not an assertion
    assert identity.verify_assertion(forged, SECRET) == Identity(None, "invalid")
    stale = identity.assertion(Identity("pro-owner", "verified"), SECRET,
                               now=time.time() - 3600)
    assert identity.verify_assertion(stale, SECRET) == Identity(None, "invalid")
    other = identity.assertion(Identity("pro-owner", "verified"), "o" * 40)
    assert identity.verify_assertion(other, SECRET) == Identity(None, "invalid")


def test_audience_and_issuer_are_checked_when_the_help_center_sets_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Help-center tokens had no audience check: a token the help center signed for
    another service was accepted here."""
    now = int(time.time())
    ours = jwt.encode({"sub": "pro-owner", "exp": now + 60, "aud": "chat", "iss": "hc"},
                      SECRET, algorithm="HS256")
    theirs = jwt.encode({"sub": "pro-owner", "exp": now + 60, "aud": "billing",
                         "iss": "hc"}, SECRET, algorithm="HS256")
    plain = issue("pro-owner", SECRET)
    monkeypatch.setenv("HELP_CENTER_TOKEN_AUDIENCE", "chat")
    monkeypatch.setenv("HELP_CENTER_TOKEN_ISSUER", "hc")
    rules = identity.expected_claims()
    assert verify(ours, SECRET, **rules) == Identity("pro-owner", "verified")
    assert verify(theirs, SECRET, **rules) == Identity(None, "invalid")
    assert verify(plain, SECRET, **rules) == Identity(None, "invalid")  # no aud at all
    monkeypatch.delenv("HELP_CENTER_TOKEN_AUDIENCE")
    monkeypatch.delenv("HELP_CENTER_TOKEN_ISSUER")
    assert verify(plain, SECRET, **identity.expected_claims()) == \
        Identity("pro-owner", "verified")
