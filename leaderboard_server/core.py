"""The server's pure core: one decoded message in, replies and effects out.

``handle(message, session, repo, now_ms, entropy, config)`` never touches a socket or a clock; the
time and the randomness (for tokens and codes) are arguments, and the storage is a
:class:`~leaderboard_server.repository.Repository` whose transaction the caller owns. The caller
(``server.py``) sends the replies, applies the effects (subscriptions, standings pushes, closes)
and commits.

Rights, in one place (``_require_*`` helpers):
- anyone may watch a challenge by its code and read the global boards;
- a player may submit their own scores, join groups by invite and challenges by code, read their
  own telemetry and coach override;
- a trainer additionally creates and runs challenges, and coaches players who share a group with
  them (reads their telemetry, sets their plan override).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from leaderboard_server.errors import (
    FINAL_CODES,
    ClockAheadError,
    ConflictError,
    ForbiddenError,
    NotAuthenticatedError,
    NotFoundError,
    ProtocolError,
    QuotaExceededError,
    ServerError,
    TokenExpiredError,
)
from leaderboard_server.plausibility import DEFAULT_LIMITS, Limits, Violation, check_progress, violations
from leaderboard_server.protocol import CHALLENGE_MODE, PROTOCOL_VERSION, request_id
from leaderboard_server.records import ChallengeRec, PlayerRec, StandingRec, SubmissionRec, TokenRec

if TYPE_CHECKING:  # the core is sans-I/O: the repository (SQLAlchemy) is only a type here
    from leaderboard_server.repository import Repository

SERVER_NAME = "ringside-server"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a TV
INVITE_CODE_LEN = 8
CHALLENGE_CODE_LEN = 6


class Entropy(Protocol):
    """Source of randomness for tokens and codes (``secrets`` in production, seeded in tests)."""

    def token_bytes(self, n: int) -> bytes: ...


@dataclass(frozen=True)
class Quota:
    """What one player may store in a rolling window (accepted and rejected sessions alike)."""

    window_ms: int = 24 * 3600 * 1000
    #: A very keen player records a few dozen sessions a day; an outbox back from months offline
    #: sends a few hundred. 1,000 a day is far above both.
    max_submissions: int = 1000
    #: Telemetry characters (JSON) per window: a long set with per-rep metrics is ~50 KB, so this
    #: is ~600 such sessions, and bounds one player's growth of the database to ~30 MB/day.
    max_telemetry_chars: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class CoreConfig:
    #: Registering with this code makes a trainer; None disables trainer self-registration.
    trainer_code: str | None = None
    limits: Limits = DEFAULT_LIMITS
    quota: Quota = Quota()
    #: How long after a challenge ends final submissions still count (games finishing the set).
    challenge_grace_ms: int = 2 * 60 * 1000
    server_version: str = "0.1.0"
    #: A device token expires after this long without a sign-in (sliding: every sign-in renews
    #: it). A lost device's token dies on its own; one used weekly never does.
    token_idle_ms: int = 180 * 24 * 3600 * 1000
    #: A sign-in renews the lifetime at most this often (a write per device per day, not per hello).
    token_touch_ms: int = 24 * 3600 * 1000
    #: Valid device tokens one player may hold (token.issue refuses more).
    max_devices: int = 20


@dataclass(frozen=True)
class SessionState:
    """What the server knows about one connection."""

    player: PlayerRec | None = None
    watching: frozenset[str] = field(default_factory=frozenset)
    #: The public id of the device token this connection signed in with.
    token: str | None = None
    #: What the client called itself in ``hello`` (the label of a token made on this connection).
    client: str | None = None


@dataclass(frozen=True)
class Subscribe:
    code: str


@dataclass(frozen=True)
class Unsubscribe:
    code: str


@dataclass(frozen=True)
class Publish:
    """The standings of challenge ``code`` changed: push them to every watcher."""

    code: str


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


@dataclass(frozen=True)
class Revoked:
    """These device tokens were revoked: close every connection signed in with one of them."""

    tokens: frozenset[str]


Effect = Subscribe | Unsubscribe | Publish | Close | Revoked


@dataclass(frozen=True)
class Outcome:
    replies: tuple[dict[str, Any], ...]
    effects: tuple[Effect, ...]
    session: SessionState


# -- small pure helpers --------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """Tokens are 256-bit random strings, so an unsalted SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(entropy: Entropy) -> str:
    return "rs1." + base64.urlsafe_b64encode(entropy.token_bytes(32)).decode("ascii").rstrip("=")


def new_public_id(entropy: Entropy) -> str:
    return entropy.token_bytes(8).hex()


def new_code(entropy: Entropy, length: int) -> str:
    # 32 symbols divide 256, so ``byte % 32`` is unbiased.
    return "".join(_CODE_ALPHABET[b % 32] for b in entropy.token_bytes(length))


