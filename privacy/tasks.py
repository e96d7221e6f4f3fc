"""The app's Celery tasks, where autodiscovery finds them (their bodies live with their feature)."""

from privacy.exports.jobs import delete_expired_person_exports, run_person_export_task
from privacy.retention.services import retention_sweep, retention_sweep_organization

__all__ = [
    "delete_expired_person_exports",
    "retention_sweep",
    "retention_sweep_organization",
    "run_person_export_task",
]
