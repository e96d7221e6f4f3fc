from django.urls import include, path

urlpatterns = [
    path("", include("feedback.urls_relationships")),
    path("", include("feedback.urls_checkins")),
    path("", include("feedback.urls_review")),
]
