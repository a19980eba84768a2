"""/healthz answers while the process runs; /readyz only when everything a page needs answers."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.live_services import RedisServer


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_the_database_cache_broker_and_model(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok", "embedding_model": "ok"},
    }


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_down(client, tmp_path):
    from config.celery import app
    from tests.live_services import celery_sends_to

    redis = RedisServer(tmp_path)
    redis.start()
    url = redis.url
    with override_settings(CELERY_BROKER_URL=url), celery_sends_to(app, url):
        assert client.get("/readyz").status_code == 200
        redis.stop()
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "failed"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_model_files_are_missing(client, monkeypatch, tmp_path):
    from forum.similarity import embedding

    monkeypatch.setattr(embedding, "MODEL_DIR", tmp_path / "empty")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["embedding_model"] == "failed"
