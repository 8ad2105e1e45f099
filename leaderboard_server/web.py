"""The web view's routes: static pages for the gym TV and the coach, and a JSON snapshot API.

Pure routing on a path; ``server.py`` turns a :class:`WebResponse` into an HTTP response. The pages
talk to the server with the same WebSocket protocol as the game.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

_STATIC = {
    "app.css": "text/css; charset=utf-8",
    "live.js": "text/javascript; charset=utf-8",
    "tv.js": "text/javascript; charset=utf-8",
    "coach.js": "text/javascript; charset=utf-8",
    "index.js": "text/javascript; charset=utf-8",
    "boards.js": "text/javascript; charset=utf-8",
}
_PAGES = {"/": "index.html", "/coach": "coach.html", "/boards": "boards.html"}
_TV = re.compile(r"^/tv/([A-Za-z0-9]{4,12})$")
_API_CHALLENGE = re.compile(r"^/api/challenges/([A-Za-z0-9]{4,12})$")
HTML = "text/html; charset=utf-8"
JSON = "application/json"


@dataclass(frozen=True)
class WebResponse:
    status: int
    content_type: str
    body: bytes
    cache: bool = False


@dataclass(frozen=True)
class SnapshotRequest:
    """The route needs the standings of challenge ``code`` from storage."""

    code: str


@functools.cache
def _asset(name: str) -> bytes:
    return resources.files("leaderboard_server.pages").joinpath(name).read_bytes()


def json_response(status: int, payload: dict[str, Any]) -> WebResponse:
    return WebResponse(status, JSON, json.dumps(payload, separators=(",", ":")).encode("utf-8"))


def route(path: str) -> WebResponse | SnapshotRequest:
    """Answer a GET for ``path`` (query string already removed)."""
    if path in _PAGES:
        return WebResponse(200, HTML, _asset(_PAGES[path]))
    if _TV.match(path):
        return WebResponse(200, HTML, _asset("tv.html"))
    if path.startswith("/static/"):
        name = path[len("/static/"):]
        if name in _STATIC:
            return WebResponse(200, _STATIC[name], _asset(name), cache=True)
    match = _API_CHALLENGE.match(path)
    if match:
        return SnapshotRequest(match.group(1).upper())
    return json_response(404, {"error": "not_found", "message": f"nothing at {path}"})
