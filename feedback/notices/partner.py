"""Telling the partner: when one person of a pair logs a session (it waits for the other's
confirmation) or adds a shared note, the other gets an email with a link straight to it, unless
they turned ``partner_activity`` off (``feedback.notices.preferences``). The home shows the same
things whatever they chose (``dashboards.homes.selectors``).

The services queue the email after their transaction commits (a rolled-back session mails
nobody); the task re-reads the rows, so a session confirmed or a note deleted meanwhile sends
nothing. A session logged with a shared note makes one email, not two.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from feedback.models import Note, NoteVisibility, SessionLog, SessionStatus
from feedback.notices.preferences import wants
from matching.models import OPEN_PAIR_STATUSES, Pair
from organizations import mail
from organizations.tasks import enqueue_on_commit
from participants.models import Enrollment

SESSION = "session"
NOTE = "note"


def notify_partner_on_commit(*, pair: Pair, by: Enrollment, kind: str, object_id: int) -> None:
    """Queue the partner's email for a session logged or a shared note added by ``by``."""
    from feedback.tasks import send_partner_notice

    enqueue_on_commit(
        send_partner_notice,
        organization_id=pair.organization_id,
        pair_id=pair.pk,
        by_id=by.pk,
        kind=kind,
        object_id=object_id,
    )


def _pair_url(pair: Pair, anchor: str) -> str:
    path = reverse("pair_detail", args=(pair.organization.slug, pair.pk))
    return f"{settings.SITE_URL}{path}#{anchor}"


def partner_notice(*, pair_id: int, by_id: int, kind: str, object_id: int) -> str:
    """Send the notice if it is still true and wanted; returns what happened (for the logs)."""
    pair = (
        Pair.objects.filter(pk=pair_id, status__in=OPEN_PAIR_STATUSES)
        .select_related("organization", "program", "mentor__person", "mentee__person")
        .first()
    )
    if pair is None or by_id not in (pair.mentor_id, pair.mentee_id):
        return "no open pair"
    by, partner = (
        (pair.mentor, pair.mentee) if by_id == pair.mentor_id else (pair.mentee, pair.mentor)
    )
    context = {"pair": pair, "program": pair.program, "by": by.person, "partner": partner.person}
    if kind == SESSION:
        session = SessionLog.objects.filter(
            pk=object_id, pair=pair, logged_by=by, status=SessionStatus.AWAITING
        ).first()
        if session is None:
            return "session no longer awaits"
        context |= {
            "session": session,
            "shared_note": Note.objects.filter(
                session=session, author=by, visibility=NoteVisibility.SHARED
            ).exists(),
            "url": _pair_url(pair, f"session-{session.pk}"),
        }
        subject = f"{by.person.full_name} logged a session: please confirm it"
    elif kind == NOTE:
        note = Note.objects.filter(
            pk=object_id, pair=pair, author=by, visibility=NoteVisibility.SHARED
        ).first()
        if note is None:
            return "note gone"
        context |= {"note": note, "url": _pair_url(pair, f"note-{note.pk}")}
        subject = f"{by.person.full_name} shared a note with you"
    else:
        raise ValueError(f"Unknown partner notice {kind!r}")
    if not partner.person.email:
        return "no address"
    if not wants(partner.person.user_id, "partner_activity"):
        return "turned off"
    mail.send(
        mail.Notification(
            organization=pair.organization,
            to=partner.person.email,
            subject=mail.prefixed(subject),
            text_template=f"feedback/notices/email_partner_{kind}.txt",
            context=context,
            unsubscribe=(
                mail.Unsubscribe(user_id=partner.person.user_id, kind="partner_activity")
                if partner.person.user_id is not None
                else None
            ),
        )
    )
    return "sent"
