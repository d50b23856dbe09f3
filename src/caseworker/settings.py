"""Environment-driven settings (prefix `CASEWORKER_`), one documented field each."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob caseworker reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="CASEWORKER_", extra="ignore")

    # Documents given by URL: fetched over http(s) only, and never from loopback, private or
    # link-local addresses unless this is set (a case must not make us read internal services).
    documents_allow_private_urls: bool = False
    # Where the embedded Redis keeps its AOF and RDB files, and where local state lives.
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".caseworker")
    # An external Redis (redis://, rediss://, unix://); unset means the embedded server.
    # Also read from the plain REDIS_URL variable.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CASEWORKER_REDIS_URL", "REDIS_URL")
    )
    # Name of the RQ queue that carries check jobs.
    queue_name: str = "caseworker"
    # Local worker processes that `caseworker run` starts.
    workers: int = 2
    # Comma-separated dotted module paths imported at start-up to register extra tools.
    plugins: str = ""
    # Seconds a worker's liveness key lives without a heartbeat; past it, its checks are orphaned.
    heartbeat_ttl: float = 3.0
    # Seconds between a worker's heartbeats.
    heartbeat_interval: float = 1.0
    # Seconds between sweeps for checks abandoned by dead workers.
    reaper_interval: float = 1.0
    # Seconds a queued check's RQ job may be missing before it is enqueued again.
    requeue_grace: float = 5.0
    # Attempts a check gets (first run included) when its worker dies under it.
    max_check_attempts: int = 3
    # Fault drill (`caseworker eval --faults`): the share of tool calls answered "unavailable"
    # instead of run, drawn per (fault_seed, job, check, tool, arguments). 0 outside drills.
    fault_tool_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fault_seed: int = 0
    # A dotenv-style file (KEY=value lines) of model API keys, read when a key is not in the
    # environment. Keys are never logged, put in events or written to reports.
    secrets_file: Path | None = None
    # Seconds an RQ job may run before RQ kills it (a whole check, model calls included).
    check_timeout: int = 600
    # Spans: `off` (nothing loaded), `console`, or `otlp` (HTTP to OTEL_EXPORTER_OTLP_ENDPOINT).
    tracing: str = "off"
    # The OpenTelemetry `service.name` of this process's spans.
    service_name: str = "caseworker"
    # Sanctions lists: `lists update` snapshots or flat offline files; unset is <data_dir>/lists.
    lists_dir: Path | None = None

    # --- the service (`caseworker serve`) ---------------------------------------------------
    # Comma-separated agent directories (or agent.yaml files) the service serves; unset means
    # every directory under ./agents that holds an agent.yaml.
    agents: str = ""
    # Webhook trigger files (`*.yaml`, see integrations/triggers.py); unset means ./triggers.
    triggers_dir: Path = Path("triggers")
    # Cases sent to the API may name documents by a path on the server's disk only if this is
    # set (a trusted, single-tenant deployment); otherwise content_base64 or url.
    api_allow_document_paths: bool = False
    # Requests one API key may make per window (0: no limit), and the window in seconds.
    api_rate_limit: int = 1200
    api_rate_window: float = 60.0
    # Seconds an Idempotency-Key is remembered (the same key and body return the same job).
    idempotency_ttl: int = 86_400
    # Largest JSON request body and largest batch upload, in bytes; most rows in one batch.
    max_request_bytes: int = 5_000_000
    max_upload_bytes: int = 20_000_000
    max_batch_rows: int = 10_000
    # Seconds between keep-alive comments (SSE) or blank lines (NDJSON) on an idle stream.
    stream_keepalive: float = 15.0
    # What SSE clients are told to wait before reconnecting (the `retry:` field), in ms.
    stream_retry_ms: int = 3_000
    # Seconds a write to a stream client may block before that client is dropped.
    stream_send_timeout: float = 30.0
    # The dashboard (/ui): seconds a login session lasts without use (each request renews it),
    # and whether its cookie is marked Secure (set it behind HTTPS; plain http needs it off).
    dashboard_session_ttl: int = 8 * 3600
    dashboard_secure_cookie: bool = False
    # Login attempts one client address may make per minute (guessing keys is slowed, not
    # made impossible: they carry 192 random bits).
    dashboard_login_limit: int = 20
    # Webhooks out: private, loopback and link-local targets are refused unless allowed; the
    # retry schedule (Standard Webhooks': 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h,
    # 24 h) and the failing time after which an endpoint is disabled are multiplied by
    # `webhook_schedule_scale` (tests compress both); seconds per request; seconds a delivery
    # in flight is leased to its worker before another may take it.
    webhook_allow_private_urls: bool = False
    webhook_schedule_scale: float = Field(default=1.0, gt=0)
    webhook_timeout: float = Field(default=10.0, gt=0)
    webhook_lease: float = Field(default=60.0, gt=0)
    webhook_disable_after: float = Field(default=5 * 86_400, gt=0)
    # Slack: a bot token and signing secret turn it on; messages go to `slack_channel`, for the
    # jobs of `slack_tenant`; `slack_reviewers` maps Slack user ids to reviewer names
    # ("U012AB=alice,U034CD=bob"), and nobody else may review from Slack. `slack_api_url`
    # points the Web API elsewhere (tests); `public_url` is where report links point.
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_channel: str | None = None
    slack_tenant: str = "default"
    slack_reviewers: str = ""
    slack_api_url: str | None = None
    slack_alerts: bool = True  # failures (checks, deliveries, workers) posted to the channel
    public_url: str = ""
    # Error reporting: a Sentry DSN turns it on.
    sentry_dsn: str | None = None
    sentry_environment: str = "production"

    @property
    def agent_paths(self) -> list[Path]:
        if self.agents.strip():
            return [Path(p.strip()) for p in self.agents.split(",") if p.strip()]
        root = Path("agents")
        if not root.is_dir():
            return []
        return sorted(p for p in root.iterdir() if (p / "agent.yaml").is_file())

    @property
    def lists_path(self) -> Path:
        return self.lists_dir or self.data_dir / "lists"

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def slack_reviewer_names(self) -> dict[str, str]:
        pairs = (p.split("=", 1) for p in self.slack_reviewers.split(",") if "=" in p)
        return {user.strip(): name.strip() for user, name in pairs}

    @property
    def plugin_modules(self) -> list[str]:
        return [p.strip() for p in self.plugins.split(",") if p.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
