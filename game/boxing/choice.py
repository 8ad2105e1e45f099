"""Which punch-kind classifier the game uses by default, decided by the comparison in
docs/BOXING.md (held-apart synthetic clips and the real recordings)."""

MODEL_IS_DEFAULT = False
