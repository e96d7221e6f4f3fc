from rest_framework.routers import SimpleRouter

from participants.api.directory import ImportJobViewSet, PersonViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="api-person")
router.register("people/imports", ImportJobViewSet, basename="api-import")

urlpatterns = router.urls
