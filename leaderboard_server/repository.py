"""Storage behind a small repository API. The caller owns the session and the transaction.

SQLAlchemy rows stop here: every method returns frozen dataclasses or plain values.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from leaderboard_server.models import (
    BestScore,
    Challenge,
    ChallengeParticipant,
    CoachOverride,
    Group,
    GroupMember,
    Player,
    Submission,
    Token,
)
from leaderboard_server.records import (
    BoardEntryRec,
    ChallengeRec,
    GroupRec,
    OverrideRec,
    PlayerRec,
    StandingRec,
    SubmissionRec,
    TokenRec,
)

# The hot path (sign-in, submissions, challenge progress, standings) is plain SQL, the same on
# SQLite and PostgreSQL, run on the session's own DBAPI connection (same transaction). Building
# ORM statements per call cost ~35 ms per submission on the shared 2-core box and SQLAlchemy's
# Core execution path ~150 us per statement; the raw cursor costs ~15 us.
_SQL: dict[str, str] = {
    "player_by_token": (
        "SELECT p.id, p.public_id, p.name, p.role, t.id, t.public_id, t.player_id, t.label, t.created_at_ms,"
        " t.last_used_ms, t.expires_at_ms, t.revoked_at_ms FROM tokens t JOIN players p ON p.id = t.player_id"
        " WHERE t.token_hash = :h"),
    "add_token": (
        "INSERT INTO tokens (public_id, player_id, token_hash, label, created_at_ms, last_used_ms, expires_at_ms)"
        " VALUES (:public_id, :player_id, :token_hash, :label, :now, :now, :expires) RETURNING id"),
    "touch_token": "UPDATE tokens SET last_used_ms = :now, expires_at_ms = :expires WHERE id = :id",
    "tokens_of": (
        "SELECT id, public_id, player_id, label, created_at_ms, last_used_ms, expires_at_ms, revoked_at_ms"
        " FROM tokens WHERE player_id = :p ORDER BY id"),
    "revoke_token": "UPDATE tokens SET revoked_at_ms = :now WHERE id = :id AND revoked_at_ms IS NULL",
    "submission_by_client": (
        "SELECT s.id, s.player_id, s.client_id, s.mode, s.exercise, s.score, s.played_at_ms, s.duration_ms,"
        " s.received_at_ms, c.code, s.is_accepted, s.reason, s.telemetry FROM submissions s"
        " LEFT JOIN challenges c ON c.id = s.challenge_id WHERE s.player_id = :p AND s.client_id = :c"),
    "add_submission": (
        "INSERT INTO submissions (player_id, client_id, mode, exercise, score, played_at_ms, duration_ms,"
        " received_at_ms, challenge_id, is_accepted, reason, telemetry, telemetry_chars) VALUES (:player_id,"
        " :client_id, :mode, :exercise, :score, :played_at_ms, :duration_ms, :received_at_ms, :challenge_id,"
        " :is_accepted, :reason, :telemetry, :telemetry_chars) RETURNING id"),
    # Atomic across processes: a concurrent better score is never overwritten by a worse one.
    # RETURNING gives each board's best after the write (ours if submission_id is ours), which
    # saves reading them back.
    "raise_bests": (
        "INSERT INTO best_scores (mode, period, period_key, player_id, score, submission_id, achieved_at_ms)"
        " VALUES (:mode, 'daily', :daily, :player_id, :score, :submission_id, :at),"
        " (:mode, 'weekly', :weekly, :player_id, :score, :submission_id, :at),"
        " (:mode, 'all_time', :all_time, :player_id, :score, :submission_id, :at)"
        " ON CONFLICT (mode, period, period_key, player_id) DO UPDATE SET"
        " score = CASE WHEN excluded.score > best_scores.score THEN excluded.score ELSE best_scores.score END,"
        " submission_id = CASE WHEN excluded.score > best_scores.score THEN excluded.submission_id"
        " ELSE best_scores.submission_id END,"
        " achieved_at_ms = CASE WHEN excluded.score > best_scores.score THEN excluded.achieved_at_ms"
        " ELSE best_scores.achieved_at_ms END"
        " RETURNING period, score, submission_id"),
    # Three primary-key lookups (an OR of the three would scan the whole mode's rows).
    "bests_of": (
        "SELECT period, score FROM best_scores WHERE mode = :mode AND period = 'daily' AND period_key = :daily"
        " AND player_id = :player_id UNION ALL"
        " SELECT period, score FROM best_scores WHERE mode = :mode AND period = 'weekly' AND period_key = :weekly"
        " AND player_id = :player_id UNION ALL"
        " SELECT period, score FROM best_scores WHERE mode = :mode AND period = 'all_time'"
        " AND period_key = :all_time AND player_id = :player_id"),
    "ranks_of": (
        "SELECT (SELECT COUNT(*) FROM best_scores WHERE mode = :mode AND period = 'daily'"
        " AND period_key = :daily AND score > :s_daily),"
        " (SELECT COUNT(*) FROM best_scores WHERE mode = :mode AND period = 'weekly'"
        " AND period_key = :weekly AND score > :s_weekly),"
        " (SELECT COUNT(*) FROM best_scores WHERE mode = :mode AND period = 'all_time'"
        " AND period_key = :all_time AND score > :s_all_time)"),
    "best_of": ("SELECT score, achieved_at_ms FROM best_scores WHERE mode = :mode AND period = :period"
                " AND period_key = :key AND player_id = :player_id"),
    "rank_of": ("SELECT COUNT(*) FROM best_scores WHERE mode = :mode AND period = :period AND period_key = :key"
                " AND score > :score"),
    "challenge_by_code": (
        "SELECT c.id, c.code, c.title, c.exercise, c.trainer_id, p.name, c.group_id, c.duration_s, c.state,"
        " c.created_at_ms, c.started_at_ms, c.ends_at_ms, c.stopped_at_ms, c.version FROM challenges c"
        " JOIN players p ON p.id = c.trainer_id WHERE c.code = :code"),
    "stored_since": ("SELECT COUNT(*), SUM(telemetry_chars) FROM submissions"
                     " WHERE player_id = :p AND received_at_ms >= :since"),
    "is_participant": "SELECT 1 FROM challenge_participants WHERE challenge_id = :c AND player_id = :p",
    "raise_live": ("UPDATE challenge_participants SET live_score = :score, updated_at_ms = :now"
                   " WHERE challenge_id = :c AND player_id = :p AND live_score < :score"),
    "raise_final": ("UPDATE challenge_participants SET final_score = :score, updated_at_ms = :now"
                    " WHERE challenge_id = :c AND player_id = :p AND (final_score IS NULL OR final_score < :score)"),
    "cap_live": ("UPDATE challenge_participants SET live_score = :score, updated_at_ms = :now"
                 " WHERE challenge_id = :c AND player_id = :p AND live_score > :score"),
    "bump": "UPDATE challenges SET version = version + 1 WHERE id = :c",
    "standings": ("SELECT p.public_id, p.name, cp.live_score, cp.final_score, cp.updated_at_ms"
                  " FROM challenge_participants cp JOIN players p ON p.id = cp.player_id"
                  " WHERE cp.challenge_id = :c"),
}
# psycopg uses the "pyformat" parameter style.
_PG_SQL: dict[str, str] = {k: re.sub(r"(?<!:):(\w+)", r"%(\1)s", v) for k, v in _SQL.items()}


def stored_json(text: str) -> Any:
    """Parse a stored JSON column. Rows written before non-finite numbers were refused can hold
    ``NaN``/``Infinity``, which no reply may carry (``encode`` refuses them, and a reply that
    cannot be written used to close the connection with 1011): they read as null."""
    return json.loads(text, parse_constant=lambda _name: None)


def _player(row: Any) -> PlayerRec:
    return PlayerRec(id=row.id, public_id=row.public_id, name=row.name, role=row.role)


def _group(row: Any) -> GroupRec:
    return GroupRec(id=row.id, public_id=row.public_id, name=row.name, invite_code=row.invite_code,
                    owner_id=row.owner_id)


class Repository:
    """All reads and writes the core needs, on one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._sql = _PG_SQL if session.get_bind().dialect.name == "postgresql" else _SQL

    def _run(self, name: str, params: dict[str, Any]) -> Any:
        """Execute a hot-path statement on the session's DBAPI connection; returns the cursor."""
        raw = self.session.connection().connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        cur.execute(self._sql[name], params)
        return cur

    # -- players -------------------------------------------------------------------------------
    def player_by_token_hash(self, token_hash: str) -> tuple[PlayerRec, TokenRec] | None:
        """The player and the device token with this hash (valid or not: the caller decides)."""
        row = self._run("player_by_token", {"h": token_hash}).fetchone()
        return None if row is None else (PlayerRec(*row[:4]), TokenRec(*row[4:]))

    def add_token(self, *, player_id: int, public_id: str, token_hash: str, label: str, now_ms: int,
                  expires_at_ms: int) -> TokenRec:
        params = {"player_id": player_id, "public_id": public_id, "token_hash": token_hash, "label": label,
                  "now": now_ms, "expires": expires_at_ms}
        token_id = int(self._run("add_token", params).fetchone()[0])
        return TokenRec(token_id, public_id, player_id, label, now_ms, now_ms, expires_at_ms, None)

    def token_public_id_exists(self, public_id: str) -> bool:
        return self.session.execute(select(Token.id).where(Token.public_id == public_id)).first() is not None

    def touch_token(self, token_id: int, now_ms: int, expires_at_ms: int) -> None:
        self._run("touch_token", {"id": token_id, "now": now_ms, "expires": expires_at_ms})

    def tokens_of(self, player_id: int) -> list[TokenRec]:
        return [TokenRec(*row) for row in self._run("tokens_of", {"p": player_id}).fetchall()]

    def revoke_token(self, token_id: int, now_ms: int) -> bool:
        """Revoke a device token; False when it already was."""
        return bool(self._run("revoke_token", {"id": token_id, "now": now_ms}).rowcount)

    def player_by_public_id(self, public_id: str) -> PlayerRec | None:
        row = self.session.execute(select(Player).where(Player.public_id == public_id)).scalar_one_or_none()
        return None if row is None else _player(row)

    def add_player(self, *, public_id: str, name: str, role: str, token_hash: str, now_ms: int) -> PlayerRec:
        row = Player(public_id=public_id, name=name, role=role, token_hash=token_hash, created_at_ms=now_ms)
        self.session.add(row)
        self.session.flush()
        return _player(row)

    def rename_player(self, player_id: int, name: str) -> None:
        self.session.execute(update(Player).where(Player.id == player_id).values(name=name))

    # -- groups --------------------------------------------------------------------------------
    def group_by_public_id(self, public_id: str) -> GroupRec | None:
        row = self.session.execute(select(Group).where(Group.public_id == public_id)).scalar_one_or_none()
        return None if row is None else _group(row)

    def group_by_invite(self, invite_code: str) -> GroupRec | None:
        row = self.session.execute(select(Group).where(Group.invite_code == invite_code)).scalar_one_or_none()
        return None if row is None else _group(row)

    def add_group(self, *, public_id: str, name: str, invite_code: str, owner_id: int, now_ms: int) -> GroupRec:
        row = Group(public_id=public_id, name=name, invite_code=invite_code, owner_id=owner_id,
                    created_at_ms=now_ms)
        self.session.add(row)
        self.session.flush()
        return _group(row)

    def is_member(self, group_id: int, player_id: int) -> bool:
        return self.session.get(GroupMember, (group_id, player_id)) is not None

    def add_member(self, group_id: int, player_id: int, now_ms: int) -> bool:
        """Add a member; False when already a member."""
        if self.is_member(group_id, player_id):
            return False
        self.session.add(GroupMember(group_id=group_id, player_id=player_id, joined_at_ms=now_ms))
        self.session.flush()
        return True

    def remove_member(self, group_id: int, player_id: int) -> bool:
        result = self.session.execute(
            delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.player_id == player_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def groups_of(self, player_id: int) -> list[tuple[GroupRec, int]]:
        """The player's groups with their member counts."""
        counts = (
            select(GroupMember.group_id, func.count().label("n")).group_by(GroupMember.group_id).subquery()
        )
        rows = self.session.execute(
            select(Group, counts.c.n)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(counts, counts.c.group_id == Group.id)
            .where(GroupMember.player_id == player_id)
            .order_by(Group.id)
        ).all()
        return [(_group(g), int(n)) for g, n in rows]

    def members(self, group_id: int) -> list[PlayerRec]:
        rows = self.session.execute(
            select(Player).join(GroupMember, GroupMember.player_id == Player.id)
            .where(GroupMember.group_id == group_id).order_by(Player.name, Player.id)
        ).scalars()
        return [_player(r) for r in rows]

    def shares_group(self, a_id: int, b_id: int) -> bool:
        m1 = GroupMember.__table__.alias("m1")
        m2 = GroupMember.__table__.alias("m2")
        row = self.session.execute(
            select(m1.c.group_id).join(m2, m1.c.group_id == m2.c.group_id)
            .where(m1.c.player_id == a_id, m2.c.player_id == b_id).limit(1)
        ).first()
        return row is not None

    def coached_players(self, coach_id: int) -> list[tuple[PlayerRec, int | None]]:
        """Players sharing a group with ``coach_id`` and when each last played (ms or None)."""
        m1 = GroupMember.__table__.alias("m1")
        m2 = GroupMember.__table__.alias("m2")
        last = (
            select(Submission.player_id, func.max(Submission.played_at_ms).label("last"))
            .group_by(Submission.player_id).subquery()
        )
        rows = self.session.execute(
            select(Player, last.c.last)
            .join(m2, m2.c.player_id == Player.id)
            .join(m1, and_(m1.c.group_id == m2.c.group_id, m1.c.player_id == coach_id))
            .outerjoin(last, last.c.player_id == Player.id)
            .where(Player.id != coach_id)
            .distinct()
            .order_by(Player.name, Player.id)
        ).all()
        return [(_player(p), None if t is None else int(t)) for p, t in rows]

    # -- submissions and boards ---------------------------------------------------------------
    def submission_by_client_id(self, player_id: int, client_id: str) -> SubmissionRec | None:
        row = self._run("submission_by_client", {"p": player_id, "c": client_id}).fetchone()
        if row is None:
            return None
        return SubmissionRec(id=row[0], player_id=row[1], client_id=row[2], mode=row[3], exercise=row[4],
                             score=float(row[5]), played_at_ms=int(row[6]), duration_ms=int(row[7]),
                             received_at_ms=int(row[8]), challenge_code=row[9], is_accepted=bool(row[10]),
                             reason=row[11], telemetry=stored_json(row[12]))

    def stored_since(self, player_id: int, since_ms: int) -> tuple[int, int]:
        """How many submissions the player stored since ``since_ms`` (received time) and how many
        telemetry characters they hold."""
        row = self._run("stored_since", {"p": player_id, "since": since_ms}).fetchone()
        return int(row[0]), int(row[1] or 0)

    def _submission(self, row: Submission, code: str | None) -> SubmissionRec:
        return SubmissionRec(
            id=row.id, player_id=row.player_id, client_id=row.client_id, mode=row.mode,
            exercise=row.exercise, score=row.score, played_at_ms=row.played_at_ms,
            duration_ms=row.duration_ms, received_at_ms=row.received_at_ms, challenge_code=code,
            is_accepted=row.is_accepted, reason=row.reason, telemetry=stored_json(row.telemetry),
        )

    def add_submission(
        self, *, player_id: int, client_id: str, mode: str, exercise: str, score: float, played_at_ms: int,
        duration_ms: int, received_at_ms: int, challenge_id: int | None, is_accepted: bool,
        reason: str | None, telemetry: dict[str, Any] | str,
    ) -> int:
        """Store a submission; ``telemetry`` is a dict or its compact JSON text (already encoded)."""
        text = telemetry if isinstance(telemetry, str) else json.dumps(telemetry, separators=(",", ":"))
        params = {
            "player_id": player_id, "client_id": client_id, "mode": mode, "exercise": exercise, "score": score,
            "played_at_ms": played_at_ms, "duration_ms": duration_ms, "received_at_ms": received_at_ms,
            "challenge_id": challenge_id, "is_accepted": is_accepted, "reason": reason,
            "telemetry": text,
            "telemetry_chars": len(text),
        }
        return int(self._run("add_submission", params).fetchone()[0])

    def submissions_of(
        self, player_id: int, *, mode: str | None, limit: int, before_ms: int | None
    ) -> list[SubmissionRec]:
        query = (
            select(Submission, Challenge.code)
            .outerjoin(Challenge, Challenge.id == Submission.challenge_id)
            .where(Submission.player_id == player_id)
        )
        if mode is not None:
            query = query.where(Submission.mode == mode)
        if before_ms is not None:
            query = query.where(Submission.played_at_ms < before_ms)
        rows = self.session.execute(query.order_by(Submission.played_at_ms.desc(), Submission.id.desc())
                                    .limit(limit)).all()
        return [self._submission(r[0], r[1]) for r in rows]

    def raise_bests(
        self, *, mode: str, keys: dict[str, str], player_id: int, score: float, submission_id: int,
        achieved_at_ms: int,
    ) -> dict[str, tuple[float, bool]]:
        """Insert or raise the player's best on the daily, weekly and all-time boards given by
        ``keys`` (period -> period key), atomically. Returns, per period, the best score after the
        write and whether this submission set it."""
        rows = self._run("raise_bests", {"mode": mode, **keys, "player_id": player_id, "score": score,
                                         "submission_id": submission_id, "at": achieved_at_ms}).fetchall()
        return {r[0]: (float(r[1]), int(r[2]) == submission_id) for r in rows}

    def bests_of(self, *, mode: str, keys: dict[str, str], player_id: int) -> dict[str, float]:
        rows = self._run("bests_of", {"mode": mode, **keys, "player_id": player_id}).fetchall()
        return {r[0]: float(r[1]) for r in rows}

    def ranks_of(self, *, mode: str, keys: dict[str, str], scores: dict[str, float]) -> dict[str, int]:
        """Competition ranks of ``scores`` (period -> score) on the three global boards."""
        params = {"mode": mode, **keys, **{f"s_{p}": scores.get(p, float("inf")) for p in keys}}
        counts = self._run("ranks_of", params).fetchone()
        return {p: int(n) + 1 for p, n in zip(("daily", "weekly", "all_time"), counts) if p in scores}

    def _board_query(self, mode: str, period: str, period_key: str, group_id: int | None) -> Any:
        query = select(BestScore, Player.public_id, Player.name).join(Player, Player.id == BestScore.player_id).where(
            BestScore.mode == mode, BestScore.period == period, BestScore.period_key == period_key
        )
        if group_id is not None:
            query = query.join(
                GroupMember, and_(GroupMember.player_id == BestScore.player_id, GroupMember.group_id == group_id)
            )
        return query

    def board(
        self, *, mode: str, period: str, period_key: str, limit: int, group_id: int | None
    ) -> list[BoardEntryRec]:
        rows = self.session.execute(
            self._board_query(mode, period, period_key, group_id)
            .order_by(BestScore.score.desc(), BestScore.achieved_at_ms, BestScore.player_id).limit(limit)
        ).all()
        return [BoardEntryRec(pid, name, b.score, b.achieved_at_ms) for b, pid, name in rows]

    def best_of(self, *, mode: str, period: str, period_key: str, player_id: int) -> tuple[float, int] | None:
        row = self._run("best_of", {"mode": mode, "period": period, "key": period_key, "player_id": player_id}).fetchone()
        return None if row is None else (float(row[0]), int(row[1]))

    def rank_of(
        self, *, mode: str, period: str, period_key: str, score: float, group_id: int | None = None
    ) -> int:
        """Competition rank (1 + number of strictly better players) of ``score`` on a board."""
        if group_id is None:
            count = self._run("rank_of", {"mode": mode, "period": period, "key": period_key, "score": score}).fetchone()[0]
            return int(count) + 1
        query = select(func.count()).select_from(BestScore).where(
            BestScore.mode == mode, BestScore.period == period, BestScore.period_key == period_key,
            BestScore.score > score,
        )
        if group_id is not None:
            query = query.join(
                GroupMember, and_(GroupMember.player_id == BestScore.player_id, GroupMember.group_id == group_id)
            )
        return int(self.session.execute(query).scalar_one()) + 1

    # -- challenges ----------------------------------------------------------------------------
    def _challenge_query(self) -> Any:
        return select(Challenge, Player.name).join(Player, Player.id == Challenge.trainer_id)

    @staticmethod
    def _challenge(row: Challenge, trainer_name: str) -> ChallengeRec:
        return ChallengeRec(
            id=row.id, code=row.code, title=row.title, exercise=row.exercise, trainer_id=row.trainer_id,
            trainer_name=trainer_name, group_id=row.group_id, duration_s=row.duration_s, state=row.state,
            created_at_ms=row.created_at_ms, started_at_ms=row.started_at_ms, ends_at_ms=row.ends_at_ms,
            stopped_at_ms=row.stopped_at_ms, version=row.version,
        )

    def challenge_by_code(self, code: str) -> ChallengeRec | None:
        row = self._run("challenge_by_code", {"code": code}).fetchone()
        return None if row is None else ChallengeRec(*row)

    def challenges_of_trainer(self, trainer_id: int, limit: int = 20) -> list[ChallengeRec]:
        rows = self.session.execute(
            self._challenge_query().where(Challenge.trainer_id == trainer_id)
            .order_by(Challenge.id.desc()).limit(limit)
        ).all()
        return [self._challenge(r[0], r[1]) for r in rows]

    def add_challenge(
        self, *, code: str, title: str, exercise: str, trainer_id: int, group_id: int | None,
        duration_s: int, now_ms: int,
    ) -> int:
        row = Challenge(code=code, title=title, exercise=exercise, trainer_id=trainer_id, group_id=group_id,
                        duration_s=duration_s, state="lobby", created_at_ms=now_ms, version=1)
        self.session.add(row)
        self.session.flush()
        return row.id

    def set_challenge_state(
        self, challenge_id: int, *, state: str, started_at_ms: int | None = None,
        ends_at_ms: int | None = None, stopped_at_ms: int | None = None,
    ) -> None:
        values: dict[str, Any] = {"state": state, "version": Challenge.version + 1}
        if started_at_ms is not None:
            values["started_at_ms"] = started_at_ms
        if ends_at_ms is not None:
            values["ends_at_ms"] = ends_at_ms
        if stopped_at_ms is not None:
            values["stopped_at_ms"] = stopped_at_ms
        self.session.execute(update(Challenge).where(Challenge.id == challenge_id).values(**values))

    def bump_challenge(self, challenge_id: int) -> None:
        self._run("bump", {"c": challenge_id})

    def is_participant(self, challenge_id: int, player_id: int) -> bool:
        return self._run("is_participant", {"c": challenge_id, "p": player_id}).fetchone() is not None

    def join_challenge(self, challenge_id: int, player_id: int, now_ms: int) -> bool:
        if self.is_participant(challenge_id, player_id):
            return False
        self.session.add(ChallengeParticipant(challenge_id=challenge_id, player_id=player_id, joined_at_ms=now_ms,
                                              live_score=0.0, final_score=None, updated_at_ms=now_ms))
        self.session.flush()
        return True

    def raise_live_score(self, challenge_id: int, player_id: int, score: float, now_ms: int) -> bool:
        return bool(self._run("raise_live", {"c": challenge_id, "p": player_id, "score": score, "now": now_ms}).rowcount)

    def raise_final_score(self, challenge_id: int, player_id: int, score: float, now_ms: int) -> bool:
        return bool(self._run("raise_final", {"c": challenge_id, "p": player_id, "score": score, "now": now_ms}).rowcount)

    def cap_live_score(self, challenge_id: int, player_id: int, score: float, now_ms: int) -> bool:
        """Lower the live score to ``score`` if it is above it; True when it changed."""
        return bool(self._run("cap_live", {"c": challenge_id, "p": player_id, "score": score, "now": now_ms}).rowcount)

    def standings(self, challenge_id: int) -> list[StandingRec]:
        rows = self._run("standings", {"c": challenge_id}).fetchall()
        return [StandingRec(r[0], r[1], float(r[2]), None if r[3] is None else float(r[3]), int(r[4])) for r in rows]

    # -- coach overrides -----------------------------------------------------------------------
    def add_override(self, *, player_id: int, coach_id: int, plan: dict[str, Any], note: str, now_ms: int) -> int:
        row = CoachOverride(player_id=player_id, coach_id=coach_id, plan=json.dumps(plan, sort_keys=True),
                            note=note, created_at_ms=now_ms)
        self.session.add(row)
        self.session.flush()
        return row.id

    def latest_override(self, player_id: int) -> OverrideRec | None:
        coach = Player.__table__.alias("coach")
        target = Player.__table__.alias("target")
        row = self.session.execute(
            select(CoachOverride, coach.c.public_id, coach.c.name, target.c.public_id)
            .join(coach, coach.c.id == CoachOverride.coach_id)
            .join(target, target.c.id == CoachOverride.player_id)
            .where(CoachOverride.player_id == player_id)
            .order_by(CoachOverride.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        o, coach_pid, coach_name, target_pid = row
        return OverrideRec(id=o.id, player_public_id=target_pid, coach_public_id=coach_pid, coach_name=coach_name,
                           plan=stored_json(o.plan), note=o.note, created_at_ms=o.created_at_ms)
