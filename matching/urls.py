from django.urls import include, path

urlpatterns = [
    path("", include("matching.urls_rounds")),
]
