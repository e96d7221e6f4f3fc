"""Import people: a CSV or XLSX file into the directory, every row or none.

``parsing`` reads the file and maps its columns · ``rows`` checks every row against the directory
· ``apply`` writes a checked file · ``jobs`` holds the job row's services and the Celery tasks ·
``access`` is the import job policy · ``use_cases`` are the actions pages, API and shell share ·
``views``, ``api``, ``forms`` and ``templates/`` are the delivery.
"""
