"""Which punch-kind classifier the game uses by default, decided by the comparison in
docs/BOXING.md ("Rules or model"): on the real labelled punches, leave-one-clip-out, the rules
named 27 of 28 video punches' families right and the model 10 (2026-12-05, models/punch_kind.json
"real_leave_one_clip_out"). Flip only when the model wins there."""

MODEL_IS_DEFAULT = False
