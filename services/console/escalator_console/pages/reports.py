"""Reports: a client's KPIs over a period in the viewer's zone, per week or month, with charts
(GET /v1/reports/kpis on the SLA timer), and the same figures as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from escalator_console.backends import Backends
from escalator_console.domain.report_charts import columns, duration_words
from escalator_console.pages.identity import Identities, Identity, expect_ok
from escalator_console.pages.rendering import Pages
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now

Grouping = Literal["day", "week", "month", "quarter"]
FromDay = Annotated[date | None, Query(alias="from", description="First local day.")]
ToDay = Annotated[date | None, Query(description="Day after the last, local.")]
DEFAULT_DAYS = 28
KPIS = "/v1/reports/kpis"


@dataclass(frozen=True)
class ReportQuery:
    """What the form asked for: a client (None: every client the viewer sees), local days
    [first, end) and the pieces to cut them into."""

    client: str | None
    first: date
    end: date
    by: Grouping

    def params(self, identity: Identity) -> dict[str, str]:
        """The KPI API's query string for this report."""
        params = {
            "from": self.first.isoformat(),
            "to": self.end.isoformat(),
            "zone": identity.zone.key,
            "by": self.by,
        }
        return params if self.client is None else {**params, "client": self.client}


@dataclass(frozen=True)
class ReportForm:
    """The report form's fields as the browser sent them."""

    client: str = ""
    first: date | None = None
    to: date | None = None
    by: Grouping = "week"

    def query(self, me: Identity) -> ReportQuery:
        """The report asked for, with defaults: the last four weeks to today, in the viewer's
        zone; a range that ends before it starts becomes its last day."""
        today = utc_now().astimezone(me.zone).date()
        end = self.to or today + timedelta(days=1)
        start = self.first or end - timedelta(days=DEFAULT_DAYS)
        if end <= start:
            start = end - timedelta(days=1)
        return ReportQuery(self.client or None, start, end, self.by)


def _form(
    client: str = "", first: FromDay = None, to: ToDay = None, by: Grouping = "week"
) -> ReportForm:
    return ReportForm(client, first, to, by)


Form = Annotated[ReportForm, Depends(_form)]


def report_routes(
    config: EscalatorConfig, pages: Pages, identities: Identities, backends: Backends
) -> APIRouter:
    """GET /reports and GET /reports.csv."""
    router = APIRouter()
    client_names = {c.id: c.name or c.id for c in config.clients}

    @router.get("/reports")
    async def reports(request: Request, form: Form) -> Response:
        me = await identities.me(request)
        query = form.query(me)
        answer = await backends.get("sla-timer", KPIS, me.viewer, query.params(me))
        report = expect_ok(answer, "the report")
        whole, periods = report["total"], report["periods"]
        visible = [c for c in client_names if me.clients is None or c in me.clients]
        context = identities.context(
            me,
            query=query,
            clients=[(c, client_names[c]) for c in visible],
            client_names=client_names,
            total=whole,
            periods=periods,
            charts=_charts(whole, periods),
            words=duration_words,
            csv_link=_csv_link(query),
        )
        return pages.render(request, "reports.html", context)

    @router.get("/reports.csv")
    async def reports_csv(request: Request, form: Form) -> Response:
        me = await identities.me(request)
        query = form.query(me)
        params = {**query.params(me), "format": "csv"}
        answer = await backends.get("sla-timer", KPIS, me.viewer, params)
        expect_ok(answer, "the report")
        name = f"kpis-{query.client or 'all'}-{query.first}-{query.end}.csv"
        return Response(
            answer.text,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router


def _charts(whole: dict[str, Any], periods: list[dict[str, Any]]) -> dict[str, Any]:
    """Days labelled month-day ('11-30'): the year is in the heading."""
    backlog = [(d["day"][5:], float(d["open"])) for d in whole["backlog"]]
    response = [
        (p["from"][5:], p["attainment"].get("response", {}).get("percent")) for p in periods
    ]
    resolution = [
        (p["from"][5:], p["attainment"].get("resolution", {}).get("percent")) for p in periods
    ]
    escalations = [(p["from"][5:], float(sum(p["escalations_per_tier"].values()))) for p in periods]
    return {
        "backlog": columns(backlog),
        "response": columns(response, top=100, unit="%"),
        "resolution": columns(resolution, top=100, unit="%"),
        "escalations": columns(escalations),
    }


def _csv_link(query: ReportQuery) -> str:
    params = {"from": query.first.isoformat(), "to": query.end.isoformat(), "by": query.by}
    return "/reports.csv?" + urlencode(
        {**params, **({"client": query.client} if query.client else {})}
    )