def period_keys(t_ms: int) -> dict[str, str]:
    """Board period keys of an instant: UTC day, ISO week, and all time."""
    day = dt.datetime.fromtimestamp(t_ms / 1000.0, tz=dt.timezone.utc).date()
    year, week, _ = day.isocalendar()
    return {"daily": day.isoformat(), "weekly": f"{year}-W{week:02d}", "all_time": "all"}


def challenge_phase(ch: ChallengeRec, now_ms: int) -> str:
    """``lobby``, ``running`` or ``finished`` (stopped early, or its time is up)."""
    if ch.state == "lobby":
        return "lobby"
    if ch.state == "stopped" or (ch.ends_at_ms is not None and now_ms >= ch.ends_at_ms):
        return "finished"
    return "running"


def challenge_end_ms(ch: ChallengeRec) -> int | None:
    if ch.stopped_at_ms is not None and (ch.ends_at_ms is None or ch.stopped_at_ms < ch.ends_at_ms):
        return ch.stopped_at_ms
    return ch.ends_at_ms


def challenge_json(ch: ChallengeRec, now_ms: int) -> dict[str, Any]:
    return {
        "code": ch.code,
        "title": ch.title,
        "exercise": ch.exercise,
        "trainer": ch.trainer_name,
        "state": challenge_phase(ch, now_ms),
        "duration_s": ch.duration_s,
        "started_at_ms": ch.started_at_ms,
        "ends_at_ms": challenge_end_ms(ch),
    }


def rank_standings(rows: list[StandingRec]) -> list[dict[str, Any]]:
    """Order participants (best score first; ties: who got there first) with competition ranks."""
    scored = sorted(
        rows,
        key=lambda r: (-max(r.live_score, r.final_score or 0.0), r.updated_at_ms, r.name, r.player_public_id),
    )
    entries: list[dict[str, Any]] = []
    previous: float | None = None
    rank = 0
    for i, r in enumerate(scored):
        score = max(r.live_score, r.final_score or 0.0)
        if previous is None or score < previous:
            rank = i + 1
            previous = score
        entries.append({"rank": rank, "player": r.player_public_id, "name": r.name, "score": _num(score),
                        "final": r.final_score is not None})
    return entries


def standings_message(ch: ChallengeRec, rows: list[StandingRec], now_ms: int) -> dict[str, Any]:
    """The full standings snapshot pushed to watchers (always complete, never a delta)."""
    return {
        "v": PROTOCOL_VERSION,
        "type": "standings",
        "challenge": challenge_json(ch, now_ms),
        "version": ch.version,
        "now_ms": now_ms,
        "entries": rank_standings(rows),
    }


def snapshot(repo: Repository, code: str, now_ms: int) -> dict[str, Any] | None:
    """Standings of challenge ``code`` read fresh from storage (None if it does not exist)."""
    ch = repo.challenge_by_code(code)
    if ch is None:
        return None
    return standings_message(ch, repo.standings(ch.id), now_ms)


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def error_reply(err: ServerError, rid: str | int | None) -> dict[str, Any]:
    reply: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": "error", "code": err.code, "message": str(err),
                             "final": err.code in FINAL_CODES}
    if rid is not None:
        reply["re"] = rid
    retry = getattr(err, "retry_after_ms", None)
    if retry is not None:
        reply["retry_after_ms"] = retry
    return reply


# -- the entry point -----------------------------------------------------------------------------


def handle(
    message: dict[str, Any],
    session: SessionState,
    repo: Repository,
    now_ms: int,
    entropy: Entropy,
    config: CoreConfig = CoreConfig(),
) -> Outcome:
    """Apply one schema-valid client message. Never raises :class:`ServerError`: those become
    ``error`` replies (and a ``Close`` effect when the error demands it). Handlers check every
    precondition before their first write, so an error leaves storage untouched."""
    rid = request_id(message)
    handler = _HANDLERS.get(message.get("type", ""))
    try:
        if handler is None:
            raise ProtocolError(f"unknown message type {message.get('type')!r}")
        outcome = handler(_Ctx(message, session, repo, now_ms, entropy, config))
    except ServerError as err:
        effects: tuple[Effect, ...] = ()
        if err.close_code is not None:
            effects = (Close(err.close_code, err.code),)
        return Outcome((error_reply(err, rid),), effects, session)
    if rid is not None:
        for reply in outcome.replies[:1]:
            reply["re"] = rid
    return outcome


@dataclass(frozen=True)
class _Ctx:
    msg: dict[str, Any]
    session: SessionState
    repo: Repository
    now_ms: int
    entropy: Entropy
    config: CoreConfig

    def reply(self, type_: str, **fields: Any) -> dict[str, Any]:
        return {"v": PROTOCOL_VERSION, "type": type_, **fields}

    def done(self, *replies: dict[str, Any], effects: tuple[Effect, ...] = (),
             session: SessionState | None = None) -> Outcome:
        return Outcome(tuple(replies), effects, session or self.session)


