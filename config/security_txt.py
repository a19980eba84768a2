"""`/.well-known/security.txt` (RFC 9116): where to report a vulnerability in this site.

Served only when the operator names a contact (OPENCONSULT_SECURITY_CONTACT, a `mailto:` or
`https://` URL); the file expires a year after the process started, as the RFC asks for an
expiry, and is made again at each start.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

_EXPIRES = (timezone.now() + timedelta(days=365)).replace(microsecond=0)


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    contact = settings.SECURITY_CONTACT
    if not contact:
        raise Http404("No security contact is configured.")
    lines = [
        f"Contact: {contact}",
        f"Expires: {_EXPIRES.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
