from django.urls import path
from rest_framework.routers import SimpleRouter

from organizations.api import views
from organizations.configuration.urls import api_urlpatterns as settings_urlpatterns

router = SimpleRouter()
router.register("members", views.MembershipViewSet, basename="api-member")
router.register("invitations", views.InvitationViewSet, basename="api-invitation")
router.register("audit-log", views.AuditEntryViewSet, basename="api-audit")

urlpatterns = [
    path("", views.OrganizationView.as_view(), name="api-organization"),
    *router.urls,
    *settings_urlpatterns,
]