def _require_player(c: _Ctx) -> PlayerRec:
    if c.session.player is None:
        raise NotAuthenticatedError("sign in first: send 'hello' with your token, or 'register'")
    return c.session.player


def _require_trainer(c: _Ctx) -> PlayerRec:
    player = _require_player(c)
    if not player.is_trainer:
        raise ForbiddenError("only trainers can do this; ask the server operator for a trainer account")
    return player


def _require_coach_of(c: _Ctx, public_id: str | None) -> PlayerRec:
    """The target player, if the sender is that player or a trainer sharing a group with them."""
    me = _require_player(c)
    if public_id is None or public_id == me.public_id:
        return me
    target = c.repo.player_by_public_id(public_id)
    # Unknown players and players you may not coach get the same answer: no probing for ids.
    if target is None or not me.is_trainer or not c.repo.shares_group(me.id, target.id):
        raise ForbiddenError("you can only see players who share a group with you as their trainer")
    return target


def _challenge(c: _Ctx) -> ChallengeRec:
    code = str(c.msg["code"]).upper()
    ch = c.repo.challenge_by_code(code)
    if ch is None:
        raise NotFoundError(f"no challenge with code {code}; check the code on the trainer's screen")
    return ch


def _unique_code(c: _Ctx, length: int, exists: Callable[[str], bool]) -> str:
    for _ in range(8):
        code = new_code(c.entropy, length)
        if not exists(code):
            return code
    raise ConflictError("could not find a free code; try again")


def _player_json(p: PlayerRec) -> dict[str, Any]:
    return {"id": p.public_id, "name": p.name, "role": p.role}


# -- handlers ------------------------------------------------------------------------------------


def _hello(c: _Ctx) -> Outcome:
    token = c.msg.get("token")
    session = c.session
    if "client" in c.msg:
        session = replace(session, client=str(c.msg["client"]))
    player = session.player  # a hello without a token keeps the connection's sign-in
    if token is not None:
        found = c.repo.player_by_token_hash(hash_token(str(token)))
        if found is None:
            raise NotAuthenticatedError("this token is not known here; register again to get a new one")
        player, device = found
        if device.revoked_at_ms is not None:
            raise TokenExpiredError("this device was signed out (its token was revoked); register or sign in again")
        if not device.is_valid(c.now_ms):
            raise TokenExpiredError("this device's token expired after "
                                    f"{c.config.token_idle_ms // 86_400_000} days unused; register or sign in again")
        if c.now_ms - device.last_used_ms >= c.config.token_touch_ms:
            c.repo.touch_token(device.id, c.now_ms, c.now_ms + c.config.token_idle_ms)
        session = replace(session, token=device.public_id)
    return c.done(
        c.reply("welcome", server=SERVER_NAME, server_version=c.config.server_version, protocol=PROTOCOL_VERSION,
                now_ms=c.now_ms, player=None if player is None else _player_json(player)),
        session=replace(session, player=player),
    )


def _add_device(c: _Ctx, player_id: int, token: str, label: str) -> TokenRec:
    """Store a device token (its hash) with a fresh lifetime."""
    return c.repo.add_token(player_id=player_id, public_id=_unique_public_id(c, c.repo.token_public_id_exists),
                            token_hash=hash_token(token), label=label[:60] or "device", now_ms=c.now_ms,
                            expires_at_ms=c.now_ms + c.config.token_idle_ms)


def _register(c: _Ctx) -> Outcome:
    if c.session.player is not None:
        raise ConflictError("this connection is already signed in")
    role = "player"
    code = c.msg.get("trainer_code")
    if code is not None:
        if c.config.trainer_code is None or not hmac.compare_digest(
            str(code).encode("utf-8"), c.config.trainer_code.encode("utf-8")
        ):
            raise ForbiddenError("that trainer code is wrong; ask the server operator for it")
        role = "trainer"
    token = new_token(c.entropy)
    public_id = _unique_public_id(c, lambda pid: c.repo.player_by_public_id(pid) is not None)
    player = c.repo.add_player(public_id=public_id, name=c.msg["name"].strip() or "Player", role=role,
                               token_hash=hash_token(token), now_ms=c.now_ms)
    device = _add_device(c, player.id, token, c.session.client or "device")
    return c.done(c.reply("registered", player=_player_json(player), token=token),
                  session=replace(c.session, player=player, token=device.public_id))


def _device_json(d: TokenRec, current: str | None) -> dict[str, Any]:
    return {"id": d.public_id, "label": d.label, "created_at_ms": d.created_at_ms, "last_used_ms": d.last_used_ms,
            "expires_at_ms": d.expires_at_ms, "revoked_at_ms": d.revoked_at_ms, "current": d.public_id == current}


