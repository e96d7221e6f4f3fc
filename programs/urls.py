from django.urls import URLPattern, URLResolver, path

from programs.views import programs, sections, topics

P = "o/<slug:org_slug>/programs/"
ONE = P + "<id:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P, programs.program_list, name="program_list"),
    path(P + "new/", programs.program_create, name="program_create"),
    path(ONE, programs.program_detail, name="program_detail"),
    path(ONE + "edit/", programs.program_edit, name="program_edit"),
    path(ONE + "transition/", programs.program_transition, name="program_transition"),
    path(ONE + "duplicate/", programs.program_duplicate, name="program_duplicate"),
    path(ONE + "archive/", programs.program_archive, name="program_archive"),
    path(ONE + "unarchive/", programs.program_unarchive, name="program_unarchive"),
    path(ONE + "objectives/", sections.objective_create, name="objective_create"),
    path(
        ONE + "objectives/<id:objective_pk>/edit/",
        sections.objective_edit,
        name="objective_edit",
    ),
    path(
        ONE + "objectives/<id:objective_pk>/delete/",
        sections.objective_delete,
        name="objective_delete",
    ),
    path(
        ONE + "objectives/<id:objective_pk>/move/",
        sections.objective_move,
        name="objective_move",
    ),
    path(ONE + "charter/", sections.charter_publish, name="charter_publish"),
    path(ONE + "training/", sections.training_create, name="training_create"),
    path(ONE + "training/<id:resource_pk>/edit/", sections.training_edit, name="training_edit"),
    path(
        ONE + "training/<id:resource_pk>/delete/",
        sections.training_delete,
        name="training_delete",
    ),
    path(ONE + "coordinators/", sections.coordinator_add, name="coordinator_add"),
    path(
        ONE + "coordinators/<id:coordinator_pk>/remove/",
        sections.coordinator_remove,
        name="coordinator_remove",
    ),
    path("o/<slug:org_slug>/topics/", topics.topic_list, name="topic_list"),
    path("o/<slug:org_slug>/topics/<id:pk>/edit/", topics.topic_edit, name="topic_edit"),
    path("o/<slug:org_slug>/topics/<id:pk>/toggle/", topics.topic_toggle, name="topic_toggle"),
]
