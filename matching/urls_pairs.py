from django.urls import path

from matching.views import pairs

_ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(f"{_ORG}me/pairs/", pairs.my_pair_list, name="my_pair_list"),
    path(f"{_ORG}pairs/<id:pk>/", pairs.pair_detail, name="pair_detail"),
    path(f"{_ORG}pairs/<id:pk>/end/", pairs.pair_end, name="pair_end"),
    path(
        f"{_ORG}programs/<id:program_pk>/pairs/",
        pairs.program_pair_list,
        name="program_pair_list",
    ),
    path(
        f"{_ORG}programs/<id:program_pk>/rematch/<id:enrollment_pk>/",
        pairs.program_rematch,
        name="program_rematch",
    ),
]
