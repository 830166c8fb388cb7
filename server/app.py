"""The course server's FastAPI app: the JSON API under `/api/v1` (OpenAPI at `/api/v1/openapi.json`) and, when
server/web.py exists, the web pages at `/`.

Every route is a few lines: who asks (a bearer token, server.auth), may they (role, rate), then one function of
server.views or server.submissions. Errors are JSON with a bilingual message (server.errors).
"""

import importlib
import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from course import store
from course.config import Course, open_course
from server import submissions, views
from server.auth import Identity, identify
from server.errors import ApiError, install_error_handlers
from server.limits import BodyLimitMiddleware, RateLimiter, RateSettings

API = "/api/v1"
log = logging.getLogger("azmoon.server")

UNAUTHORIZED = (
    401,
    "unauthorized",
    "توکن معتبر نیست (نادرست یا باطل شده). با `azmoon login` دوباره وارد شوید.",
    "Missing, wrong or revoked token. Log in again with `azmoon login`.",
)
STAFF_ONLY = (403, "forbidden", "این بخش فقط برای کادر درس است.", "Only the course staff may see this.")
STUDENTS_ONLY = (403, "forbidden", "این بخش فقط برای دانشجویان است.", "Only students have this.")


@dataclass
class ServedCourse(Course):
    """The course as the server sees it: `connect()` borrows from a pool of open connections (store.ConnectionPool)
    instead of opening the database for each request; everything else is the course's own."""

    pool: store.ConnectionPool = field(default_factory=store.ConnectionPool, repr=False)

    def connect(self, readonly: bool | None = None) -> store.Connection:
        return self.pool.connect(self.database, timeout=self.lock_timeout, readonly=readonly)


def served_course(course_dir: str | Path) -> ServedCourse:
    course = open_course(course_dir)
    return ServedCourse(root=course.root, settings=course.settings)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(course: Course, limiter: RateLimiter, request: Request) -> Identity:
    """The holder of the request's bearer token: 429 when over its rate, 401 (logged) when it is no live token."""
    token = _bearer(request)
    wait = limiter.retry_after(token or f"anonymous:{request.client.host if request.client else ''}")
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"درخواست‌ها بیش از حد زیاد است؛ {wait} ثانیه صبر کنید.",
            f"Too many requests; wait {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    identity = identify(course, token) if token else None
    if identity is None:
        client = request.client.host if request.client else "?"
        log.warning(
            "401 %s %s from %s (%s)",
            request.method,
            request.url.path,
            client,
            "no token" if not token else "wrong or revoked token",
        )
        raise ApiError(*UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return identity


def make_who(course: Course, limiter: RateLimiter):
    def who(request: Request) -> Identity:
        return authenticate(course, limiter, request)

    return who


def student_of(who: Identity) -> str:
    if who.role != "student" or not who.student_id:
        raise ApiError(*STUDENTS_ONLY)
    return who.student_id


def require_staff(who: Identity) -> None:
    if who.role != "staff":
        raise ApiError(*STAFF_ONLY)


def api_router(course: Course, limiter: RateLimiter) -> APIRouter:
    router = APIRouter(prefix=API)
    Who = Annotated[Identity, Depends(make_who(course, limiter))]

    @router.get("/health")
    def health() -> dict:
        course.connect().close()  # unreachable database: 503 (server.errors)
        return {"status": "ok", "server_time": views.server_time()}

    @router.get("/me")
    def me(who: Who) -> dict:
        return views.whoami(course, who)

    @router.get("/assignments/{name}/answers.yaml", response_class=PlainTextResponse)
    def answer_file(name: str, who: Who, request: Request) -> PlainTextResponse:
        server_url = str(request.base_url).rstrip("/")
        text = views.my_answer_file(course, student_of(who), name, server_url)
        return PlainTextResponse(text, media_type="application/yaml; charset=utf-8")

    @router.get("/assignments/{name}/worksheet.pdf", response_class=FileResponse)
    def worksheet(name: str, who: Who) -> FileResponse:
        return FileResponse(views.my_worksheet(course, student_of(who), name), media_type="application/pdf")

    @router.post("/submissions")
    async def submit(
        request: Request,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> dict:
        data = await request.body()  # bounded by BodyLimitMiddleware

        def authenticated_submit() -> JSONResponse:
            # who asks and the submission in one trip to the thread pool (a request's one blocking step)
            student = student_of(authenticate(course, limiter, request))
            document = submissions.submit_for_student(course, data, student, idempotency_key)
            return JSONResponse(document)  # already JSON: no response-model pass over it

        return await run_in_threadpool(authenticated_submit)

    @router.get("/submissions")
    def my_submissions(who: Who, assignment: str | None = None) -> list:
        return views.my_submissions(course, student_of(who), assignment)

    @router.get("/staff/assignments/{name}/submissions")
    def staff_submissions(name: str, who: Who) -> list:
        require_staff(who)
        return views.assignment_submissions(course, name)

    @router.get("/staff/assignments/{name}/gradebook", response_class=PlainTextResponse)
    def staff_gradebook(
        name: str, who: Who, format: Annotated[str, Query(pattern="^(wide|canvas|moodle)$")] = "wide"
    ) -> PlainTextResponse:
        require_staff(who)
        return PlainTextResponse(
            views.gradebook_csv(course, name, format), media_type="text/csv; charset=utf-8"
        )

    return router


def _include_web(app: FastAPI, course: Course) -> None:
    """The web helper's pages (server/web.py), when that module exists."""
    if importlib.util.find_spec("server.web") is None:
        return
    web = importlib.import_module("server.web")
    app.state.course = course
    app.include_router(web.router)


def create_app(course_dir: str | Path, rate: RateSettings | None = None) -> FastAPI:
    """The server of one course directory (CONTRACTS 7)."""
    course = served_course(course_dir)
    course.connect().close()  # migrate once, before the first request
    limiter = RateLimiter(rate or RateSettings())
    app = FastAPI(
        title="Azmoon course server",
        version="1",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    app.state.course = course
    app.state.limiter = limiter
    install_error_handlers(app)
    app.include_router(api_router(course, limiter))
    _include_web(app, course)
    app.add_middleware(BodyLimitMiddleware)
    return app


def app_from_env() -> FastAPI:
    """uvicorn's factory for `azmoon serve --workers K` (each worker process builds its own app)."""
    import os

    per_minute = float(os.environ.get("AZMOON_RATE_PER_MINUTE", RateSettings.per_minute))
    burst = int(os.environ.get("AZMOON_RATE_BURST", RateSettings.burst))
    return create_app(os.environ["AZMOON_COURSE_DIR"], RateSettings(per_minute, burst))
