from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    # --check exits non-zero when a model change has no migration yet
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
