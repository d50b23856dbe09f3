"""Slack: decisions posted to a channel, `/caseworker` commands, and reviews from buttons.

A slack-bolt app mounted in the API at `POST /slack/events` (commands and interactivity;
Slack's request signature is verified by bolt with the signing secret):

- `/caseworker status <job or case id>`: the job's status and decision, as the answer;
- `/caseworker run <agent> <case URL>`: fetch the case JSON (under the documents' URL guard)
  and start a job for `slack_tenant`;
- the Approve / Reject / Request info buttons of a decision message record a review exactly as
  `POST /v1/jobs/{id}/review` does (four eyes included), as the reviewer `slack_reviewers` maps
  the Slack user to; a user it does not map cannot review.

Messages are posted by RQ jobs (`post_decision`, `post_alert`), never inline: the decision of
each finished job of `slack_tenant` (with the buttons when a person must decide), and alerts.
"""

from __future__ import annotations

from typing import Any

import redis
from rq import get_current_job
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from caseworker.agents.coordinator import submit
from caseworker.api.catalog import Catalog
from caseworker.checks.documents.sources import fetch_url
from caseworker.domain.case import parse_case
from caseworker.domain.job import Job
from caseworker.domain.plan import Recommendation
from caseworker.domain.results import CheckStatus
from caseworker.exceptions import CaseworkerError, JobNotFound
from caseworker.logs import get_logger
from caseworker.runtime import keys
from caseworker.runtime.connection import as_text
from caseworker.runtime.reviews import ReviewDecision, record_review
from caseworker.runtime.store import JobStore
from caseworker.settings import Settings, get_settings

log = get_logger(__name__)

ACTIONS = {"review_approve": ReviewDecision.approve, "review_reject": ReviewDecision.reject,
           "review_request_info": ReviewDecision.request_info}
ICONS = {Recommendation.approve: ":white_check_mark:", Recommendation.review: ":mag:",
         Recommendation.reject: ":no_entry:"}
SHOWN_CHECKS = 8


def web_client(settings: Settings) -> WebClient:
    if settings.slack_api_url:
        return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    return WebClient(token=settings.slack_bot_token)


# --- messages ----------------------------------------------------------------------------------


def report_url(settings: Settings, job_id: str) -> str:
    return f"{settings.public_url.rstrip('/')}/v1/jobs/{job_id}/report"


def decision_blocks(job: Job, settings: Settings, *, buttons: bool) -> list[dict[str, Any]]:
    """Block Kit for a finished job: decision, the checks that did not pass, the report."""
    decision = job.recommendation.value.upper() if job.recommendation else job.status.value
    icon = ICONS.get(job.recommendation, ":warning:") if job.recommendation else ":warning:"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{decision}: {job.case_id}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"{icon} *{decision}* — {job.decision_reason or job.error or ''}\n"
            f"Job `{job.id}` · agent `{job.agent}`")}},
    ]
    flagged = [r for r in job.results.values() if r.status != CheckStatus.passed]
    if flagged:
        lines = [f"• *{r.title}*: {r.status.value} — {r.answer}" for r in flagged[:SHOWN_CHECKS]]
        if len(flagged) > SHOWN_CHECKS:
            lines.append(f"… and {len(flagged) - SHOWN_CHECKS} more")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"<{report_url(settings, job.id)}|Report>"}]})
    if buttons:
        blocks.append({"type": "actions", "block_id": "review", "elements": [
            {"type": "button", "action_id": "review_approve", "style": "primary",
             "text": {"type": "plain_text", "text": "Approve"}, "value": job.id},
            {"type": "button", "action_id": "review_reject", "style": "danger",
             "text": {"type": "plain_text", "text": "Reject"}, "value": job.id},
            {"type": "button", "action_id": "review_request_info",
             "text": {"type": "plain_text", "text": "Request info"}, "value": job.id},
        ]})
    return blocks


def post_decision(job_id: str) -> str:
    """Post a finished job's decision to the channel (the RQ task)."""
    rq_job = get_current_job()
    assert rq_job is not None, "post_decision runs inside an RQ worker"
    settings = get_settings()
    job = JobStore(rq_job.connection).get(job_id)
    needs_person = job.recommendation in (Recommendation.review, Recommendation.reject)
    answer = web_client(settings).chat_postMessage(
        channel=settings.slack_channel or "", text=f"{job.case_id}: {job.recommendation}",
        blocks=decision_blocks(job, settings, buttons=needs_person))
    return f"posted {answer.get('ts')}"


