"""Exports of a program's data as CSV or XLSX, run as Celery jobs (see ``jobs.py``)."""
