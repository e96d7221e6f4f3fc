from django.urls import include, path

from mentoring.api.views import ApiRootView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("o/<slug:org_slug>/", include("organizations.api.urls")),
    path("o/<slug:org_slug>/", include("programs.api.urls")),
    path("o/<slug:org_slug>/", include("participants.api.urls")),
    path("o/<slug:org_slug>/", include("matching.api.urls")),
    path("o/<slug:org_slug>/", include("feedback.api.urls")),
    path("o/<slug:org_slug>/", include("surveys.api.urls")),
    path("o/<slug:org_slug>/", include("dashboards.api.urls")),
    path("o/<slug:org_slug>/", include("privacy.api.urls")),
    path("o/<slug:org_slug>/", include("webhooks.api.urls")),
    path("o/<slug:org_slug>/", include("sso.api_urls")),
]
