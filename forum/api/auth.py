"""API tokens. A token is a full log-in, so it asks for what the site's log-in asks for:
a verified e-mail address, the password, and the two-factor code where two-factor is on."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.access import logged_in_user
from accounts.models import User
from forum.api import examples
from forum.api.errors import RETRY_AFTER, errors
from forum.api.inputs import JSONInput


class TokenRequest(JSONInput):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="The six-digit code from the authenticator app; required for accounts with "
        "two-factor authentication (every doctor and moderator).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = User.objects.filter(email__iexact=attrs["email"]).first()
        if user is None or not user.is_active or not user.check_password(attrs["password"]):
            raise serializers.ValidationError("E-mail address or password is wrong.")
        if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True):
            raise serializers.ValidationError("Confirm your e-mail address first.")
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None:
            code = attrs.get("code", "").strip()
            if not code:
                raise serializers.ValidationError({"code": "This account needs a two-factor code."})
            if not TOTP(totp).validate_code(code):
                raise serializers.ValidationError({"code": "That code is wrong or expired."})
        attrs["user"] = user
        return attrs


TOKEN_RESPONSE = inline_serializer("TokenResponse", {"token": serializers.CharField()})


class TokenView(APIView):
    """Create (POST) or revoke (DELETE) the caller's API token."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=TokenRequest,
        responses={
            200: TOKEN_RESPONSE,
            **errors(
                400,
                401,
                429,
                e400="Wrong e-mail address or password, e-mail not confirmed, or a missing or "
                "wrong two-factor code (under `code`).",
                e401="An `Authorization` header with a wrong or revoked token: send none.",
            ),
        },
        parameters=[RETRY_AFTER],
        examples=examples.TOKEN_CREATE,
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequest(data=request.data)
        form.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=form.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None, **errors(401, 403)})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=logged_in_user(request)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
