from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from organizations.api.views import ID_REGEX
from programs.api import views

ONE_PROGRAM = f"programs/(?P<program_pk>{ID_REGEX})"

router = SimpleRouter()
router.register("topics", views.TopicViewSet, basename="api-topic")
router.register("programs", views.ProgramViewSet, basename="api-program")
router.register(f"{ONE_PROGRAM}/objectives", views.ObjectiveViewSet, basename="api-objective")
router.register(
    f"{ONE_PROGRAM}/charter-versions", views.CharterVersionViewSet, basename="api-charter"
)
router.register(f"{ONE_PROGRAM}/training", views.TrainingResourceViewSet, basename="api-training")
router.register(
    f"{ONE_PROGRAM}/coordinators", views.ProgramCoordinatorViewSet, basename="api-coordinator"
)

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
