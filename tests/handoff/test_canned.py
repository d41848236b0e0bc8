"""Canned replies are checked when the gateway starts; a bad file names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.canned import CannedError, load_canned


def test_the_shipped_canned_replies_load() -> None:
    replies = load_canned()
    assert len(replies) >= 5
    assert len({r.shortcut for r in replies}) == len(replies)


@pytest.mark.parametrize(("body", "complaint"), [
    ("canned: nope", "top-level 'canned:' list"),
    ("canned:\n  - {shortcut: Hi There, title: t, text: x}", "canned[0]: shortcut"),
    ("canned:\n  - {shortcut: hi, title: t, text: x}\n  - {shortcut: hi, title: u, text: y}",
     "canned[1]: shortcut 'hi' is used twice"),
    ("canned:\n  - {shortcut: hi, title: '', text: x}", "canned[0] (hi): title"),
    ("canned:\n  - {shortcut: hi, title: t}", "canned[0] (hi): text"),
    ("canned: [", "not valid YAML"),
])
def test_bad_files_are_refused_with_the_entry_named(tmp_path: Path, body: str,
                                                    complaint: str) -> None:
    path = tmp_path / "canned.yml"
    path.write_text(body)
    with pytest.raises(CannedError, match=r"canned\.yml") as err:
        load_canned(path)
    assert complaint in str(err.value)


def test_no_file_means_no_canned_replies(tmp_path: Path) -> None:
    assert load_canned(tmp_path / "missing.yml") == ()
