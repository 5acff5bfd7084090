"""Serializers of the inbox API and of the channel choice."""
from rest_framework import serializers

from ..models import ChannelPreference, Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "source", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                max_length=500)


class PreferenceSerializer(serializers.ModelSerializer):
    """My channels; the DingTalk secret is write-only (``dingtalk_signed`` says whether one is set)."""

    dingtalk_signed = serializers.SerializerMethodField()
    saved = serializers.SerializerMethodField()

    class Meta:
        model = ChannelPreference
        fields = ["email", "sms", "wecom", "dingtalk", "wecom_key", "dingtalk_token", "dingtalk_secret",
                  "dingtalk_signed", "saved"]
        extra_kwargs = {"dingtalk_secret": {"write_only": True}}

    def get_dingtalk_signed(self, pref) -> bool:
        return bool(pref.dingtalk_secret)

    def get_saved(self, pref) -> bool:
        """False while the role's defaults apply."""
        return pref.pk is not None
