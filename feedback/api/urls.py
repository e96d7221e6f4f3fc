from django.urls import include, path

urlpatterns = [
    path("", include("feedback.api.urls_relationships")),
    path("", include("feedback.api.urls_checkins")),
    path("", include("feedback.api.urls_review")),
]
