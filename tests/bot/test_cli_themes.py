"""`lscb themes [--json]` and what `lscb import` says about themes."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import main
from tests.conftest import EXAMPLE_ORG, SEED

NOW = "2026-12-07T09:00:00+00:00"


def run_cli(capsys, argv, env) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(argv, env=env)
    out, err = capsys.readouterr()
    return code, out, err


def test_themes_json_is_stable_run_to_run_and_the_import_says_what_it_suggested(
    tmp_path: Path, capsys
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'themes.sqlite3'}"}
    assert run_cli(capsys, ["db", "upgrade"], env)[0] == 0
    assert run_cli(capsys, ["org", "load", str(EXAMPLE_ORG)], env)[0] == 0
    code, out, err = run_cli(capsys, ["import", str(SEED), "--json"], env)
    assert code == 0
    learning = json.loads(out)["summary"]["learning"]["items"]
    (bruising,) = [
        i
        for i in learning
        if any("non-mobile babies" in w for t in i["themes"] for w in t["words"])
    ]
    assert bruising["kind"] == "finding"
    assert "themes suggested: vulnerable-babies (bruising, non-mobile babies" in err
    assert "like earlier" in err

    code, first, _ = run_cli(capsys, ["themes", "--json", "--now", NOW], env)
    assert code == 0
    code, second, _ = run_cli(capsys, ["themes", "--json", "--now", NOW], env)
    assert first == second
    data = json.loads(first)
    neglect = next(t for t in data["themes"] if t["code"] == "neglect")
    assert neglect["review_count"] == 5 and neglect["finding_count"] >= 10
    assert set(neglect) >= {"reviews", "actions", "brag", "raised_again"}

    code, out, err = run_cli(capsys, ["themes", "neglect"], env)
    assert code == 0 and out.startswith("neglect: Neglect — 5 reviews")
    code, out, err = run_cli(capsys, ["themes", "no-such-theme"], env)
    assert code == 1 and out == "" and "There is no theme “no-such-theme”" in err
