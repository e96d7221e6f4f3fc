from django.urls import URLPattern, URLResolver, path

from feedback.views import review

_PROGRAM = "o/<slug:org_slug>/programs/<id:program_pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{_PROGRAM}engagement/", review.program_engagement, name="program_engagement"),
    path(f"{_PROGRAM}review/", review.program_review, name="program_review"),
    path(f"{_PROGRAM}review/pairs/<id:pair_pk>/", review.review_pair, name="review_pair"),
]
