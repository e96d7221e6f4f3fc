"""What the apps above feedback add to its pages (registered in their ``AppConfig.ready()``).

- ``review_pair_surveys``: the mid-program review's survey column, next to engagement. Called with
  ``program``, the viewer's ``membership``, ``org_slug`` and the ``pairs`` on the page; returns
  ``{"pair_surveys": {pair id: [member, …]}, "surveys_note": str, "surveys_link": str}`` where a
  member is ``{"name", "role", "answered", "answers": [(question, answer), …]}``. Surveys fills it
  as the anonymity rules allow: an anonymous mid survey gives no per-pair entry at all, only the
  note and the link to its aggregate results.
"""

from __future__ import annotations

from core.hooks import ContextHook

review_pair_surveys = ContextHook("feedback.review_pair_surveys")
