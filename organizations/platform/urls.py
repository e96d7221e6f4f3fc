from django.urls import path

from organizations.platform import views

urlpatterns = [
    path("platform/organizations/", views.organization_list, name="platform_organization_list"),
    path("platform/organizations/new/", views.organization_new, name="platform_organization_new"),
]
