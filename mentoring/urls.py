from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from mentoring import health, views

handler400 = "mentoring.views.bad_request"
handler403 = "mentoring.views.permission_denied"
handler404 = "mentoring.views.page_not_found"
handler500 = "mentoring.views.server_error"

urlpatterns = [
    # The API first: Django tries patterns in order, and every page include below is an empty
    # prefix whose patterns would each be tried (and missed) before an API path (about a thousand
    # Python calls a request). No page path starts with "api/", so the order changes no match.
    path("api/v1/", include("mentoring.api.urls")),
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("platform-admin/", admin.site.urls),
    path("", include("organizations.urls")),
    path("", include("programs.urls")),
    path("", include("participants.urls")),
    path("", include("matching.urls")),
    path("", include("feedback.urls")),
    path("", include("surveys.urls")),
    path("", include("dashboards.urls")),
    path("", include("privacy.urls")),
    path("", include("webhooks.urls")),
    path("", include("sso.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
