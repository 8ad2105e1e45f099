"""The web view's routes: static pages for the gym TV and the coach, and a JSON snapshot API.

Pure routing on a path; ``server.py`` turns a :class:`WebResponse` into an HTTP response. The pages
talk to the server with the same WebSocket protocol as the game.
"""

from __future__ import annotations

import functools
import ipaddress
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


#: Methods answered on HTTP paths; anything else gets 405 (nothing here changes state over HTTP).
ALLOWED_METHODS = ("GET", "HEAD")


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header, lower case, without the port or IPv6 brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def is_host_allowed(host_header: str | None, allowed: tuple[str, ...], own_names: tuple[str, ...]) -> bool:
    """Whether a request's ``Host`` names this server (DNS rebinding defence).

    A page from ``evil.example`` whose name was re-pointed at this server sends ``Host:
    evil.example``: refused. Allowed are IP literals (a name can be rebound, an address cannot),
    ``localhost``, this machine's own names, and the operator's ``--allowed-host`` names (``*``
    allows any, ``.gym.example`` a domain and its subdomains). A request without ``Host`` (HTTP/1.0
    tools) is allowed: browsers always send one.
    """
    if host_header is None:
        return True
    host = host_name(host_header)
    if "*" in allowed or host in ("localhost", *own_names) or _is_ip(host):
        return True
    for name in allowed:
        name = name.lower().rstrip(".")
        if host == name or (name.startswith(".") and (host.endswith(name) or host == name[1:])):
            return True
    return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
