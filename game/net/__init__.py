"""The game's side of the leaderboard: an on-disk outbox, sync, live standings, coach overrides.

- :mod:`game.net.outbox` - every score is stored on disk first (``Outbox``, ``make_submission``).
- :mod:`game.net.sync` - ``SyncWorker``: background thread that sends, follows a challenge and
  reports live progress; the frame loop only calls its non-blocking methods.
- :mod:`game.net.standings` - ``Standings`` and how to format/draw them.
- :mod:`game.net.override` - ``latest_coach_override()``: the coach's plan override as a dict.
- :mod:`game.net.client` - the async protocol client used by all of the above.

Nothing here is imported by ``game`` at start-up; websockets is imported only when connecting.
"""

from game.net.outbox import Outbox, make_submission
from game.net.override import latest_coach_override

__all__ = ["Outbox", "latest_coach_override", "make_submission"]
