from rest_framework.routers import SimpleRouter

from participants.api.directory import PersonViewSet
from participants.importing.api import ImportJobViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="api-person")
router.register("people/imports", ImportJobViewSet, basename="api-import")

urlpatterns = router.urls
