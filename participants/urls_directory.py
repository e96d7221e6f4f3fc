from django.urls import path

from participants.importing import views as imports
from participants.views import directory

_PEOPLE = "o/<slug:org_slug>/people/"

urlpatterns = [
    path(_PEOPLE, directory.person_list, name="person_list"),
    path(f"{_PEOPLE}new/", directory.person_create, name="person_create"),
    path(f"{_PEOPLE}<id:pk>/", directory.person_detail, name="person_detail"),
    path(f"{_PEOPLE}<id:pk>/edit/", directory.person_edit, name="person_edit"),
    path(f"{_PEOPLE}<id:pk>/deactivate/", directory.person_deactivate, name="person_deactivate"),
    path(f"{_PEOPLE}<id:pk>/reactivate/", directory.person_reactivate, name="person_reactivate"),
    path(f"{_PEOPLE}imports/", imports.import_list, name="import_list"),
    path(f"{_PEOPLE}imports/<id:pk>/", imports.import_detail, name="import_detail"),
    path(f"{_PEOPLE}imports/<id:pk>/check/", imports.import_validate, name="import_validate"),
    path(f"{_PEOPLE}imports/<id:pk>/commit/", imports.import_commit, name="import_commit"),
]
