"""Complaints from the public, for staff (read only). Filing stays on the public pages
(``dispatch:complain``); the complainant's private token is never exposed here."""
from django.db.models import Q
from django.urls import reverse
from rest_framework import serializers

from enforcement.api.permissions import IsStaff
from enforcement.api.viewsets import ReadOnlyViewSet
from enterprises import jurisdiction

from ..models import Complaint


class ComplaintSerializer(serializers.ModelSerializer):
    photo = serializers.SerializerMethodField(help_text="Where staff with access to the order see the photo.")

    def get_photo(self, obj) -> str | None:
        return reverse("dispatch:complaint_photo", args=[obj.pk]) if obj.photo else None

    class Meta:
        model = Complaint
        fields = ["id", "enterprise", "township", "channel", "text", "photo", "contact", "work_order", "created_at",
                  "fixed_question_at"]


class ComplaintViewSet(ReadOnlyViewSet):
    """Complaints about the enterprises (or, for complaints about a place, the townships) of my jurisdiction."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    permission_classes = [IsStaff]
    filterset_fields = ["enterprise", "township", "channel"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        user = self.request.user
        if jurisdiction.is_county_wide(user):
            return Complaint.objects.all()
        return Complaint.objects.filter(
            jurisdiction.enterprise_q(user, "enterprise")
            | Q(enterprise__isnull=True, township__in=jurisdiction.visible_townships(user)))
