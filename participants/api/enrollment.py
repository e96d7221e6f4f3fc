"""Enrolment API: enrolments (invite, approve, reject, withdraw, accept, decline), registration
questions, and the requester's own enrolments (apply, registration, charter, training).

Same services, permissions and validation as the pages; ids in bodies are resolved inside the
organisation (another organisation's id is "unknown", a field error).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.params import choice_param, id_param
from organizations.api.permissions import (
    HasOrganizationRole,
    IsOrganizationMember,
    request_membership,
)
from organizations.api.views import ID_REGEX
from organizations.models import STAFF_ROLES, Membership
from participants import access, participation, registration, use_cases
from participants import enrollment as enrolment
from participants.models import (
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    MatchingUse,
    MeetingFormat,
    QuestionKind,
    RegistrationQuestion,
)
from programs.access import managed_program, managed_programs
from programs.models import Audience, Program, TrainingResource

# --- Serializers ----------------------------------------------------------------------------------


class PersonSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class EnrollmentSerializer(serializers.ModelSerializer[Enrollment]):
    person = PersonSummarySerializer(read_only=True)

    class Meta:
        model = Enrollment
        fields: tuple[str, ...] = (
            "id",
            "program",
            "person",
            "role",
            "status",
            "waitlist_position",
            "withdrawn_reason",
            "status_changed_at",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class InviteSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    person_ids = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=False,
        max_length=enrolment.MAX_INVITES_AT_ONCE,
    )
    role = serializers.ChoiceField(choices=EnrollmentRole.choices)


class WithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=300)


class ApplySerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    role = serializers.ChoiceField(choices=EnrollmentRole.choices)


class QuestionSerializer(serializers.ModelSerializer[RegistrationQuestion]):
    program = serializers.IntegerField(source="program_id")
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.BOTH)
    matching_use = serializers.ChoiceField(choices=MatchingUse.choices, default=MatchingUse.NONE)

    class Meta:
        model = RegistrationQuestion
        fields = (
            "id",
            "program",
            "text",
            "help_text",
            "kind",
            "choices",
            "scale_min",
            "scale_max",
            "required",
            "audience",
            "matching_use",
            "position",
        )
        read_only_fields = ("id", "position")


class MoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=(("up", "Up"), ("down", "Down")))


class WindowSerializer(serializers.Serializer[Any]):
    weekday = serializers.IntegerField(help_text="0 Monday - 6 Sunday")
    start = serializers.CharField(max_length=5, help_text="HH:MM")
    end = serializers.CharField(max_length=5, help_text="HH:MM")


class RegistrationSerializer(serializers.Serializer[Any]):
    """Fields left out of a PUT keep their saved value."""

    teach = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="{topic id: level 1-5}"
    )
    learn = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="{topic id: level 1-5}"
    )
    interests = serializers.ListField(child=serializers.IntegerField(), required=False)
    availability = serializers.ListField(child=WindowSerializer(), required=False)
    meeting_format = serializers.ChoiceField(choices=MeetingFormat.choices, required=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    max_mentees = serializers.IntegerField(required=False, allow_null=True)
    answers = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="{question id: answer}"
    )


class CompletenessSerializer(serializers.Serializer[Any]):
    percent = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField())


class CharterSerializer(serializers.Serializer[Any]):
    current_version = serializers.IntegerField(allow_null=True)
    body = serializers.CharField(allow_blank=True)
    accepted_version = serializers.IntegerField(allow_null=True)
    needs_acceptance = serializers.BooleanField()
    new_version_published = serializers.BooleanField()


class TrainingItemSerializer(serializers.Serializer[Any]):
    resource = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    is_required = serializers.BooleanField()
    estimated_minutes = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)


class TrainingCompleteSerializer(serializers.Serializer[Any]):
    resource = serializers.IntegerField()


class MyEnrollmentSerializer(EnrollmentSerializer):
    class Meta(EnrollmentSerializer.Meta):
        fields = (*EnrollmentSerializer.Meta.fields, "program_name")
        read_only_fields = fields

    program_name = serializers.CharField(source="program.name", read_only=True)


# --- Helpers ------------------------------------------------------------------------------------


def _user(request: Request) -> User:
    return cast(User, request.user)


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # the permission class answered 404 otherwise
    return membership


def _staff_program(request: Request, program_id: int) -> Program:
    """A program id from the body: one the requester does not run is unknown (a field error)."""
    try:
        return managed_program(_membership(request), program_id)
    except Http404:
        raise ValidationError({"program": ["Unknown program."]}) from None


def _charter_body(enrollment: Enrollment) -> dict[str, Any]:
    state = participation.charter_state(enrollment)
    return {
        "current_version": state.current.version if state.current else None,
        "body": state.current.body if state.current else "",
        "accepted_version": state.accepted_version,
        "needs_acceptance": state.needs_acceptance,
        "new_version_published": state.new_version_published,
    }


def _training_body(enrollment: Enrollment) -> list[dict[str, Any]]:
    return [
        {
            "resource": item.resource.pk,
            "title": item.resource.title,
            "url": item.resource.url,
            "is_required": item.resource.required,
            "estimated_minutes": item.resource.estimated_minutes,
            "completed_at": item.completed_at,
        }
        for item in participation.training_for(enrollment)
    ]


def _registration_body(enrollment: Enrollment) -> dict[str, Any]:
    data = asdict(registration.registration_initial(enrollment))
    data["teach"] = {str(k): v for k, v in data["teach"].items()}
    data["learn"] = {str(k): v for k, v in data["learn"].items()}
    completeness = registration.profile_completeness(enrollment)
    data["completeness"] = {"percent": completeness.percent, "missing": completeness.missing}
    return data


# --- Views --------------------------------------------------------------------------------------


class AsksEnrollmentPolicy(IsOrganizationMember):
    """Members only (404 otherwise), then what the enrolment policy lets the requester's role do
    (a member asking a staff action: 403 with its reason), before any id or body is read."""

    PERMISSIONS = {"create": access.MANAGE, "approve": access.APPROVE, "reject": access.REJECT}

    def has_permission(self, request: Request, view: Any) -> bool:
        super().has_permission(request, view)
        permission = self.PERMISSIONS.get(getattr(view, "action", None) or "", access.VIEW)
        access.enrollment_access(request_membership(request)).require(permission)
        return True


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("program", int, description="Only this program's enrolments"),
            OpenApiParameter("role", str, enum=EnrollmentRole.values),
            OpenApiParameter("status", str, enum=EnrollmentStatus.values),
        ]
    )
)
class EnrollmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Enrollment]
):
    """Enrolments of the programs you run (admins, coordinators) and your own (everyone).
    Creating invites people; approve/reject answer applications; accept/decline answer your own
    invitation; withdraw needs a reason."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
        "status_changed": "status_changed_at",
        "role": "role",
    }

    serializer_class = EnrollmentSerializer
    permission_classes = (AsksEnrollmentPolicy,)
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Enrollment]:
        enrollments = access.visible_enrollments(_membership(self.request))
        program = id_param(self.request, "program")
        if program is not None:
            enrollments = enrollments.filter(program_id=program)
        for name, allowed in (("role", EnrollmentRole.values), ("status", EnrollmentStatus.values)):
            value = choice_param(self.request, name, allowed)
            if value:
                enrollments = enrollments.filter(**{name: value})
        return enrollments

    def _reply(self, enrollment: Enrollment) -> Response:
        return Response(EnrollmentSerializer(enrollment).data)

    def _id(self) -> int:
        return int(self.kwargs["pk"])

    @extend_schema(request=InviteSerializer, responses={201: EnrollmentSerializer(many=True)})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invited = use_cases.invite_people(
            actor=_membership(request),
            program_id=_staff_program(request, payload.validated_data["program"]).pk,
            person_ids=payload.validated_data["person_ids"],
            role=payload.validated_data["role"],
        )
        return Response(
            EnrollmentSerializer(invited, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Accept the application, or waitlist a mentor when every mentor place is taken (as many
        accepted mentors as accepted mentees); on a waitlisted mentor, accept them anyway."""
        return self._reply(
            use_cases.approve_application(actor=_membership(request), enrollment_id=self._id())
        )

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._reply(
            use_cases.reject_application(actor=_membership(request), enrollment_id=self._id())
        )

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._reply(
            use_cases.accept_invitation(actor=_membership(request), enrollment_id=self._id())
        )

    @extend_schema(request=None, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._reply(
            use_cases.decline_invitation(actor=_membership(request), enrollment_id=self._id())
        )

    @extend_schema(request=WithdrawSerializer, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        enrollment = self.get_object()  # 404 before the body is read
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enrollment = use_cases.withdraw_enrollment(
            actor=_membership(request),
            enrollment_id=enrollment.pk,
            reason=payload.validated_data["reason"],
        )
        return self._reply(enrollment)


@extend_schema(parameters=[OpenApiParameter("program", int, description="Only this program")])
class RegistrationQuestionViewSet(viewsets.ModelViewSet[RegistrationQuestion]):
    """Custom questions of a program's registration form (admins and coordinators)."""

    serializer_class = QuestionSerializer
    permission_classes = (HasOrganizationRole,)
    required_roles = STAFF_ROLES
    lookup_value_regex = ID_REGEX
    pagination_class = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[RegistrationQuestion]:
        questions = RegistrationQuestion.objects.filter(
            program__in=managed_programs(_membership(self.request))
        ).order_by("program_id", "position", "id")
        program = id_param(self.request, "program")
        if program is not None:
            questions = questions.filter(program_id=program)
        return questions

    @staticmethod
    def _input(
        data: dict[str, Any], base: RegistrationQuestion | None = None
    ) -> registration.QuestionInput:
        def pick(name: str, default: Any) -> Any:
            if name in data:
                return data[name]
            return getattr(base, name) if base is not None else default

        return registration.QuestionInput(
            text=pick("text", ""),
            help_text=pick("help_text", ""),
            kind=pick("kind", ""),
            choices=list(pick("choices", [])),
            scale_min=pick("scale_min", 1),
            scale_max=pick("scale_max", 5),
            required=pick("required", False),
            audience=pick("audience", Audience.BOTH),
            matching_use=pick("matching_use", MatchingUse.NONE),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = QuestionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        program = _staff_program(request, data.pop("program_id"))
        question = registration.question_create(
            program=program, actor=_user(request), data=self._input(data)
        )
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        partial = kwargs.get("partial", False)
        payload = QuestionSerializer(question, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if data.pop("program_id", question.program_id) != question.program_id:
            raise ValidationError({"program": ["A question cannot move to another program."]})
        question = registration.question_update(
            question=question, actor=_user(request), data=self._input(data, question)
        )
        return Response(QuestionSerializer(question).data)

    def perform_destroy(self, instance: RegistrationQuestion) -> None:
        registration.question_delete(question=instance, actor=_user(self.request))

    @extend_schema(request=MoveSerializer, responses=QuestionSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        payload = MoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = registration.question_move(
            question=question,
            actor=_user(request),
            direction=payload.validated_data["direction"],
        )
        return Response(QuestionSerializer(question).data)


class MyEnrollmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Enrollment]
):
    """Your own enrolments, addressed by program id: apply to an open program, fill in your
    registration, accept the charter, mark training done."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
        "status_changed": "status_changed_at",
    }

    serializer_class = MyEnrollmentSerializer
    permission_classes = (HasOrganizationRole,)
    lookup_field = "program_id"
    lookup_url_kwarg = "program"
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Enrollment]:
        return enrolment.my_enrollments(_user(self.request))

    @extend_schema(request=ApplySerializer, responses={201: MyEnrollmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ApplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        program = Program.objects.filter(pk=payload.validated_data["program"]).first()
        if program is None:
            raise ValidationError({"program": ["Unknown program."]})
        enrollment = enrolment.enrollment_apply(
            program=program, user=_user(request), role=payload.validated_data["role"]
        )
        return Response(MyEnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=RegistrationSerializer)
    @extend_schema(
        methods=["PUT"], request=RegistrationSerializer, responses=RegistrationSerializer
    )
    @action(detail=True, methods=["get", "put"])
    def registration(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        enrollment = self.get_object()
        if request.method == "PUT":
            payload = RegistrationSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            current = asdict(registration.registration_initial(enrollment))
            current.update(payload.validated_data)
            current["availability"] = [dict(w) for w in current["availability"]]
            registration.registration_save(
                enrollment=enrollment,
                actor=_user(request),
                data=registration.RegistrationInput(**current),
            )
        return Response(_registration_body(enrollment))

    @extend_schema(methods=["GET"], responses=CharterSerializer)
    @extend_schema(methods=["POST"], request=None, responses=CharterSerializer)
    @action(detail=True, methods=["get", "post"])
    def charter(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        enrollment = self.get_object()
        if request.method == "POST":
            participation.charter_accept(enrollment=enrollment, actor=_user(request))
        return Response(_charter_body(enrollment))

    @extend_schema(methods=["GET"], responses=TrainingItemSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=TrainingCompleteSerializer,
        responses=TrainingItemSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def training(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        enrollment = self.get_object()
        if request.method == "POST":
            payload = TrainingCompleteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            resource = TrainingResource.objects.filter(
                program_id=enrollment.program_id, pk=payload.validated_data["resource"]
            ).first()
            if resource is None:
                raise ValidationError({"resource": ["Unknown training resource."]})
            participation.training_complete(
                enrollment=enrollment, resource=resource, actor=_user(request)
            )
        return Response(_training_body(enrollment))
