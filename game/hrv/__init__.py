"""Recovery-aware training: HRV import, signal quality, readiness and today's plan.

Pure core: :mod:`game.hrv.records` (types), :mod:`game.hrv.quality`, :mod:`game.hrv.readiness`,
:mod:`game.hrv.plan`, :mod:`game.hrv.trend`. Adapters at the edge: :mod:`game.hrv.importers`
(files in) and :mod:`game.hrv.service` (storage, clock). The CLI is :mod:`game.hrv.cli`.
"""
