"""Every error the server answers is JSON with a bilingual message: `{"error": {"code", "message": {fa, en}}}`.

`install_error_handlers` catches everything — HTTP errors, validation errors, a bug — so no traceback ever
reaches a client; a database that cannot be reached answers 503.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("azmoon.server")


class ApiError(Exception):
    def __init__(self, status: int, code: str, fa: str, en: str, headers: dict[str, str] | None = None):
        super().__init__(en)
        self.status, self.code, self.fa, self.en, self.headers = status, code, fa, en, headers


def error_body(code: str, fa: str, en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": {"fa": fa, "en": en}}}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(error.code, error.fa, error.en), status_code=error.status, headers=error.headers
    )


HTTP_MESSAGES = {
    401: ("unauthorized", "توکن معتبر نیست.", "Missing, wrong or revoked token."),
    403: ("forbidden", "اجازه‌ی دسترسی ندارید.", "You may not see this."),
    404: ("not_found", "پیدا نشد.", "Not found."),
    405: ("method_not_allowed", "این روش درخواست پذیرفته نیست.", "Method not allowed."),
    413: ("too_large", "درخواست بیش از حد بزرگ است.", "The request body is too large."),
}

DATABASE_DOWN = ApiError(
    503,
    "database_unavailable",
    "پایگاه داده‌ی درس در دسترس نیست؛ چند دقیقه‌ی دیگر دوباره بفرستید. پرونده‌ی پاسخ شما دست‌نخورده ماند.",
    "The course database cannot be reached; send again in a few minutes. Your answer file was kept as it is.",
    headers={"Retry-After": "30"},
)


def is_database_down(exc: BaseException) -> bool:
    """sqlite3 or psycopg says the database cannot be opened, is locked, or the connection broke."""
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
    ):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return type(exc).__module__.startswith("psycopg") and bool(names & {"OperationalError", "InterfaceError"})


def store_error(exc: Any) -> ApiError:
    """A `course.store.StoreError` (busy, unavailable, readonly, full, corrupt, missing): 503 with Retry-After;
    the student is told the answer file was kept (the staff see the cause in the server's log)."""
    return ApiError(
        503,
        f"database_{exc.code}",
        exc.message["fa"].rstrip(".") + ". پرونده‌ی پاسخ شما دست‌نخورده ماند؛ بعداً دوباره بفرستید.",
        exc.message["en"].rstrip(".") + ". Your answer file was kept; send it again later.",
        {"Retry-After": "30"},
    )


def install_error_handlers(app: FastAPI) -> None:
    from course.store import StoreError

    @app.exception_handler(StoreError)
    async def store_fault(request: Request, exc: StoreError) -> JSONResponse:
        log.error("store error %s on %s %s: %s", exc.code, request.method, request.url.path, exc)
        return error_response(store_error(exc))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, fa, en = HTTP_MESSAGES.get(
            exc.status_code, ("http_error", "درخواست پذیرفته نشد.", "Request refused.")
        )
        return error_response(ApiError(exc.status_code, code, fa, en, dict(exc.headers or {}) or None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        where = ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()[:5])
        return error_response(
            ApiError(422, "invalid_request", f"درخواست نادرست است ({where}).", f"Invalid request ({where}).")
        )

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> JSONResponse:
        if is_database_down(exc):
            log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
            return error_response(DATABASE_DOWN)
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(
            ApiError(
                500,
                "internal_error",
                "خطای داخلی کارساز؛ به دستیار آموزشی خبر دهید.",
                "Internal server error; please tell the course staff.",
            )
        )