def _token_issue(c: _Ctx) -> Outcome:
    """A signed-in player gets a token for another device (the same player on a second screen)."""
    me = _require_player(c)
    live = [d for d in c.repo.tokens_of(me.id) if d.is_valid(c.now_ms)]
    if len(live) >= c.config.max_devices:
        raise ConflictError(f"you are signed in on {len(live)} devices, the most allowed; sign one out first "
                            "(token.revoke)")
    token = new_token(c.entropy)
    device = _add_device(c, me.id, token, str(c.msg.get("label", "device")))
    return c.done(c.reply("token", token=token, device=_device_json(device, c.session.token)))


def _token_list(c: _Ctx) -> Outcome:
    target = _require_coach_of(c, c.msg.get("player"))
    return c.done(c.reply("tokens", player=_player_json(target),
                          tokens=[_device_json(d, c.session.token) for d in c.repo.tokens_of(target.id)]))


def _token_revoke(c: _Ctx) -> Outcome:
    """Sign a device out. A player revokes their own devices (none named: this one); a trainer
    also those of a player they coach (none named: all of that player's devices)."""
    me = _require_player(c)
    target = _require_coach_of(c, c.msg.get("player"))
    devices = c.repo.tokens_of(target.id)
    if "token" in c.msg:
        devices = [d for d in devices if d.public_id == c.msg["token"]]
        if not devices:
            raise NotFoundError("no such device for this player; token.list shows them")
    elif target.id == me.id:
        devices = [d for d in devices if d.public_id == c.session.token]
        if not devices:
            raise ConflictError("this connection did not sign in with a device token; name the device to revoke")
    revoked = frozenset(d.public_id for d in devices if c.repo.revoke_token(d.id, c.now_ms))
    session = c.session
    if c.session.token in {d.public_id for d in devices}:
        session = replace(session, player=None, token=None)  # signed out here too
    return c.done(c.reply("revoked", player=_player_json(target), tokens=sorted(revoked)),
                  effects=(Revoked(revoked),) if revoked else (), session=session)


def _unique_public_id(c: _Ctx, exists: Callable[[str], bool]) -> str:
    for _ in range(8):
        pid = new_public_id(c.entropy)
        if not exists(pid):
            return pid
    raise ConflictError("could not allocate an id; try again")


def _profile_set(c: _Ctx) -> Outcome:
    me = _require_player(c)
    name = c.msg["name"].strip() or me.name
    c.repo.rename_player(me.id, name)
    player = replace(me, name=name)
    return c.done(c.reply("profile", player=_player_json(player)), session=replace(c.session, player=player))


def _ping(c: _Ctx) -> Outcome:
    return c.done(c.reply("pong", now_ms=c.now_ms))


def _submission_reply(c: _Ctx, rec: SubmissionRec, status: str, boards: list[dict[str, Any]]) -> dict[str, Any]:
    return c.reply("submitted", submission=rec.client_id, status=status, score=_num(rec.score), boards=boards)


def _boards_for(c: _Ctx, player: PlayerRec, mode: str, played_at_ms: int,
                written: dict[str, tuple[float, bool]] | None = None) -> list[dict[str, Any]]:
    """The player's best and rank on each period's board the session counts for. ``written`` is
    what ``raise_bests`` returned (best and whether this session set it); otherwise read."""
    keys = period_keys(played_at_ms)
    if written is None:
        written = {p: (score, False) for p, score in c.repo.bests_of(mode=mode, keys=keys, player_id=player.id).items()}
    bests = {p: best for p, (best, _) in written.items()}
    ranks = c.repo.ranks_of(mode=mode, keys=keys, scores=bests)
    return [{"period": p, "period_key": k, "best": _num(bests[p]), "rank": ranks[p], "improved": written[p][1]}
            for p, k in keys.items() if p in bests]


def _implausible(c: _Ctx, client_id: str, found: list[Violation]) -> dict[str, Any]:
    reasons = [v.text for v in found]
    return c.reply("error", code="implausible", final=True, submission=client_id,
                   message="this score was not accepted: " + "; ".join(reasons), reasons=reasons,
                   checks=sorted({v.rule for v in found}))


def _stored_reason(found: list[Violation]) -> str:
    return "; ".join(f"{v.text} [{v.rule}]" for v in found)


def _read_reason(reason: str | None) -> list[Violation]:
    """The violations of a stored rejection (written by :func:`_stored_reason`; older rows have
    no rule tags)."""
    found = []
    for part in (reason or "rejected").split("; "):
        text, sep, tail = part.rpartition(" [")
        found.append(Violation(tail[:-1], text) if sep and tail.endswith("]") else Violation("rejected", part))
    return found


#: Top-level telemetry kept of a rejected submission: the figures the reasons talk about, not the
#: per-rep and per-round lists (a forger must not be able to fill the database with refusals).
_REJECTED_KEEP = ("duration_ms", "punches_thrown", "punches_landed", "dodges", "peak_hand_speed_mps",
                  "reps_attempted", "app_version")


