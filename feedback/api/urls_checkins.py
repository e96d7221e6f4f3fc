from rest_framework.routers import SimpleRouter

from feedback.api import checkins

router = SimpleRouter()
router.register("check-ins", checkins.CheckInViewSet, basename="api-check-in")

urlpatterns = router.urls
