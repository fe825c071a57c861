"""Media tests: signed-in browsers, songs, and the storage backends (a local directory and an
S3-compatible server — moto's — started on 127.0.0.1 for the run)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.admin.fixtures import admin_browser, other_singer_browser, singer_browser
from tests.helpers import free_port

__all__ = ["admin_browser", "other_singer_browser", "singer_browser"]

S3_REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server_module = pytest.importorskip("moto.server")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials come from the environment, as in production (never from a setting)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "media-tests")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "media-tests-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def make_bucket(endpoint: str) -> str:
    import boto3

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION).create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture(params=["local", "s3"])
def storage_settings(request: pytest.FixtureRequest, tmp_path) -> dict[str, object]:
    """The media settings of one backend: switching is configuration only."""
    if request.param == "local":
        return {"MEDIA_STORAGE": "local", "MEDIA_LOCAL_ROOT": str(tmp_path / "media")}
    endpoint = request.getfixturevalue("s3_endpoint")
    request.getfixturevalue("s3_credentials")
    return {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": make_bucket(endpoint),
            "MEDIA_S3_ENDPOINT_URL": endpoint, "MEDIA_S3_REGION": S3_REGION,
            "MEDIA_S3_PREFIX": "tests"}


@pytest.fixture
def app_config(tmp_path) -> dict[str, object]:
    return {"MEDIA_LOCAL_ROOT": str(tmp_path / "media")}