def rejected_digest(telemetry: dict[str, Any]) -> dict[str, Any]:
    """What is stored of a rejected submission's telemetry: a few scalars and list lengths."""
    digest = {k: telemetry[k] for k in _REJECTED_KEEP if k in telemetry}
    for key in ("reps", "rounds"):
        if isinstance(telemetry.get(key), list):
            digest[f"{key}_listed"] = len(telemetry[key])
    return digest


def _check_quota(c: _Ctx, player: PlayerRec, size: int) -> None:
    quota = c.config.quota
    since = c.now_ms - quota.window_ms
    count, stored = c.repo.stored_since(player.id, since)
    if count >= quota.max_submissions or stored + size > quota.max_telemetry_chars:
        raise QuotaExceededError(
            f"you stored {count} sessions ({stored // 1024} KiB of telemetry) in the last 24 h, the most one "
            "player may; this one is kept on your device and is sent later", retry_after_ms=quota.window_ms // 24)


def _submit(c: _Ctx) -> Outcome:
    player = _require_player(c)
    sub = c.msg["submission"]
    existing = c.repo.submission_by_client_id(player.id, sub["id"])
    if existing is not None:
        # Idempotent: the first version of a submission id wins; resending gets the same answer.
        if not existing.is_accepted:
            return c.done(_implausible(c, existing.client_id, _read_reason(existing.reason)))
        boards = _boards_for(c, player, existing.mode, existing.played_at_ms)
        return c.done(_submission_reply(c, existing, "duplicate", boards))
    ahead_ms = sub["played_at_ms"] - (c.now_ms + c.config.limits.max_clock_skew_ms)
    if ahead_ms > 0:
        # A fast device clock says nothing about the score: not a final refusal (the outbox
        # would give up on it); it counts once the server's clock has caught up.
        raise ClockAheadError(f"this session is stamped {ahead_ms / 60_000:.0f} min ahead of the server's clock; "
                              "check the device clock. It is kept and will count once that time has passed",
                              retry_after_ms=ahead_ms)
    mode = sub["mode"]
    challenge: ChallengeRec | None = None
    found: list[Violation] = []
    if mode == CHALLENGE_MODE:
        if "challenge" not in sub:
            raise ProtocolError("submission: a challenge submission names its challenge code")
        code = str(sub["challenge"]).upper()
        challenge = c.repo.challenge_by_code(code)
        if challenge is None:
            raise NotFoundError(f"no challenge with code {code}")
        if not c.repo.is_participant(challenge.id, player.id):
            raise ForbiddenError(f"join challenge {code} before submitting to it")
        phase = challenge_phase(challenge, c.now_ms)
        if phase == "lobby":
            raise ConflictError(f"challenge {code} has not started yet")
        end_ms = challenge_end_ms(challenge)
        if phase == "finished" and end_ms is not None and c.now_ms > end_ms + c.config.challenge_grace_ms:
            raise ConflictError(f"challenge {code} is closed; its results are final")
        exercise = challenge.exercise
        if sub.get("exercise", exercise) != exercise:
            raise ProtocolError(f"submission: challenge {code} is a {exercise} challenge")
        assert challenge.started_at_ms is not None
        if sub["played_at_ms"] < challenge.started_at_ms - c.config.limits.max_clock_skew_ms:
            found.append(Violation("challenge.start", "the session was played before the challenge started"))
        # A session may run on past the challenge (the player kept going); the score must still
        # fit in the challenge's own time.
        challenge_ms = challenge.duration_s * 1000
        found += [Violation("challenge.time", r) for r in check_progress(
            exercise, float(sub["score"]), min(int(sub["duration_ms"]), challenge_ms), challenge_ms, c.config.limits)]
    else:
        if "challenge" in sub:
            raise ProtocolError(f"submission: only mode {CHALLENGE_MODE!r} names a challenge")
        exercise = mode
        if sub.get("exercise", exercise) != exercise:
            raise ProtocolError("submission: exercise must match the mode")
    found += violations(sub, exercise, c.now_ms, c.config.limits)
    telemetry = rejected_digest(sub["telemetry"]) if found else sub["telemetry"]
    telemetry_json = json.dumps(telemetry, separators=(",", ":"))  # encoded once: measured, then stored
    _check_quota(c, player, len(telemetry_json))
    sid = c.repo.add_submission(
        player_id=player.id, client_id=sub["id"], mode=mode, exercise=exercise, score=float(sub["score"]),
        played_at_ms=sub["played_at_ms"], duration_ms=sub["duration_ms"], received_at_ms=c.now_ms,
        challenge_id=None if challenge is None else challenge.id, is_accepted=not found,
        reason=_stored_reason(found) or None, telemetry=telemetry_json,
    )
    if found:
        return c.done(_implausible(c, sub["id"], found))
    written = c.repo.raise_bests(mode=mode, keys=period_keys(sub["played_at_ms"]), player_id=player.id,
                                 score=float(sub["score"]), submission_id=sid, achieved_at_ms=sub["played_at_ms"])
    effects: tuple[Effect, ...] = ()
    if challenge is not None:
        # The session was real squats (or boxing): it also counts on that exercise's boards.
        c.repo.raise_bests(mode=exercise, keys=period_keys(sub["played_at_ms"]), player_id=player.id,
                           score=float(sub["score"]), submission_id=sid, achieved_at_ms=sub["played_at_ms"])
        # Live progress is only rate-checked; this session was checked rep by rep, so it also
        # caps the live figure it claimed (a later session's progress can raise it again).
        score = float(sub["score"])
        raised = c.repo.raise_final_score(challenge.id, player.id, score, c.now_ms)
        if c.repo.cap_live_score(challenge.id, player.id, score, c.now_ms) or raised:
            c.repo.bump_challenge(challenge.id)
        effects = (Publish(challenge.code),)
    boards = _boards_for(c, player, mode, sub["played_at_ms"], written)
    return c.done(c.reply("submitted", submission=sub["id"], status="accepted", score=_num(float(sub["score"])),
                          boards=boards), effects=effects)


def _board_get(c: _Ctx) -> Outcome:
    mode, period = c.msg["mode"], c.msg["period"]
    limit = int(c.msg.get("limit", 20))
    group_id = None
    group_json = None
    if "group" in c.msg:
        me = _require_player(c)
        group = c.repo.group_by_public_id(c.msg["group"])
        if group is None or not c.repo.is_member(group.id, me.id):
            raise ForbiddenError("group boards are for the group's members; join with the invite code")
        group_id = group.id
        group_json = {"id": group.public_id, "name": group.name}
    key = period_keys(c.now_ms)[period]
    rows = c.repo.board(mode=mode, period=period, period_key=key, limit=limit, group_id=group_id)
    entries = []
    previous: float | None = None
    rank = 0
    for i, r in enumerate(rows):
        if previous is None or r.score < previous:
            rank, previous = i + 1, r.score
        entries.append({"rank": rank, "player": r.player_public_id, "name": r.name, "score": _num(r.score),
                        "at_ms": r.achieved_at_ms})
    me_json = None
    if c.session.player is not None:
        best = c.repo.best_of(mode=mode, period=period, period_key=key, player_id=c.session.player.id)
        if best is not None:
            me_json = {"score": _num(best[0]),
                       "rank": c.repo.rank_of(mode=mode, period=period, period_key=key, score=best[0],
                                              group_id=group_id)}
    return c.done(c.reply("board", mode=mode, period=period, period_key=key, group=group_json, entries=entries,
                          me=me_json))


def _group_json(g: Any, members: int, me: PlayerRec) -> dict[str, Any]:
    out = {"id": g.public_id, "name": g.name, "members": members, "is_owner": g.owner_id == me.id}
    out["invite_code"] = g.invite_code  # members may invite others
    return out


def _group_create(c: _Ctx) -> Outcome:
    me = _require_player(c)
    invite = _unique_code(c, INVITE_CODE_LEN, lambda code: c.repo.group_by_invite(code) is not None)
    public_id = new_public_id(c.entropy)
    if c.repo.group_by_public_id(public_id) is not None:
        raise ConflictError("could not allocate a group id; try again")
    group = c.repo.add_group(public_id=public_id, name=c.msg["name"].strip() or "Group", invite_code=invite,
                             owner_id=me.id, now_ms=c.now_ms)
    c.repo.add_member(group.id, me.id, c.now_ms)
    return c.done(c.reply("group", group=_group_json(group, 1, me)))


def _group_join(c: _Ctx) -> Outcome:
    me = _require_player(c)
    code = str(c.msg["invite_code"]).upper()
    group = c.repo.group_by_invite(code)
    if group is None:
        raise NotFoundError(f"no group with invite code {code}")
    c.repo.add_member(group.id, me.id, c.now_ms)
    return c.done(c.reply("group", group=_group_json(group, len(c.repo.members(group.id)), me)))


def _group_leave(c: _Ctx) -> Outcome:
    me = _require_player(c)
    group = c.repo.group_by_public_id(c.msg["group"])
    if group is None or not c.repo.is_member(group.id, me.id):
        raise NotFoundError("you are not in that group")
    c.repo.remove_member(group.id, me.id)
    return c.done(c.reply("left", group=group.public_id))


def _group_list(c: _Ctx) -> Outcome:
    me = _require_player(c)
    return c.done(c.reply("groups", groups=[_group_json(g, n, me) for g, n in c.repo.groups_of(me.id)]))


def _group_members(c: _Ctx) -> Outcome:
    me = _require_player(c)
    group = c.repo.group_by_public_id(c.msg["group"])
    if group is None or not c.repo.is_member(group.id, me.id):
        raise ForbiddenError("only members see a group's members")
    return c.done(c.reply("members", group=group.public_id,
                          members=[_player_json(p) for p in c.repo.members(group.id)]))


def _group_remove(c: _Ctx) -> Outcome:
    """The group's owner removes a member (someone who left the class)."""
    me = _require_player(c)
    group = c.repo.group_by_public_id(c.msg["group"])
    if group is None or group.owner_id != me.id:
        raise ForbiddenError("only the group's owner can remove members")
    target = c.repo.player_by_public_id(c.msg["player"])
    if target is None or not c.repo.is_member(group.id, target.id):
        raise NotFoundError("that player is not in the group")
    if target.id == me.id:
        raise ConflictError("owners leave with 'group.leave'")
    c.repo.remove_member(group.id, target.id)
    return c.done(c.reply("members", group=group.public_id,
                          members=[_player_json(p) for p in c.repo.members(group.id)]))


def _challenge_create(c: _Ctx) -> Outcome:
    me = _require_trainer(c)
    group_id = None
    if "group" in c.msg:
        group = c.repo.group_by_public_id(c.msg["group"])
        if group is None or not c.repo.is_member(group.id, me.id):
            raise ForbiddenError("you can only run a challenge for a group you belong to")
        group_id = group.id
    code = _unique_code(c, CHALLENGE_CODE_LEN, lambda k: c.repo.challenge_by_code(k) is not None)
    c.repo.add_challenge(code=code, title=c.msg["title"].strip() or "Challenge", exercise=c.msg["exercise"],
                         trainer_id=me.id, group_id=group_id, duration_s=c.msg["duration_s"], now_ms=c.now_ms)
    ch = c.repo.challenge_by_code(code)
    assert ch is not None
    return c.done(c.reply("challenge", **standings_body(c, ch)))


def standings_body(c: _Ctx, ch: ChallengeRec) -> dict[str, Any]:
    snap = standings_message(ch, c.repo.standings(ch.id), c.now_ms)
    return {"challenge": snap["challenge"], "version": snap["version"], "now_ms": snap["now_ms"],
            "entries": snap["entries"]}


def _challenge_join(c: _Ctx) -> Outcome:
    me = _require_player(c)
    ch = _challenge(c)
    if ch.group_id is not None and not c.repo.is_member(ch.group_id, me.id):
        raise ForbiddenError("this challenge is for one group's members; join the group first")
    if challenge_phase(ch, c.now_ms) == "finished" and not c.repo.is_participant(ch.id, me.id):
        raise ConflictError(f"challenge {ch.code} is over")
    effects: tuple[Effect, ...] = (Subscribe(ch.code),)
    if c.repo.join_challenge(ch.id, me.id, c.now_ms):
        c.repo.bump_challenge(ch.id)
        effects += (Publish(ch.code),)
        ch = c.repo.challenge_by_code(ch.code) or ch
    return c.done(c.reply("challenge", **standings_body(c, ch)), effects=effects,
                  session=replace(c.session, watching=c.session.watching | {ch.code}))


def _challenge_watch(c: _Ctx) -> Outcome:
    ch = _challenge(c)
    return c.done(c.reply("challenge", **standings_body(c, ch)), effects=(Subscribe(ch.code),),
                  session=replace(c.session, watching=c.session.watching | {ch.code}))


def _challenge_unwatch(c: _Ctx) -> Outcome:
    code = str(c.msg["code"]).upper()
    return c.done(c.reply("unwatched", code=code), effects=(Unsubscribe(code),),
                  session=replace(c.session, watching=c.session.watching - {code}))


def _challenge_get(c: _Ctx) -> Outcome:
    return c.done(c.reply("challenge", **standings_body(c, _challenge(c))))


def _challenge_list(c: _Ctx) -> Outcome:
    me = _require_trainer(c)
    items = []
    for ch in c.repo.challenges_of_trainer(me.id, int(c.msg.get("limit", 20))):
        items.append({**challenge_json(ch, c.now_ms), "players": len(c.repo.standings(ch.id))})
    return c.done(c.reply("challenges", challenges=items))


def _require_owner(c: _Ctx) -> ChallengeRec:
    me = _require_trainer(c)
    ch = _challenge(c)
    if ch.trainer_id != me.id:
        raise ForbiddenError(f"only {ch.trainer_name}, who created challenge {ch.code}, can run it")
    return ch


def _challenge_start(c: _Ctx) -> Outcome:
    ch = _require_owner(c)
    if ch.state != "lobby":
        raise ConflictError(f"challenge {ch.code} has already started")
    c.repo.set_challenge_state(ch.id, state="running", started_at_ms=c.now_ms,
                               ends_at_ms=c.now_ms + ch.duration_s * 1000)
    ch = c.repo.challenge_by_code(ch.code) or ch
    return c.done(c.reply("challenge", **standings_body(c, ch)), effects=(Publish(ch.code),))


def _challenge_stop(c: _Ctx) -> Outcome:
    ch = _require_owner(c)
    phase = challenge_phase(ch, c.now_ms)
    if phase == "finished":
        raise ConflictError(f"challenge {ch.code} is already over")
    c.repo.set_challenge_state(ch.id, state="stopped", stopped_at_ms=c.now_ms,
                               started_at_ms=c.now_ms if phase == "lobby" else None,
                               ends_at_ms=c.now_ms if phase == "lobby" else None)
    ch = c.repo.challenge_by_code(ch.code) or ch
    return c.done(c.reply("challenge", **standings_body(c, ch)), effects=(Publish(ch.code),))


def _challenge_progress(c: _Ctx) -> Outcome:
    me = _require_player(c)
    ch = _challenge(c)
    if not c.repo.is_participant(ch.id, me.id):
        raise ForbiddenError(f"join challenge {ch.code} first")
    if challenge_phase(ch, c.now_ms) != "running":
        raise ConflictError(f"challenge {ch.code} is not running")
    assert ch.started_at_ms is not None
    score = float(c.msg["score"])
    reasons = check_progress(ch.exercise, score, int(c.msg["elapsed_ms"]), c.now_ms - ch.started_at_ms,
                             c.config.limits)
    if reasons:
        return c.done(c.reply("error", code="implausible", final=True, message="progress not accepted: "
                              + "; ".join(reasons), reasons=reasons, checks=["challenge.time"]))
    effects: tuple[Effect, ...] = ()
    if c.repo.raise_live_score(ch.id, me.id, score, c.now_ms):
        c.repo.bump_challenge(ch.id)
        effects = (Publish(ch.code),)
    return c.done(c.reply("progress", code=ch.code, score=_num(score)), effects=effects)


def _submission_json(s: SubmissionRec) -> dict[str, Any]:
    return {"id": s.client_id, "mode": s.mode, "exercise": s.exercise, "score": _num(s.score),
            "played_at_ms": s.played_at_ms, "duration_ms": s.duration_ms, "challenge": s.challenge_code,
            "accepted": s.is_accepted, "reason": s.reason, "telemetry": s.telemetry}


def _telemetry_list(c: _Ctx) -> Outcome:
    target = _require_coach_of(c, c.msg.get("player"))
    subs = c.repo.submissions_of(target.id, mode=c.msg.get("mode"), limit=int(c.msg.get("limit", 20)),
                                 before_ms=c.msg.get("before_ms"))
    return c.done(c.reply("telemetry", player=_player_json(target), submissions=[_submission_json(s) for s in subs]))


def _coach_players(c: _Ctx) -> Outcome:
    me = _require_trainer(c)
    players = []
    for p, last in c.repo.coached_players(me.id):
        override = c.repo.latest_override(p.id)
        players.append({**_player_json(p), "last_played_ms": last,
                        "override": None if override is None else override.plan})
    return c.done(c.reply("players", players=players))


def _override_json(o: Any) -> dict[str, Any] | None:
    if o is None:
        return None
    return {"id": o.id, "player": o.player_public_id, "coach": o.coach_name, "coach_id": o.coach_public_id,
            "plan": o.plan, "note": o.note, "created_at_ms": o.created_at_ms}


def _override_set(c: _Ctx) -> Outcome:
    me = _require_trainer(c)
    target = _require_coach_of(c, c.msg["player"])
    if target.id == me.id:
        raise ForbiddenError("coach overrides are for your players, not yourself")
    c.repo.add_override(player_id=target.id, coach_id=me.id, plan=c.msg["plan"], note=c.msg.get("note", ""),
                        now_ms=c.now_ms)
    return c.done(c.reply("override", override=_override_json(c.repo.latest_override(target.id))))


def _override_get(c: _Ctx) -> Outcome:
    target = _require_coach_of(c, c.msg.get("player"))
    return c.done(c.reply("override", override=_override_json(c.repo.latest_override(target.id))))


_HANDLERS: dict[str, Callable[[_Ctx], Outcome]] = {
    "hello": _hello,
    "register": _register,
    "ping": _ping,
    "profile.set": _profile_set,
    "submit": _submit,
    "board.get": _board_get,
    "group.create": _group_create,
    "group.join": _group_join,
    "group.leave": _group_leave,
    "group.list": _group_list,
    "group.members": _group_members,
    "group.remove": _group_remove,
    "challenge.create": _challenge_create,
    "challenge.join": _challenge_join,
    "challenge.watch": _challenge_watch,
    "challenge.unwatch": _challenge_unwatch,
    "challenge.get": _challenge_get,
    "challenge.list": _challenge_list,
    "challenge.start": _challenge_start,
    "challenge.stop": _challenge_stop,
    "challenge.progress": _challenge_progress,
    "telemetry.list": _telemetry_list,
    "coach.players": _coach_players,
    "override.set": _override_set,
    "override.get": _override_get,
    "token.issue": _token_issue,
    "token.list": _token_list,
    "token.revoke": _token_revoke,
}
