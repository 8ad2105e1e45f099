"""Ringside leaderboard server: groups, boards, live trainer challenges and coach tools.

A pure core (``core``: one decoded message plus the stored state in, replies and effects out)
wrapped by one socket module (``server``, websockets' asyncio API). See docs/PROTOCOL.md.
"""

__version__ = "0.1.0"
