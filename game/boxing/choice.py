"""Which judge names punches by default, decided by the comparisons in docs/BOXING.md ("Rules or
model"), always on real labelled punches a model never saw (leave-one-clip-out):

- the punch-kind window model (``models/punch_kind.tflite``): the rules named 27 of 28 video
  punches' families right, the model 10 (2026-12-05, pipeline 2, ``models/punch_kind.json``);
- the excursion judge (``models/punch_judge.json``, 2026-12-05, pipeline 3, both measurement
  channels): found and named fewer labelled punches and invented more than the rules (its
  ``loco`` figures against ``rules_same_clips``).

Flip only when a model wins there.
"""

MODEL_IS_DEFAULT = False
JUDGE_IS_DEFAULT = False
WHY = ("rules: on real punches held out clip by clip they found and named more than either model "
       "(docs/BOXING.md, 'Rules or model')")
