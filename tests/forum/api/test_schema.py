from __future__ import annotations

import io
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse


def test_the_schema_validates_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert schema["info"]["title"] == "OpenConsult API"
    schemes = schema["components"]["securitySchemes"]
    assert set(schemes) == {"cookieAuth", "tokenAuth"}  # never HTTP Basic
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "responses" in operation, (path, method)


@pytest.mark.django_db
def test_the_interactive_docs_load_their_assets_from_this_site(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
    assert external == []
