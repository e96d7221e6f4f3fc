from django.urls import include, path

urlpatterns = [
    path("", include("participants.api.urls_directory")),
    path("", include("participants.api.urls_enrollment")),
]
