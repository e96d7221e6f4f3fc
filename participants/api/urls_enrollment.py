from rest_framework.routers import SimpleRouter

from participants.api import enrollment

router = SimpleRouter()
router.register("enrollments", enrollment.EnrollmentViewSet, basename="api-enrollment")
router.register(
    "registration-questions",
    enrollment.RegistrationQuestionViewSet,
    basename="api-registration-question",
)
router.register("me/enrollments", enrollment.MyEnrollmentViewSet, basename="api-my-enrollment")

urlpatterns = router.urls
