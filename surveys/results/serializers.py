"""The results API's bodies, read straight from the results dataclasses. Every figure in them has
passed the privacy floor: a suppressed aggregate has ``shown: false``, a ``note`` and no figure.
Free text has its own field, filled only for attributed surveys and viewers the policy allows."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from surveys.models import QuestionKind, Wave


class ResponseRateSerializer(serializers.Serializer[Any]):
    group = serializers.CharField(source="label")
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class WaveRatesSerializer(serializers.Serializer[Any]):
    survey = serializers.IntegerField(source="survey.pk")
    wave = serializers.ChoiceField(source="survey.wave", choices=Wave.choices)
    anonymous = serializers.BooleanField(source="survey.anonymous")
    total = ResponseRateSerializer()
    by_role = ResponseRateSerializer(many=True)


class RatesSerializer(serializers.Serializer[Any]):
    waves = WaveRatesSerializer(many=True)
    program = ResponseRateSerializer()


class PairedChangeSerializer(serializers.Serializer[Any]):
    n = serializers.IntegerField()
    mean_pre = serializers.FloatField(allow_null=True)
    mean_post = serializers.FloatField(allow_null=True)
    mean_change = serializers.FloatField(allow_null=True)
    sd_change = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="95 % confidence interval (t)")
    ci_high = serializers.FloatField(allow_null=True)
    t_p = serializers.FloatField(allow_null=True, help_text="Paired t-test, two-sided")
    wilcoxon_p = serializers.FloatField(allow_null=True, help_text="Wilcoxon signed-rank")
    cohens_dz = serializers.FloatField(allow_null=True)
    rank_biserial = serializers.FloatField(allow_null=True)
    test = serializers.CharField(help_text='The headline test: "wilcoxon", "t-test" or ""')
    p_value = serializers.FloatField(allow_null=True, help_text="The headline test's p")
    effect_size = serializers.FloatField(allow_null=True)
    sentence = serializers.CharField()


class AnchorChangeSerializer(serializers.Serializer[Any]):
    since = serializers.CharField()
    until = serializers.CharField()
    role = serializers.CharField(help_text='"mentee", "mentor", or "" for everyone')
    shown = serializers.BooleanField(help_text="False: too few answers to show")
    result = PairedChangeSerializer(allow_null=True, source="shown_result")


class AnchorItemSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.CharField()
    scale_points = serializers.IntegerField(allow_null=True)


class AnchorOutcomeSerializer(serializers.Serializer[Any]):
    item = AnchorItemSerializer()
    changes = AnchorChangeSerializer(many=True)


class ObjectiveProgressSerializer(serializers.Serializer[Any]):
    anchor = serializers.CharField(source="anchor.key")
    change = AnchorChangeSerializer()
    baseline = serializers.FloatField(allow_null=True)
    baseline_source = serializers.CharField()
    post_mean = serializers.FloatField(allow_null=True)
    percent = serializers.FloatField(allow_null=True, help_text="Progress to the target, in %")


class ObjectiveOutcomeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="objective.pk")
    statement = serializers.CharField(source="objective.statement")
    audience = serializers.CharField(source="objective.audience")
    baseline = serializers.DecimalField(
        source="objective.baseline", max_digits=8, decimal_places=2, allow_null=True
    )
    target = serializers.DecimalField(source="objective.target", max_digits=8, decimal_places=2)
    unit = serializers.CharField(source="objective.unit")
    progress = ObjectiveProgressSerializer(many=True)


class OutcomesSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField(source="program.pk")
    min_aggregate_size = serializers.IntegerField(source="k")
    rates = RatesSerializer()
    anchors = AnchorOutcomeSerializer(many=True)
    objectives = ObjectiveOutcomeSerializer(many=True)


class AnswerBucketSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(source="label")
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class BreakdownCellSerializer(serializers.Serializer[Any]):
    group = serializers.CharField(source="label")
    shown = serializers.BooleanField()
    n = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    note = serializers.CharField()


class QuestionResultSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.ChoiceField(source="question.kind", choices=QuestionKind.choices)
    anchor_key = serializers.CharField(source="question.anchor_key")
    shown = serializers.BooleanField(help_text="False: too few answers to show (no figures)")
    note = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    nps = serializers.FloatField(allow_null=True)
    distribution = AnswerBucketSerializer(many=True)
    texts = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Free-text answers: attributed surveys and permitted viewers only, else null",
    )
    texts_total = serializers.IntegerField()
    breakdown = BreakdownCellSerializer(many=True)


class VersionResultsSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    is_current = serializers.BooleanField()
    questions = QuestionResultSerializer(many=True)


class ResultsFiltersSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    department = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    group = serializers.CharField()


class SurveyResultsSerializer(serializers.Serializer[Any]):
    survey = serializers.IntegerField(source="survey.pk")
    program = serializers.IntegerField(source="survey.program_id")
    wave = serializers.ChoiceField(source="survey.wave", choices=Wave.choices)
    anonymous = serializers.BooleanField(source="survey.anonymous")
    min_aggregate_size = serializers.IntegerField(source="k")
    filters = ResultsFiltersSerializer()
    respondents = serializers.IntegerField(
        allow_null=True, help_text="Under the filters; null when too few to show"
    )
    breakdown_by = serializers.CharField()
    versions = VersionResultsSerializer(many=True)
