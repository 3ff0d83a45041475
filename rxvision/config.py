"""The one configuration object of the reference system, read from ``RXVISION_*`` variables.

Nothing happens at import: call :func:`get_settings` (cached) or build ``Settings(...)`` yourself,
e.g. ``RXVISION_REDIS_URL=redis://localhost:6379/0 rxvision serve``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Settings of the reference system; each field reads ``RXVISION_<FIELD>`` (any case)."""

    model_config = SettingsConfigDict(env_prefix="RXVISION_", extra="ignore", frozen=True)

    # serving
    host: str = Field("127.0.0.1", description="Interface the API server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port of the API server.")
    redis_url: str | None = Field(
        None, description="Redis for the prediction cache; unset disables the cache."
    )
    cache_ttl: int = Field(3600, ge=1, description="Seconds a cached prediction lives.")
    max_upload_bytes: int = Field(5_000_000, ge=1, description="Largest accepted image upload.")
    top_k_max: int = Field(10, ge=1, description="Largest `k` a client may ask /predict for.")
    # model
    model_path: Path | None = Field(None, description="Checkpoint the server loads.")
    image_size: int = Field(224, ge=8, description="Side of the square model input, in pixels.")
    # data and tracking
    data_dir: Path = Field(Path("data"), description="Where generated datasets are written.")
    mlflow_tracking_uri: str = Field(
        "sqlite:///mlruns.db", description="MLflow tracking store (embedded SQLite by default)."
    )
    postgres_url: str | None = Field(None, description="PostgreSQL for the event store.")


@cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first call."""
    return Settings()
