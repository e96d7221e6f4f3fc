from django.urls import include, path

urlpatterns = [
    path("", include("participants.urls_directory")),
    path("", include("participants.urls_enrollment")),
]
