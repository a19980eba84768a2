"""`/api/me/`: the caller's own account — profile, data export and deletion."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.access import (
    logged_in_user,
    user_can_act_as_doctor,
    user_can_moderate,
    user_needs_totp_for_powers,
)
from accounts.forms import MAX_AGE, MIN_AGE, TOO_OLD, TOO_YOUNG, birth_year_bounds
from accounts.models import DoctorProfile, Sex, User
from forum.api import examples
from forum.api.errors import errors
from forum.api.inputs import JSONInput, SecretField


class DoctorProfileSerializer(serializers.ModelSerializer[DoctorProfile]):
    specialties: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = DoctorProfile
        fields = ["display_name", "status", "specialties", "bio"]


class MeSerializer(serializers.ModelSerializer[User]):
    doctor_profile = serializers.SerializerMethodField()
    can_answer = serializers.SerializerMethodField(
        help_text="A verified doctor with two-factor on: may use the review queue."
    )
    can_moderate = serializers.SerializerMethodField()
    needs_two_factor = serializers.SerializerMethodField(
        help_text="Doctor or moderator powers wait on setting up two-factor on the site."
    )

    class Meta:
        model = User
        fields = [
            "email",
            "pseudonym",
            "role",
            "birth_year",
            "sex",
            "date_joined",
            "doctor_profile",
            "can_answer",
            "can_moderate",
            "needs_two_factor",
        ]
        read_only_fields = fields

    @extend_schema_field(DoctorProfileSerializer(allow_null=True))
    def get_doctor_profile(self, user: User) -> dict[str, Any] | None:
        profile = DoctorProfile.objects.filter(user=user).first()
        return dict(DoctorProfileSerializer(profile).data) if profile else None

    def get_can_answer(self, user: User) -> bool:
        return user_can_act_as_doctor(user)

    def get_can_moderate(self, user: User) -> bool:
        return user_can_moderate(user)

    def get_needs_two_factor(self, user: User) -> bool:
        return user_needs_totp_for_powers(user)


class MeUpdateSerializer(JSONInput):
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # The bounds move with the year, so the field (and the schema's minimum and maximum) is
        # made for each request.
        fields = super().get_fields()
        earliest, latest = birth_year_bounds()
        fields["birth_year"] = serializers.IntegerField(
            required=False,
            min_value=earliest,
            max_value=latest,
            error_messages={"min_value": TOO_OLD, "max_value": TOO_YOUNG},
            help_text=f"At least {MIN_AGE} and at most {MAX_AGE} years ago.",
        )
        return fields


class DeleteAccountSerializer(JSONInput):
    password = SecretField(
        help_text="Your password, to confirm.",
        style={"input_type": "password"},
    )


class MeView(APIView):
    """GET your profile, PATCH year of birth or sex (the age band on your questions follows)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, **errors(401)}, examples=examples.ME_RETRIEVE)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(logged_in_user(request)).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **errors(400, 401, 403)},
        examples=examples.ME_UPDATE,
    )
    def patch(self, request: Request) -> Response:
        form = MeUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = logged_in_user(request)
        services.user_update_profile(user=user, **form.validated_data)
        return Response(MeSerializer(user).data)


class MeExport(APIView):
    """Everything the site holds about you, as JSON (the same file as the profile page's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **errors(401)}, examples=examples.ME_EXPORT)
    def get(self, request: Request) -> Response:
        return Response(services.user_export_data(user=logged_in_user(request)))


class MeDelete(APIView):
    """Delete your account and everything you wrote. A doctor's published answers stay, signed
    with their display name. Needs your password; cannot be undone."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=DeleteAccountSerializer,
        responses={
            204: None,
            **errors(
                400,
                401,
                403,
                e403="Not your password (a well-formed request the account refuses), or a "
                "session caller's write without its CSRF token.",
            ),
        },
        examples=examples.ME_DELETE,
    )
    def post(self, request: Request) -> Response:
        user = logged_in_user(request)
        form = DeleteAccountSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if not user.check_password(form.validated_data["password"]):
            raise PermissionDenied("That is not your password.")
        services.user_delete_account(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
