"""Matching rounds: configure a round, run it in the background, review its proposals (pin, block,
swap, compare) and publish its pairs.

- ``access``: who may do what (the policy, as a table); ``use_cases``: one function per action,
  shared by the pages and the API.
- Services by job: ``config`` (a round's validated config and its draft), ``run`` (queue it, the
  task body, store the proposals), ``compare``, ``editing`` (pins, blocks, swaps), ``publish``.
- Delivery: ``views`` (pages), ``forms``, ``api`` (viewsets and their serializers), templates
  beside them.
"""
