"""Placeholder entry point until the leaderboard server lands."""

import sys


def main() -> int:
    print("ringside-server: the leaderboard server is not built yet", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
