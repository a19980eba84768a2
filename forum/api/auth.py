"""API tokens. A token is a full log-in, so it asks for what the site's log-in asks for (a
confirmed e-mail address, the password, and the two-factor code where two-factor is on) and
shares its limits (accounts/tokens.py). Each log-in makes a new token; every token expires, and
its owner can list and revoke them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import tokens
from accounts.access import logged_in_user
from accounts.models import ApiToken
from forum.api import examples
from forum.api.errors import RETRY_AFTER, errors
from forum.api.inputs import JSONInput, SecretField


class _TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The token scheme in the schema, under the name clients know (`tokenAuth`)."""

    target_class = "knox.auth.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, with a token from `POST /api/auth/token/`. Tokens "
            "expire; a new password, two-factor turned on or off or a new role revokes them.",
        }


class TokenRequest(JSONInput):
    email = serializers.EmailField()
    password = SecretField(max_length=4096, style={"input_type": "password"})
    code = SecretField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="The six-digit code from the authenticator app (or one of the recovery "
        "codes); required for accounts with two-factor authentication (every doctor and "
        "moderator).",
    )


TOKEN_RESPONSE = inline_serializer(
    "TokenResponse",
    {
        "token": serializers.CharField(),
        "expires": serializers.DateTimeField(),
    },
)


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token as its owner sees it: its first characters, never the token itself."""

    key = serializers.CharField(source="token_key", help_text="The token's first characters.")
    expires = serializers.DateTimeField(source="expiry")
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    class Meta:
        model = ApiToken
        fields = ["key", "client", "created", "expires", "current"]

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class TokenView(APIView):
    """Log in for a new token (POST) or revoke the token of this request (DELETE)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        request=TokenRequest,
        responses={
            200: TOKEN_RESPONSE,
            **errors(
                400,
                401,
                403,
                429,
                e400="A missing or malformed field.",
                e401="Wrong e-mail address, password or two-factor code (one message for all "
                "three), or an `Authorization` header with a wrong or revoked token: send none.",
                e403="The e-mail address has not been confirmed yet.",
                e429="Too many requests from this address, or too many failed log-ins for this "
                "account or from this address (the site's log-in shares the limit).",
            ),
        },
        parameters=[RETRY_AFTER],
        examples=examples.TOKEN_CREATE,
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequest(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            user = tokens.log_in_for_token(
                request._request,
                email=data["email"],
                password=data["password"],
                code=data.get("code", "").strip(),
            )
        except tokens.LogInLocked as locked:
            raise Throttled(wait=locked.retry_after, detail=str(locked)) from None
        except tokens.LogInRefused as refused:
            raise AuthenticationFailed(str(refused)) from None
        except tokens.EmailUnconfirmed as unconfirmed:
            raise PermissionDenied(str(unconfirmed)) from None
        token, secret = tokens.token_create(user=user, client=request.headers.get("User-Agent", ""))
        return Response({"token": secret, "expires": token.expiry})

    @extend_schema(
        request=None,
        responses={
            204: None,
            **errors(400, 401, e400="Made with the site's session, not with a token."),
        },
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            return Response(
                {"detail": "Send the token to revoke in the Authorization header."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """The caller's tokens that still work (GET), or revoke them all (DELETE)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: TokenSerializer(many=True), **errors(401)}, examples=examples.TOKEN_LIST
    )
    def get(self, request: Request) -> Response:
        live = tokens.tokens_live(user=logged_in_user(request))
        return Response(TokenSerializer(live, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="auth_tokens_revoke_all", request=None, responses={204: None, **errors(401)}
    )
    def delete(self, request: Request) -> Response:
        tokens.tokens_revoke_all(user=logged_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenDetailView(APIView):
    """Revoke one of the caller's tokens, named by its first characters (`key` in the list)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_revoke",
        request=None,
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH)],
        responses={204: None, **errors(401, 404)},
    )
    def delete(self, request: Request, key: str) -> Response:
        if not (key.isascii() and key.isalnum()) or not tokens.token_revoke(
            user=logged_in_user(request), token_key=key
        ):
            raise NotFound("You have no token starting with that key.")
        return Response(status=status.HTTP_204_NO_CONTENT)
