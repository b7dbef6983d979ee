"""auth.test: who the app is, in which workspace."""

from __future__ import annotations

from typing import Any

from sandbox.slack.workspace import Method, Workspace


def _auth_test(s: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{s.team_domain}.slack.com/",
        "team": s.team_name,
        "user": "lscb",
        "team_id": s.team_id,
        "user_id": s.bot_user_id,
        "bot_id": s.bot_id,
        "is_enterprise_install": False,
    }


METHODS: dict[str, Method] = {"auth.test": _auth_test}
