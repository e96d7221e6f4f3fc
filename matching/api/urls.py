from rest_framework.routers import SimpleRouter

from matching.api import views

router = SimpleRouter()
router.register("matching/rounds", views.RoundViewSet, basename="api-matching-round")
router.register("matching/pins", views.PinViewSet, basename="api-matching-pin")
router.register("matching/blocks", views.BlockViewSet, basename="api-matching-block")
router.register("matching/rematches", views.RematchViewSet, basename="api-matching-rematch")
router.register("pairs", views.PairViewSet, basename="api-pair")

urlpatterns = router.urls
