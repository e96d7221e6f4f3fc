"""The matching API's one URL module: rounds, pins and blocks (``matching.rounds.api``), then
re-matches and published pairs (``matching.api.views``)."""

from rest_framework.routers import SimpleRouter

from matching.api import views
from matching.rounds import api as rounds

router = SimpleRouter()
router.register("matching/rounds", rounds.RoundViewSet, basename="api-matching-round")
router.register("matching/pins", rounds.PinViewSet, basename="api-matching-pin")
router.register("matching/blocks", rounds.BlockViewSet, basename="api-matching-block")
router.register("matching/rematches", views.RematchViewSet, basename="api-matching-rematch")
router.register("pairs", views.PairViewSet, basename="api-pair")

urlpatterns = router.urls
