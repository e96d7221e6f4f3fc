"""The builder API under /api/v1/o/<slug>/: the organisation's templates and their questions, a
program's surveys and their questions, and objectives linked to anchor items.

Reads follow ``surveys.access``: templates are read by staff and written by admins (a member gets
403); a program's surveys and anchor links are its staff's (anyone else, a member included, gets
404, as for another organisation's). Question changes go through the same versioning service as
the pages: a version with answers is copied first, never edited in place.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.pagination import DefaultCursorPagination
from core.api.params import bool_param
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.api.views import ID_REGEX
from organizations.models import Membership
from programs.models import Program
from surveys import access as policy
from surveys import selectors
from surveys.builder import serializers as s
from surveys.builder import services, use_cases
from surveys.library import install_library
from surveys.models import ObjectiveAnchor, Question, Survey


def _id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, str, OpenApiParameter.PATH, pattern=f"^{ID_REGEX}$", description=description
    )


PROGRAM_PK = _id_parameter("program_pk", "The program's id")
SURVEY_PK = _id_parameter("survey_pk", "The survey's id")


class ById(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("id",)  # type: ignore[assignment]


class ByPosition(DefaultCursorPagination):
    ordering: tuple[str, ...] = ("position", "id")  # type: ignore[assignment]


class BuilderViewSet(viewsets.GenericViewSet[Any]):
    permission_classes = (IsOrganizationMember,)
    lookup_value_regex = ID_REGEX

    @property
    def membership(self) -> Membership:
        membership = request_membership(self.request)
        assert membership is not None  # the permission class answered 404 otherwise
        return membership

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def _payload(self, serializer_class: type[Any], *, partial: bool = False) -> dict[str, Any]:
        payload = serializer_class(data=self.request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        return cast(dict[str, Any], payload.validated_data)

    def _page(self, queryset: QuerySet[Any], serializer_class: type[Any]) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


# --- Templates ---------------------------------------------------------------------------------------


class SurveyTemplateViewSet(BuilderViewSet):
    """The organisation's survey templates (the shipped ones are installed on the first visit).
    Staff read them; admins create, edit and archive them."""

    ordering_fields = {
        "title": "title",
        "wave": "wave",
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = s.BuilderSurveySerializer
    pagination_class = ById

    def _template(self) -> Survey:
        survey = use_cases.survey_for(self.membership, int(self.kwargs["pk"]))
        if not survey.is_template:
            raise Http404("No such template.")
        return survey

    @extend_schema(
        parameters=[OpenApiParameter("archived", bool, description="Archived templates instead.")],
        responses={200: s.BuilderSurveySerializer(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        archived = bool_param(request, "archived")
        return self._page(
            use_cases.templates_for(self.membership, archived=archived), s.BuilderSurveySerializer
        )

    @extend_schema(responses={200: s.BuilderSurveyDetailSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A template with its current version's questions."""
        return Response(s.BuilderSurveyDetailSerializer(self._template()).data)

    @extend_schema(
        request=s.SurveyTemplateWriteSerializer, responses={201: s.BuilderSurveyDetailSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy.template_access(self.membership).require(policy.TEMPLATE_MANAGE)
        data = self._payload(s.SurveyTemplateWriteSerializer)
        survey = services.template_create(
            organization=self.membership.organization, actor=self.actor, **data
        )
        return Response(
            s.BuilderSurveyDetailSerializer(survey).data, status=status.HTTP_201_CREATED
        )

    def _update(self, *, partial: bool) -> Response:
        survey = self._template()
        use_cases.require_manage(self.membership, survey)
        data = self._payload(s.SurveyTemplateWriteSerializer, partial=partial)
        updated = services.survey_update_settings(actor=self.actor, survey=survey, values=data)
        return Response(s.BuilderSurveyDetailSerializer(updated).data)

    @extend_schema(
        request=s.SurveyTemplateWriteSerializer, responses={200: s.BuilderSurveyDetailSerializer}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(
        request=s.SurveyTemplateWriteSerializer, responses={200: s.BuilderSurveyDetailSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(request=None, responses={200: s.BuilderSurveySerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Archive the template: it leaves the list of templates to copy (copies keep theirs)."""
        survey = self._template()
        use_cases.require_manage(self.membership, survey)
        archived = services.template_set_active(actor=self.actor, survey=survey, active=False)
        return Response(s.BuilderSurveySerializer(archived).data)

    @extend_schema(request=None, responses={200: s.BuilderSurveySerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="install-library", pagination_class=None)
    def install_library(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Install the shipped templates the organisation does not have yet (admins); returns the
        ones installed now (none the second time)."""
        policy.template_access(self.membership).require(policy.TEMPLATE_MANAGE)
        installed = install_library(organization=self.membership.organization, actor=self.actor)
        return Response(s.BuilderSurveySerializer(installed, many=True).data)


# --- Questions (of a template, or of a program's survey) ------------------------------------------


class _QuestionViewSet(BuilderViewSet):
    ordering_fields = {"position": "position"}
    serializer_class = s.SurveyQuestionSerializer
    pagination_class = ByPosition

    def get_survey(self) -> Survey:
        raise NotImplementedError

    def _question(self, survey: Survey) -> Question:
        return use_cases.question_of(survey, int(self.kwargs["pk"]))

    @extend_schema(responses={200: s.SurveyQuestionSerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The questions of the survey's current version, in order."""
        return self._page(
            selectors.current_questions(self.get_survey()), s.SurveyQuestionSerializer
        )

    @extend_schema(responses={200: s.SurveyQuestionSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(s.SurveyQuestionSerializer(self._question(self.get_survey())).data)

    @extend_schema(
        request=s.SurveyQuestionCreateSerializer, responses={201: s.SurveyQuestionSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a question (a new version first, if the current one has answers)."""
        survey = self.get_survey()
        use_cases.require_manage(self.membership, survey)
        data = self._payload(s.SurveyQuestionCreateSerializer)
        position = data.pop("position", None)
        question = services.question_add(
            actor=self.actor, survey=survey, values=data, position=position
        )
        question.refresh_from_db()
        return Response(s.SurveyQuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        survey = self.get_survey()
        use_cases.require_manage(self.membership, survey)
        question = self._question(survey)
        data = self._payload(s.SurveyQuestionWriteSerializer, partial=partial)
        updated = services.question_update(
            actor=self.actor, survey=survey, question=question, values=data
        )
        return Response(s.SurveyQuestionSerializer(updated).data)

    @extend_schema(
        request=s.SurveyQuestionWriteSerializer, responses={200: s.SurveyQuestionSerializer}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace a question. When the version has answers the change goes to a new version:
        the response is the question's copy there (a new id)."""
        return self._update(partial=False)

    @extend_schema(
        request=s.SurveyQuestionWriteSerializer, responses={200: s.SurveyQuestionSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        survey = self.get_survey()
        use_cases.require_manage(self.membership, survey)
        services.question_delete(actor=self.actor, survey=survey, question=self._question(survey))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.QuestionMoveSerializer,
        responses={200: s.SurveyQuestionSerializer(many=True)},
        examples=[OpenApiExample("One step up", value={"direction": "up"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def move(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the question one step up or down (the builder's buttons); the first stays first.
        Answers the current version's questions in their new order (a version with answers is
        copied first: the ids are then the copy's)."""
        survey = self.get_survey()
        use_cases.require_manage(self.membership, survey)  # 403 before the body is read
        use_cases.question_of(survey, int(self.kwargs["pk"]))
        data = self._payload(s.QuestionMoveSerializer)
        ordered = use_cases.move_question(
            membership=self.membership,
            actor=self.actor,
            survey=survey,
            question_pk=int(self.kwargs["pk"]),
            direction=data["direction"],
        )
        return Response(s.SurveyQuestionSerializer(ordered, many=True).data)


@extend_schema(parameters=[SURVEY_PK])
class TemplateQuestionViewSet(_QuestionViewSet):
    """The questions of a template."""

    def get_survey(self) -> Survey:
        survey = use_cases.survey_for(self.membership, int(self.kwargs["survey_pk"]))
        if not survey.is_template:
            raise Http404("No such template.")
        return survey


@extend_schema(parameters=[PROGRAM_PK, SURVEY_PK])
class ProgramSurveyQuestionViewSet(_QuestionViewSet):
    """The questions of a program's survey (its staff)."""

    def get_survey(self) -> Survey:
        program = use_cases.program_for(self.membership, int(self.kwargs["program_pk"]))
        return use_cases.program_survey_for(self.membership, program, int(self.kwargs["survey_pk"]))


# --- A program's surveys -------------------------------------------------------------------------------


@extend_schema(parameters=[PROGRAM_PK])
class ProgramSurveyViewSet(BuilderViewSet):
    """A program's surveys, one per wave, copied from templates; its staff edit them."""

    ordering_fields = {
        "title": "title",
        "wave": "wave",
        "created": "created_at",
        "updated": "updated_at",
    }

    serializer_class = s.BuilderSurveySerializer
    pagination_class = ById

    def _program(self) -> Program:
        return use_cases.program_for(self.membership, int(self.kwargs["program_pk"]))

    def _survey(self) -> Survey:
        return use_cases.program_survey_for(
            self.membership, self._program(), int(self.kwargs["pk"])
        )

    @extend_schema(responses={200: s.BuilderSurveySerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._page(Survey.objects.filter(program=self._program()), s.BuilderSurveySerializer)

    @extend_schema(responses={200: s.BuilderSurveyDetailSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The survey with its current version's questions."""
        return Response(s.BuilderSurveyDetailSerializer(self._survey()).data)

    @extend_schema(request=None, responses={200: s.BuilderSurveySerializer(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None)
    def recommended(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add the recommended surveys in one go: the shipped survey of every wave the program has
        none for yet. Answers the surveys added (an empty list when every wave has its survey)."""
        _, created = use_cases.add_recommended_surveys(
            membership=self.membership, actor=self.actor, program_pk=int(self.kwargs["program_pk"])
        )
        return Response(s.BuilderSurveySerializer(created, many=True).data)

    @extend_schema(
        request=s.ProgramSurveyCreateSerializer, responses={201: s.BuilderSurveyDetailSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Copy a template into the program for a wave (one survey per wave)."""
        program = self._program()
        data = self._payload(s.ProgramSurveyCreateSerializer)
        template = use_cases.active_template(self.membership, data["template"])
        survey = services.survey_from_template(
            actor=self.actor, program=program, template=template, wave=data.get("wave")
        )
        return Response(
            s.BuilderSurveyDetailSerializer(survey).data, status=status.HTTP_201_CREATED
        )

    def _update(self, *, partial: bool) -> Response:
        survey = self._survey()
        use_cases.require_manage(self.membership, survey)
        data = self._payload(s.ProgramSurveySettingsSerializer, partial=partial)
        updated = services.survey_update_settings(actor=self.actor, survey=survey, values=data)
        return Response(s.BuilderSurveyDetailSerializer(updated).data)

    @extend_schema(
        request=s.ProgramSurveySettingsSerializer, responses={200: s.BuilderSurveyDetailSerializer}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Settings: title, introduction, anonymity (locked once answered), open days."""
        return self._update(partial=False)

    @extend_schema(
        request=s.ProgramSurveySettingsSerializer, responses={200: s.BuilderSurveyDetailSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)


# --- Objectives measured by anchor items ----------------------------------------------------------


@extend_schema(parameters=[PROGRAM_PK])
class ObjectiveAnchorViewSet(BuilderViewSet):
    """Which anchor items measure each objective of the program."""

    ordering_fields = {"created": "created_at"}

    serializer_class = s.ObjectiveAnchorSerializer
    pagination_class = ById

    def _program(self) -> Program:
        return use_cases.program_for(self.membership, int(self.kwargs["program_pk"]))

    @extend_schema(responses={200: s.ObjectiveAnchorSerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        links = ObjectiveAnchor.objects.filter(objective__program=self._program())
        return self._page(links, s.ObjectiveAnchorSerializer)

    @extend_schema(responses={200: s.ObjectiveAnchorSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        link = use_cases.anchor_link_of(self._program(), int(self.kwargs["pk"]))
        return Response(s.ObjectiveAnchorSerializer(link).data)

    @extend_schema(
        request=s.ObjectiveAnchorWriteSerializer, responses={201: s.ObjectiveAnchorSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Measure an objective by an anchor item asked in the program's surveys."""
        program = self._program()
        data = self._payload(s.ObjectiveAnchorWriteSerializer)
        objective = use_cases.objective_or_field_error(program, data["objective"])
        link = services.objective_anchor_link(
            actor=self.actor, objective=objective, anchor_key=data["anchor_key"]
        )
        return Response(s.ObjectiveAnchorSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        link = use_cases.anchor_link_of(self._program(), int(self.kwargs["pk"]))
        services.objective_anchor_unlink(actor=self.actor, link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)
