"""``/api/v1/analyses``: the 3.2.6 analysis of a missed service level (cause, measures).

3.2.6: "Opdrachtnemer heeft de plicht om een analyse uit te voeren op niet-behaalde PI's
over de voorgaande maand". An analysis names one figure of one month, either a target's SLA
window (availability) or a request category (response); the report prints it under that
figure. Analyses are appended, never edited: a revised analysis is a later record, and the
author is the name of the write token that recorded it.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict

from monitor.report.analyses import SubjectError, analysis_subject, new_analysis
from monitor.server.api import answers
from monitor.server.api.auth import acting_token
from monitor.server.api.context import ApiContext
from monitor.server.api.errors import ApiError, Problem, invalid
from monitor.server.api.fields import MonthText, Name, Paragraph
from monitor.server.api.params import query_params, read_body
from monitor.server.api.render import json_ok, local
from monitor.store.records import MissAnalysisRecord

__all__ = ["AnalysesHandler", "NewMissAnalysis", "analysis_answer"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_log = structlog.get_logger("monitor.server.api.analyses")


class NewMissAnalysis(BaseModel):
    """The body of ``POST /api/v1/analyses``: a target and window, or a category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    month: MonthText
    target: Name | None = None
    window: Name | None = None
    category: Name | None = None
    cause: Paragraph
    measures: Paragraph


def analysis_answer(record: MissAnalysisRecord, zone: ZoneInfo) -> answers.MissAnalysis:
    return answers.MissAnalysis(
        id=record.id,
        month=record.month,
        kind=record.kind,
        name=record.name,
        window=record.window,
        cause=record.cause,
        measures=record.measures,
        author=record.author,
        recorded_at=local(record.recorded_at, zone),
    )


class AnalysesHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    async def index(self, request: web.Request) -> web.Response:
        params = query_params(request, ("month",))
        month = params.get("month", "")
        if not _MONTH.fullmatch(month):
            raise ApiError(
                400,
                "bad_parameter",
                "month: give ?month=YYYY-MM",
                problems=[Problem("month", "required, YYYY-MM")],
            )
        zone = self._api.config().zone
        analyses = await self._api.store.miss_analyses(month)
        return json_ok(
            answers.MissAnalysisList(
                month=month, analyses=tuple(analysis_answer(a, zone) for a in analyses)
            )
        )

    async def create(self, request: web.Request) -> web.Response:
        query_params(request, ())
        body = await read_body(request, NewMissAnalysis, "analysis")
        config = self._api.config()
        try:
            subject = analysis_subject(
                config, target=body.target, window=body.window, category=body.category
            )
        except SubjectError as error:
            raise invalid([Problem(error.field, error.message)]) from None
        record = new_analysis(
            subject,
            month=body.month,
            cause=body.cause,
            measures=body.measures,
            author=acting_token(request),
            recorded_at=self._api.clock(),
        )
        stored = await self._api.store.add_miss_analysis(record)
        _log.info(
            "miss_analysis_recorded",
            month=stored.month,
            kind=stored.kind,
            name=stored.name,
            window=stored.window,
            author=stored.author,
        )
        return json_ok(analysis_answer(stored, config.zone), status=201)
