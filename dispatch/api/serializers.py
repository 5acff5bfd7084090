"""Serializers of the dispatch API."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import DateTimeField
from enterprises.jurisdiction import is_bureau
from enterprises.models import Role
from fieldsync.models import RoundDraft

from .. import workflow
from ..models import (
    Attachment,
    Campaign,
    Checklist,
    ChecklistLine,
    Complaint,
    Feedback,
    LineResult,
    Round,
    SelfCheckNotice,
    Transition,
    WorkOrder,
)
from ..selectors import colour_choices


class ComplaintSerializer(serializers.ModelSerializer):
    photo = serializers.SerializerMethodField(help_text="Where staff with access to the order see the photo.")
    contact = serializers.SerializerMethodField(
        help_text="The complainant's contact: for the bureau and the order's handler only, else empty.")

    def get_photo(self, obj) -> str | None:
        return reverse("dispatch:complaint_photo", args=[obj.pk]) if obj.photo else None

    def get_contact(self, obj) -> str:
        user = self.context["request"].user
        if is_bureau(user) or (obj.work_order is not None and workflow.is_handler(user, obj.work_order)):
            return obj.contact
        return ""

    class Meta:
        model = Complaint
        fields = ["id", "enterprise", "township", "channel", "text", "photo", "contact", "work_order", "created_at",
                  "fixed_question_at"]


class WorkOrderSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)
    township_name = serializers.CharField(source="township.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    overdue_since = serializers.DateTimeField(read_only=True, allow_null=True)
    complaint_photo = serializers.SerializerMethodField(
        help_text="Where the complaint's photo is (token or session), for an order opened by a complaint with one.")

    def get_complaint_photo(self, obj) -> str | None:
        complaint = getattr(obj, "complaint", None)
        if complaint is None or not complaint.photo:
            return None
        return reverse("api-work-order-complaint-photo", args=[obj.pk])

    class Meta:
        model = WorkOrder
        fields = ["id", "title", "description", "source", "source_label", "state", "state_label", "enterprise",
                  "enterprise_name", "township", "township_name", "assignee_kind", "grid", "team", "officer",
                  "opened_at", "dispatched_at", "accept_due_at", "fix_due_at", "plan_due_at", "due_at",
                  "overdue_since", "accepted_at", "resolved_at", "closed_at", "on_time", "plan_text", "plan_date",
                  "reopened", "complaint_photo"]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transition
        fields = ["action", "from_state", "to_state", "by", "at", "note"]


class AttachmentSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="The file on the web pages (session login).")
    download = serializers.SerializerMethodField(help_text="The file through the API (token or session).")

    def get_file(self, obj) -> str:
        return reverse("dispatch:attachment", args=[obj.pk])

    def get_download(self, obj) -> str | None:
        if obj.feedback_id is None:  # a checklist line's photo: on the web pages only
            return None
        return reverse("api-feedback-attachment-file", args=[obj.feedback_id, obj.pk])

    class Meta:
        model = Attachment
        fields = ["id", "file", "download", "sha256", "size", "content_type", "taken_at", "latitude", "longitude",
                  "uploaded_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    received_files = serializers.SerializerMethodField()
    complete = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "work_order", "client_uuid", "text", "declared_files", "received_files", "complete",
                  "submitted_by", "submitted_at", "completed_at", "attachments"]

    def get_received_files(self, feedback) -> int:
        return len(feedback.attachments.all())

    def get_complete(self, feedback) -> bool:
        return feedback.completed_at is not None


class WorkOrderDetailSerializer(WorkOrderSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)
    feedbacks = FeedbackSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(help_text=_("Actions I may take now."))

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "evidence", "actions", "transitions", "feedbacks"]
        read_only_fields = fields

    def get_actions(self, order) -> list[str]:
        return workflow.allowed_actions(self.context["request"].user, order)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PassToGridSerializer(NoteSerializer):
    grid = serializers.IntegerField(help_text="A grid of the order's township.")


class GridSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    township = serializers.IntegerField(source="township_id")


class PlanSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    completion_date = serializers.DateField()


class FeedbackInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    client_uuid = serializers.UUIDField(required=False, help_text=_("Your id of this submission (retries)."))
    declared_files = serializers.IntegerField(min_value=0, max_value=50, required=False,
                                              help_text=_("Files that will follow one by one; default: the "
                                                          "files sent with this request."))
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=50)
    taken_at = DateTimeField(required=False)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)


class AttachmentInSerializer(serializers.Serializer):
    file = serializers.FileField()
    client_uuid = serializers.UUIDField(required=False)
    taken_at = DateTimeField(required=False)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistLine
        fields = ["id", "seq", "category", "ref", "title", "requirement"]


class ChecklistSerializer(serializers.ModelSerializer):
    permit_number = serializers.CharField(source="permit.number", read_only=True)
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "enterprise", "permit", "permit_number", "revision", "schema_version", "built_at", "lines"]


class EnterpriseQuery(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class DraftSerializer(serializers.ModelSerializer):
    checklist = ChecklistSerializer(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    answered = serializers.SerializerMethodField()
    submitted_round = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = RoundDraft
        fields = ["client_uuid", "kind", "enterprise", "enterprise_name", "notice", "checklist", "answers",
                  "answered", "note", "started_at", "updated_at", "submitted_round"]

    def get_answered(self, draft) -> int:
        return len(draft.answers)


class StartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Round.Kind.choices)
    enterprise = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    client_uuid = serializers.UUIDField(required=False, help_text=_("Your id of this round (retries)."))


class AnswerSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=LineResult.Result.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    case_lead = serializers.BooleanField(required=False, default=False)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)

    def validate(self, attrs):
        if (attrs["latitude"] is None) != (attrs["longitude"] is None):
            raise serializers.ValidationError(_("Give both GPS coordinates, as degrees."))
        return attrs


class RoundSerializer(serializers.ModelSerializer):
    class ResultSerializer(serializers.ModelSerializer):
        seq = serializers.IntegerField(source="line.seq", read_only=True)
        title = serializers.CharField(source="line.title", read_only=True)

        class Meta:
            model = LineResult
            fields = ["line", "seq", "title", "result", "note", "work_order"]

    results = ResultSerializer(many=True, read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "role", None) == Role.ENTERPRISE:
            data.pop("case_lead", None)  # whether an inspection became a case lead is the bureau's business
        return data

    class Meta:
        model = Round
        fields = ["id", "kind", "checklist", "enterprise", "enterprise_name", "township", "client_uuid", "notice",
                  "performed_by", "submitted_at", "note", "case_lead", "case_filed_on", "case_number", "latitude",
                  "longitude", "results"]


class NoticeSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    campaign_title = serializers.CharField(source="campaign.title", read_only=True, default=None)

    class Meta:
        model = SelfCheckNotice
        fields = ["id", "enterprise", "enterprise_name", "checklist", "batch", "campaign", "campaign_title", "issued_at",
                  "due_at",
                  "completed_at"]


class CampaignSerializer(serializers.ModelSerializer):
    """A self-check campaign with its notice counts; on create, ``issued`` is how many it issued now."""

    issued = serializers.IntegerField(read_only=True)
    completed = serializers.IntegerField(read_only=True)
    colour = serializers.ChoiceField(choices=[], required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].choices = [("", ""), *colour_choices()]

    class Meta:
        model = Campaign
        fields = ["id", "title", "township", "industry", "colour", "schedule", "due_days", "active", "created_by",
                  "created_at", "last_batch", "issued", "completed"]
        read_only_fields = ["id", "active", "created_by", "created_at", "last_batch", "issued", "completed"]
