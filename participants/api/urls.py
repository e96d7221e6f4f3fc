"""The participants app's API: people, imports, enrolments, registration questions, my enrolments."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from participants.api import directory, enrollment, training
from participants.importing.api import ImportJobViewSet
from participants.onboarding.api import InvitationBatchViewSet, OpenInvitationsView
from participants.scim import views as scim

router = SimpleRouter()
router.register("people", directory.PersonViewSet, basename="api-person")
router.register("people/imports", ImportJobViewSet, basename="api-import")
router.register(
    "people/invitation-batches", InvitationBatchViewSet, basename="api-invitation-batch"
)
router.register("enrollments", enrollment.EnrollmentViewSet, basename="api-enrollment")
router.register(
    "registration-questions",
    enrollment.RegistrationQuestionViewSet,
    basename="api-registration-question",
)
router.register("me/enrollments", enrollment.MyEnrollmentViewSet, basename="api-my-enrollment")

_SCIM = "scim/v2/"

urlpatterns = [
    path(
        "programs/<id:program_pk>/training-completion/",
        training.TrainingCompletionView.as_view(),
        name="api-program-training-completion",
    ),
    path(
        "programs/<id:program_pk>/open-invitations/",
        OpenInvitationsView.as_view(),
        name="api-program-open-invitations",
    ),
    *router.urls,
    # SCIM 2.0 provisioning (participants/scim): its own media type and error body, token only.
    path(f"{_SCIM}Users", scim.users, name="scim-users"),
    path(f"{_SCIM}Users/<id:pk>", scim.user, name="scim-user"),
    path(f"{_SCIM}Groups", scim.group_list, name="scim-groups"),
    path(f"{_SCIM}Groups/<id:pk>", scim.group, name="scim-group"),
    path(
        f"{_SCIM}ServiceProviderConfig",
        scim.service_provider_config,
        name="scim-service-provider-config",
    ),
    path(f"{_SCIM}ResourceTypes", scim.resource_types, name="scim-resource-types"),
    path(f"{_SCIM}Schemas", scim.schemas, name="scim-schemas"),
]