def post_alert(kind: str, text: str) -> str:
    """Post one alert line to the channel (the RQ task)."""
    settings = get_settings()
    web_client(settings).chat_postMessage(channel=settings.slack_channel or "",
                                          text=f":rotating_light: {kind}: {text}")
    return "posted"


# --- the app -----------------------------------------------------------------------------------


def find_job(conn: redis.Redis, tenant: str, ident: str) -> Job | None:
    """Find a job of `tenant` by its id, or the newest job of a case id."""
    store = JobStore(conn)
    try:
        job = store.get(ident)
        return job if job.tenant == tenant else None
    except JobNotFound:
        pass
    for raw in reversed(conn.lrange(keys.case_jobs(ident), 0, -1)):
        if not isinstance(raw, bytes | str):
            continue
        job = store.get(as_text(raw))
        if job.tenant == tenant:
            return job
    return None


def build_app(conn: redis.Redis, catalog: Catalog, settings: Settings) -> App:
    """Build the bolt app: signatures checked with the signing secret, Web API as set."""
    app = App(token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret,
              client=web_client(settings), token_verification_enabled=False,
              process_before_response=True)

    @app.command("/caseworker")
    def command(ack: Any, command: dict[str, Any]) -> None:
        words = str(command.get("text", "")).split()
        try:
            ack(**_answer(conn, catalog, settings, words, command))
        except CaseworkerError as exc:
            ack(response_type="ephemeral", text=f"error: {exc.message}")

    def review(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        action = body["actions"][0]
        user = body["user"]["id"]
        channel = body.get("channel", {}).get("id", settings.slack_channel or "")
        reviewer = settings.slack_reviewer_names.get(user)
        if reviewer is None:
            client.chat_postEphemeral(channel=channel, user=user, text=(
                "You are not a caseworker reviewer (ask an admin to map your Slack user)."))
            return
        job = find_job(conn, settings.slack_tenant, action["value"])
        if job is None:
            client.chat_postEphemeral(channel=channel, user=user, text="No such job.")
            return
        decision = ACTIONS[action["action_id"]]
        ts = body.get("message", {}).get("ts")
        try:
            summary = record_review(conn, job, f"{reviewer} (slack:{user})", decision,
                                    f"{decision.value} from Slack (message {ts})")
        except CaseworkerError as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=f"error: {exc.message}")
            return
        client.chat_postMessage(channel=channel, thread_ts=ts, text=(
            f"{reviewer} chose *{decision.value}*; the job is now {summary.state.value}."))

    for action_id in ACTIONS:
        app.action(action_id)(review)
    return app


def _answer(conn: redis.Redis, catalog: Catalog, settings: Settings, words: list[str],
            command: dict[str, Any]) -> dict[str, Any]:
    if len(words) == 2 and words[0] == "status":
        job = find_job(conn, settings.slack_tenant, words[1])
        if job is None:
            return {"response_type": "ephemeral", "text": f"No job or case '{words[1]}'."}
        if not job.status.finished:
            done = sum(1 for c in job.checks.values() if c.value == "done")
            return {"text": f"Job {job.id} ({job.case_id}) is {job.status.value}: "
                            f"{done} of {len(job.checks)} checks done."}
        return {"text": f"{job.case_id}: {job.recommendation}",
                "blocks": decision_blocks(job, settings, buttons=False)}
    if len(words) == 3 and words[0] == "run":
        agent, url = words[1], words[2]
        definition = catalog.definition(agent)
        raw = fetch_url(url, name="case", max_bytes=settings.max_request_bytes)
        case = parse_case(raw, source=url)
        job_id = submit(conn, definition, case, tenant=settings.slack_tenant,
                        metadata={"slack_user": str(command.get("user_id", ""))})
        return {"text": f"Started job {job_id} for case {case.id} with {agent}; "
                        f"`/caseworker status {job_id}` to follow it."}
    return {"response_type": "ephemeral",
            "text": "Usage: `/caseworker status <job or case id>` or "
                    "`/caseworker run <agent> <case URL>`"}


def dispatch(app: App, body: bytes, headers: dict[str, str]) -> BoltResponse:
    """Hand one request from Slack to the bolt app (signature verified there)."""
    request = BoltRequest(body=body.decode("utf-8"), headers={k: [v] for k, v in headers.items()})
    return app.dispatch(request)




