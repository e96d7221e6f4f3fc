from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from feedback.api import review

router = SimpleRouter()
router.register("engagement", review.EngagementSnapshotViewSet, basename="api-engagement")
router.register("review-decisions", review.ReviewDecisionViewSet, basename="api-review-decision")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
