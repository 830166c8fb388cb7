"""The course's web pages (issue 11): server-rendered Jinja2 at `/`, beside the JSON API under `/api/v1`.

Students sign in with their token and answer in the page; TAs (staff tokens) grade written parts and read the
submissions. Everything works without JavaScript (one small script saves drafts as the student types).

- Sessions: the cookie carries a random session token (HttpOnly, SameSite=Strict, Secure when the request came
  over TLS); the store keeps only its hash and the hash of the bearer token, so revoking a token ends its
  sessions. Signing in with a wrong token says only that the token is not valid.
- CSRF: every form carries `csrf`, an HMAC of the session token (before sign-in: a double-submit cookie);
  a POST without the right one is refused with 403 and changes nothing.
- A student's pages are built from their own rows; a submission of someone else answers 403. Keys stay in the
  store: the answer form carries ids, prompts, forms and options only.
- A submission goes through `course.submit.submit_text` (CONTRACTS 6) with a YAML text built by yaml.safe_dump.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import html
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from base.paths import FONTS_DIR, TEMPLATES_DIR
from course.config import Course, CourseError, open_course
from course.store import web as db
from lang import localize, to_html

router = APIRouter(include_in_schema=False)
log = logging.getLogger("azmoon.web")

SESSION_COOKIE = "azmoon_session"
SIGNIN_COOKIE = "azmoon_signin"
SESSION_HOURS = 12
MAX_FIELD_CHARS = 2000
MAX_WRITTEN_CHARS = 8000
MAX_FORM_FIELDS = 400
WEB_DIR = TEMPLATES_DIR / "web"
STATIC_FILES = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8"}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
SUBMISSION_STATUSES = ("graded", "format_error", "refused")


# --- errors shown as pages ----------------------------------------------------------------------------------


class PageError(Exception):
    """A refusal said in a page, in both languages."""

    def __init__(self, status: int, fa: str, en: str) -> None:
        super().__init__(en)
        self.status, self.fa, self.en = status, fa, en


NOT_SIGNED_IN = PageError(401, "ابتدا با توکن خود وارد شوید.", "Sign in with your token first.")
FORBIDDEN = PageError(403, "اجازه‌ی دیدن این صفحه را ندارید.", "You may not see this page.")
BAD_CSRF = PageError(
    403,
    "فرم منقضی یا نامعتبر است (CSRF)؛ صفحه را دوباره باز کنید و بفرستید. چیزی تغییر نکرد.",
    "This form is stale or forged (CSRF check failed); reload the page and send it again. Nothing was changed.",
)
NOT_FOUND = PageError(404, "پیدا نشد.", "Not found.")


def _api_error(exc: Exception) -> PageError:
    return PageError(getattr(exc, "status", 400), getattr(exc, "fa", str(exc)), getattr(exc, "en", str(exc)))


def _course_error(exc: CourseError) -> PageError:
    en, _, fa = str(exc).partition(" | ")
    return PageError(400, fa or en, en)


def _unexpected(request: Request, exc: Exception) -> PageError:
    from server.errors import DATABASE_DOWN, is_database_down

    if is_database_down(exc) or getattr(exc, "code", None) in ("busy", "unavailable"):
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return PageError(503, DATABASE_DOWN.fa, DATABASE_DOWN.en)
    log.exception("internal error on %s %s", request.method, request.url.path)
    return PageError(
        500,
        "خطای داخلی کارساز؛ به دستیار آموزشی خبر دهید.",
        "Internal server error; please tell the course staff.",
    )


Handler = Callable[..., Awaitable[Response]]


def page(handler: Handler) -> Handler:
    """Render PageError (and the server's ApiError, a user's CourseError) as a bilingual HTML page."""
    from server.errors import ApiError

    @functools.wraps(handler)
    async def guarded(request: Request, **kwargs: Any) -> Response:
        try:
            return await handler(request, **kwargs)
        except PageError as exc:
            error = exc
        except ApiError as exc:
            error = _api_error(exc)
        except CourseError as exc:
            error = _course_error(exc)
        except Exception as exc:  # a bug or a database down: a bilingual page, never a traceback
            error = _unexpected(request, exc)
        if error.status == 401 and request.method == "GET":
            return RedirectResponse("/", status_code=303)
        viewer = await run_in_threadpool(current_viewer, request)
        return render(request, "error.html.j2", viewer, status=error.status, error=error)

    return guarded


# --- templates ----------------------------------------------------------------------------------------------


_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$\n?", re.MULTILINE | re.DOTALL)


def text_html(text: Any, lang: str) -> Markup:
    """An item's text as HTML by the island rule (lang.to_html); a ``` fenced block is a left-to-right <pre>."""
    pieces = _FENCE.split(str(text or "").strip("\n"))
    out = []
    for k, piece in enumerate(pieces):
        if k % 2:
            out.append(f'<pre dir="ltr" lang="en">{html.escape(piece.rstrip(), quote=False)}</pre>')
        elif piece.strip("\n"):
            out.append(to_html(piece.strip("\n"), lang))
    return Markup("".join(out))  # noqa: S704 (every piece is escaped above)


def _fa(text: Any) -> Markup:
    return text_html(localize(str(text or ""), "fa"), "fa")  # Persian digits outside the islands


def _en(text: Any) -> Markup:
    return text_html(text, "en")


def _num(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value):.2f}".rstrip("0").rstrip(".") if float(value) % 1 else f"{float(value):g}"


def _points(value: Any) -> str:
    return f"{_num(value)} pt" + ("" if value is not None and float(value) == 1 else "s")


def _fa_num(value: Any) -> str:
    return _num(value).replace(".", "٫").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


@functools.cache
def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(WEB_DIR)),
        autoescape=select_autoescape(["j2", "html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fa=_fa, en=_en, num=_num, fa_num=_fa_num, points=_points)
    return env


def render(
    request: Request, name: str, viewer: Viewer | None, status: int = 200, **context: Any
) -> HTMLResponse:
    csrf = viewer.csrf if viewer is not None else getattr(request.state, "signin_csrf", "")
    body = templates().get_template(name).render(viewer=viewer, csrf=csrf, **context)
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


# --- the course and who is asking -----------------------------------------------------------------------------


def course_of(request: Request) -> Course:
    """The course the app serves (server.app keeps it on app.state)."""
    state = request.app.state
    course = getattr(state, "course", None)
    if not isinstance(course, Course):  # whatever name server.app gave it, else its course_dir
        held = [v for v in getattr(state, "_state", {}).values() if isinstance(v, Course)]
        course = held[0] if held else open_course(state.course_dir)
        state.course = course
    return course


@dataclass(frozen=True)
class Viewer:
    role: str
    student_id: str | None
    name: str
    csrf: str

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"


def csrf_of(secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), b"azmoon-web-csrf", hashlib.sha256).hexdigest()


def current_viewer(request: Request) -> Viewer | None:
    session = request.cookies.get(SESSION_COOKIE, "")
    if not session or len(session) > 100 or not session.isascii():
        return None
    with course_of(request).connect() as conn:
        row = db.live_session(conn, session)
    if row is None:
        return None
    return Viewer(row["role"], row["student_id"], row["name"], csrf_of(session))


async def viewer_of(request: Request, role: str | None = None) -> Viewer:
    viewer = await run_in_threadpool(current_viewer, request)
    if viewer is None:
        raise NOT_SIGNED_IN
    if role is not None and viewer.role != role:
        raise FORBIDDEN
    return viewer


def check_csrf(form: Any, expected: str) -> None:
    sent = str(form.get("csrf") or "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise BAD_CSRF


async def read_form(request: Request) -> Any:
    try:
        return await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    except Exception:  # a malformed body is the client's mistake, never a traceback
        raise PageError(400, "فرم خوانده نشد.", "The form could not be read.") from None


async def signed_form(request: Request, role: str | None = None) -> tuple[Viewer, Any]:
    """A POST's viewer (of this role, or any) and its form, once the form's CSRF token is checked."""
    viewer = await viewer_of(request, role)
    form = await read_form(request)
    check_csrf(form, viewer.csrf)
    return viewer, form


def is_tls(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=is_tls(request), path="/"
    )


def _home(viewer: Viewer) -> str:
    return "/staff" if viewer.is_staff else "/assignments"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


# --- sign in and out ------------------------------------------------------------------------------------------


@router.get("/")
@page
async def signin_page(request: Request) -> Response:
    viewer = await run_in_threadpool(current_viewer, request)
    if viewer is not None:
        return _see_other(_home(viewer))
    return _signin_form(request)


def _signin_form(request: Request, status: int = 200, refused: bool = False) -> Response:
    nonce = secrets.token_urlsafe(24)
    request.state.signin_csrf = csrf_of(nonce)
    course = course_of(request)
    response = render(request, "signin.html.j2", None, status=status, refused=refused, course=course.name)
    _set_cookie(response, request, SIGNIN_COOKIE, nonce, 3600)
    return response


def _open_session(request: Request, token: str) -> str | None:
    from server.auth import identify

    course = course_of(request)
    who = identify(course, token)
    if who is None:
        return None
    session = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with course.connect() as conn:
        db.open_session(conn, session, db.sha256_hex(token), who.role, who.student_id, who.name, expires)
    return session


@router.post("/signin")
@page
async def signin(request: Request) -> Response:
    form = await read_form(request)
    nonce = request.cookies.get(SIGNIN_COOKIE, "")
    check_csrf(form, csrf_of(nonce) if nonce else "")
    token = str(form.get("token") or "").strip()
    session = await run_in_threadpool(_open_session, request, token)
    if session is None:
        return _signin_form(request, status=401, refused=True)
    viewer = await run_in_threadpool(current_viewer_of_session, request, session)
    response = _see_other(_home(viewer) if viewer else "/")
    _set_cookie(response, request, SESSION_COOKIE, session, SESSION_HOURS * 3600)
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


def current_viewer_of_session(request: Request, session: str) -> Viewer | None:
    with course_of(request).connect() as conn:
        row = db.live_session(conn, session)
    return None if row is None else Viewer(row["role"], row["student_id"], row["name"], csrf_of(session))


@router.post("/signout")
@page
async def signout(request: Request) -> Response:
    await signed_form(request)
    session = request.cookies.get(SESSION_COOKIE, "")

    def end() -> None:
        with course_of(request).connect() as conn:
            db.end_session(conn, session)

    await run_in_threadpool(end)
    response = _see_other("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- static files: the stylesheet, the draft script, the bundled fonts ---------------------------------------


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    if name in STATIC_FILES:
        return FileResponse(
            WEB_DIR / name, media_type=STATIC_FILES[name], headers={"Cache-Control": "max-age=3600"}
        )
    raise_not_found()


@router.get("/static/fonts/{name}")
async def font_file(name: str) -> Response:
    fonts = {p.name: p for p in FONTS_DIR.glob("*.ttf")}
    if name not in fonts:
        raise_not_found()
    return FileResponse(fonts[name], media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})


def raise_not_found() -> Any:
    from fastapi import HTTPException

    raise HTTPException(status_code=404)


# --- the student's pages --------------------------------------------------------------------------------------


def _assignment_rows(course: Course, student_id: str) -> list[dict[str, Any]]:
    from course.deadlines import format_time, judge
    from server.views import my_assignments

    listed = my_assignments(course, student_id)
    now = datetime.now(UTC)
    with course.connect() as conn:
        for row in listed:
            verdict = judge(course, conn, row["name"], student_id, now)
            row["late"] = verdict.to_json()
            row["due_text"] = {lang: format_time(course, verdict.deadline, lang) for lang in ("fa", "en")}
    return listed


@router.get("/assignments")
@page
async def my_assignments_page(request: Request) -> Response:
    viewer = await viewer_of(request, "student")
    rows = await run_in_threadpool(_assignment_rows, course_of(request), viewer.student_id or "")
    return render(request, "assignments.html.j2", viewer, assignments=rows)


def field_name(item: str, part: str) -> str:
    return f"{item}.{part}"


def _form_items(course: Course, assignment: str, student_id: str) -> list[dict[str, Any]]:
    """The student's variant as the form shows it: ids, prompts, forms, options and points — never a key."""
    from course.answers import display_items, is_written, part_form, part_prompt
    from course.assignments import get_assignment
    from course.store import tokens as token_db

    with course.connect() as conn:
        a = get_assignment(conn, assignment)
        rows = token_db.variant_items(conn, assignment, student_id)
    if not rows:
        raise PageError(
            404,
            "برای شما برگه‌ای از این تمرین ساخته نشده است.",
            "No worksheet of this assignment was made for you.",
        )
    points = {entry["item"]: entry["points"] for entry in a.items}
    solved = [
        {**json.loads(r["solved"]), "item": r["item"], "points": points.get(r["item"], 0.0)} for r in rows
    ]
    shown = []
    for item in display_items(solved):
        parts = [
            {
                "id": p["id"],
                "field": field_name(item["item"], p["id"]),
                "prompt": part_prompt(p),
                "form": part_form(p),
                "points": p["points"],
                "written": is_written(p),
                "options": [
                    {"id": o["id"], "letter": o["letter"], "text": o.get("text", {})}
                    for o in p.get("options", [])
                ],
            }
            for p in item["parts"]
        ]
        shown.append(
            {"item": item["item"], "title": item.get("title", {}), "statement": item.get("statement", {}),
             "points": item["points"], "parts": parts}
        )  # fmt: skip
    return shown


def _assignment_context(course: Course, assignment: str, student_id: str) -> dict[str, Any]:
    from server.views import my_submissions

    rows = [r for r in _assignment_rows(course, student_id) if r["name"] == assignment]
    if not rows:
        raise NOT_FOUND
    with course.connect() as conn:
        saved = db.draft(conn, assignment, student_id)
    return {
        "assignment": rows[0],
        "items": _form_items(course, assignment, student_id),
        "draft": saved[0] if saved else {},
        "draft_saved_at": saved[1] if saved else None,
        "history": my_submissions(course, student_id, assignment),
    }


@router.get("/assignments/{name}")
@page
async def assignment_page(request: Request, name: str) -> Response:
    viewer = await viewer_of(request, "student")
    context = await run_in_threadpool(_assignment_context, course_of(request), name, viewer.student_id or "")
    notice = {"saved": "saved"}.get(request.query_params.get("notice", ""))
    key = secrets.token_urlsafe(18)  # one attempt per rendered form: a double click never counts twice
    return render(request, "assignment.html.j2", viewer, notice=notice, attempt_key=key, **context)


def typed_fields(form: Any, items: list[dict[str, Any]]) -> dict[str, str]:
    """The form's answers by field name, only for the variant's parts, each bounded in length."""
    typed: dict[str, str] = {}
    for item in items:
        for part in item["parts"]:
            value = form.get(part["field"])
            if not isinstance(value, str):
                continue
            limit = MAX_WRITTEN_CHARS if part["written"] else MAX_FIELD_CHARS
            if len(value) > limit:
                raise PageError(
                    413,
                    f"پاسخ بخش {part['field']} بیش از {limit} نویسه است.",
                    f"The answer of {part['field']} is longer than {limit} characters.",
                )
            typed[part["field"]] = value.replace("\r\n", "\n")
    return typed


def answer_yaml(
    course: Course, assignment: str, student_id: str, items: list[dict], typed: dict[str, str]
) -> bytes:
    """The answer file of what the student typed: the signed header of their variant and nested answers."""
    from course.store import tokens as token_db

    with course.connect() as conn:
        variant = token_db.variant_of(conn, assignment, student_id)
    if variant is None:
        raise NOT_FOUND
    answers: dict[str, dict[str, str]] = {}
    for item in items:
        for part in item["parts"]:
            text = typed.get(part["field"], "")
            if text.strip():
                answers.setdefault(item["item"], {})[part["id"]] = (
                    text.strip() if not part["written"] else text
                )
    document = {
        "assignment": assignment,
        "student": student_id,
        "variant": int(variant["token"]),
        "answers": answers,
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def _save_draft(course: Course, assignment: str, student_id: str, typed: dict[str, str]) -> str:
    with course.connect() as conn:
        return db.save_draft(conn, assignment, student_id, typed)


def _submit(course: Course, data: bytes, student_id: str, key: str | None) -> dict[str, Any] | PageError:
    """The outcome document, or the refusal as a page error (nothing counted)."""
    from course import submit as course_submit

    try:
        return course_submit.submit_text(
            course, data, as_student=student_id, idempotency_key=key, at=datetime.now(UTC)
        ).document
    except course_submit.SubmissionRefused as exc:
        return PageError(
            409, "ارسال پذیرفته نشد: " + exc.message["fa"], "Submission refused: " + exc.message["en"]
        )
    except CourseError as exc:
        return PageError(422, *reversed(_split(str(exc))))


def _split(text: str) -> tuple[str, str]:
    en, _, fa = text.partition(" | ")
    return en, fa or en


_IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@router.post("/assignments/{name}")
@page
async def assignment_post(request: Request, name: str) -> Response:
    """One form, two buttons: `action=save` keeps a draft, `action=submit` grades what was typed."""
    viewer, form = await signed_form(request, "student")
    items, typed, _ = await _save_typed(request, viewer, name, form)
    if form.get("action") != "submit":
        return _see_other(f"/assignments/{name}?notice=saved")
    sid = viewer.student_id or ""
    data = await run_in_threadpool(answer_yaml, course_of(request), name, sid, items, typed)
    key = str(form.get("attempt_key") or "")
    return await _graded_or_refused(request, viewer, data, key if _IDEMPOTENCY.match(key) else None)


async def _save_typed(request: Request, viewer: Viewer, name: str, form: Any) -> tuple[Any, dict, str]:
    """The form's typed answers kept as the student's draft: (the assignment's items, the answers, saved at)."""
    course, sid = course_of(request), viewer.student_id or ""
    items = await run_in_threadpool(_form_items, course, name, sid)
    typed = typed_fields(form, items)
    saved_at = await run_in_threadpool(_save_draft, course, name, sid, typed)
    return items, typed, saved_at


async def _graded_or_refused(request: Request, viewer: Viewer, data: bytes, key: str | None) -> Response:
    outcome = await run_in_threadpool(_submit, course_of(request), data, viewer.student_id or "", key)
    if isinstance(outcome, PageError):
        raise outcome
    return _see_other(f"/submissions/{int(outcome['submission'])}")


@router.post("/assignments/{name}/draft")
@page
async def draft_post(request: Request, name: str) -> Response:
    """The draft script's save (fetch on change): 204, or the page's own answer without JavaScript."""
    viewer, form = await signed_form(request, "student")
    _, _, saved_at = await _save_typed(request, viewer, name, form)
    if request.headers.get("x-azmoon-draft") == "1":
        return Response(status_code=204, headers={"X-Draft-Saved-At": saved_at, **SECURITY_HEADERS})
    return _see_other(f"/assignments/{name}?notice=saved")


@router.post("/assignments/{name}/upload")
@page
async def upload_post(request: Request, name: str) -> Response:
    viewer, form = await signed_form(request, "student")
    upload = form.get("answers")
    if upload is None or isinstance(upload, str):
        raise PageError(400, "پرونده‌ی answers.yaml را انتخاب کنید.", "Choose your answers.yaml file.")
    from course.submit import MAX_ANSWER_FILE_BYTES

    data = await upload.read(MAX_ANSWER_FILE_BYTES + 1)
    if len(data) > MAX_ANSWER_FILE_BYTES:
        raise PageError(413, "پرونده‌ی پاسخ بیش از حد بزرگ است.", "The answer file is too large.")
    return await _graded_or_refused(request, viewer, data, None)


@router.get("/assignments/{name}/worksheet.pdf")
@page
async def worksheet_pdf(request: Request, name: str) -> Response:
    from server.views import my_worksheet

    viewer = await viewer_of(request, "student")
    pdf = await run_in_threadpool(my_worksheet, course_of(request), viewer.student_id or "", name)
    return FileResponse(
        pdf,
        media_type="application/pdf",
        filename=f"{name}-worksheet.pdf",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/assignments/{name}/answers.yaml")
@page
async def answers_yaml(request: Request, name: str) -> Response:
    from server.views import my_answer_file

    viewer = await viewer_of(request, "student")
    server_url = str(request.base_url).rstrip("/")
    text = await run_in_threadpool(
        my_answer_file, course_of(request), viewer.student_id or "", name, server_url
    )
    disposition = f'attachment; filename="{name}-answers.yaml"'
    return PlainTextResponse(text, media_type="application/x-yaml; charset=utf-8",
                             headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})  # fmt: skip


# --- feedback -------------------------------------------------------------------------------------------------


STATUS_WORDS = {
    "correct": ("درست", "right", "✓"),
    "partial": ("بخشی درست", "partly right", "½"),
    "wrong": ("نادرست", "not right", "✗"),
    "blank": ("بی‌پاسخ", "blank", "·"),
    "format_error": ("خوانده نشد", "unreadable", "?"),
    "pending": ("در انتظار تصحیح دستیار", "waiting for a TA", "…"),
}


def feedback_parts(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each part's verdict with its score in the assignment's points (as the worksheet prints them)."""
    from course.answers import scale_points

    item_points = {i["item"]: i.get("max_score") for i in document.get("items", [])}
    by_item: dict[str, list[dict[str, Any]]] = {}
    for part in document.get("parts", []):
        by_item.setdefault(str(part.get("item")), []).append(part)
    shown = []
    for item, parts in by_item.items():
        raw = [float(p.get("max_score") or 0) for p in parts]
        points = scale_points(raw, item_points[item]) if item_points.get(item) else raw
        for part, value, raw_value in zip(parts, points, raw, strict=True):
            credit = float(part.get("score") or 0) / raw_value if raw_value else 0.0
            fa, en, mark = STATUS_WORDS.get(
                part.get("status", ""), (part.get("status"), part.get("status"), "")
            )
            shown.append(
                {"item": item, "id": part.get("id"), "status": part.get("status"), "mark": mark,
                 "word": {"fa": fa, "en": en}, "score": credit * value, "points": value,
                 "feedback": part.get("feedback") or {}}
            )  # fmt: skip
    return shown


def _submission_context(course: Course, number: int, viewer: Viewer) -> dict[str, Any]:
    with course.connect() as conn:
        row = db.submission(conn, number)
    if row is None:
        raise NOT_FOUND
    if not viewer.is_staff and row["student_id"] != viewer.student_id:
        raise FORBIDDEN
    document = json.loads(row["result"]) if row["result"] else {}
    return {
        "row": dict(zip(row.keys(), row, strict=True)),
        "document": document,
        "parts": feedback_parts(document) if row["status"] == "graded" else [],
    }


@router.get("/submissions/{number}")
@page
async def submission_page(request: Request, number: str) -> Response:
    viewer = await viewer_of(request)
    if _position(number) is None:  # a page's 404, not the API's validation error
        raise NOT_FOUND
    context = await run_in_threadpool(_submission_context, course_of(request), int(number), viewer)
    return render(request, "submission.html.j2", viewer, **context)


# --- the TA's pages -------------------------------------------------------------------------------------------


def _staff_home(course: Course) -> dict[str, Any]:
    from course.assignments import list_assignments
    from course.deadlines import format_time

    listed = []
    for a in list_assignments(course):
        listed.append(
            {**a.to_json(), "due_text": {lang: format_time(course, a.due, lang) for lang in ("fa", "en")}}
        )
    return {"assignments": listed}


@router.get("/staff")
@page
async def staff_home(request: Request) -> Response:
    viewer = await viewer_of(request, "staff")
    context = await run_in_threadpool(_staff_home, course_of(request))
    return render(request, "staff.html.j2", viewer, **context)


def _submissions_context(course: Course, name: str, student: str, status: str) -> dict[str, Any]:
    from course.assignments import get_assignment
    from server.views import assignment_submissions

    with course.connect() as conn:
        a = get_assignment(conn, name)
    rows = assignment_submissions(course, name)
    if student:
        rows = [r for r in rows if r.get("student_id") == student]
    if status in SUBMISSION_STATUSES:
        rows = [r for r in rows if r["status"] == status]
    return {"assignment": a.to_json(), "rows": rows, "student_filter": student, "status_filter": status,
            "statuses": SUBMISSION_STATUSES}  # fmt: skip


@router.get("/staff/assignments/{name}")
@page
async def staff_submissions(request: Request, name: str) -> Response:
    viewer = await viewer_of(request, "staff")
    student = request.query_params.get("student", "").strip()[:100]
    status = request.query_params.get("status", "").strip()
    context = await run_in_threadpool(_submissions_context, course_of(request), name, student, status)
    return render(request, "staff_submissions.html.j2", viewer, **context)


def _student_context(course: Course, student_id: str) -> dict[str, Any]:
    from course.store import tokens as token_db
    from server.views import my_submissions

    with course.connect() as conn:
        student = token_db.student_row(conn, student_id)
    if student is None:
        raise NOT_FOUND
    return {
        "student": dict(zip(student.keys(), student, strict=True)),
        "history": my_submissions(course, student_id, None),
    }


@router.get("/staff/students/{student_id}")
@page
async def staff_student(request: Request, student_id: str) -> Response:
    viewer = await viewer_of(request, "staff")
    context = await run_in_threadpool(_student_context, course_of(request), student_id)
    return render(request, "staff_student.html.j2", viewer, **context)


def _queue_context(course: Course, name: str, at: int | None) -> dict[str, Any]:
    from course.written import written_queue

    queue = written_queue(course, name)
    if at is None:  # resume: the first answer not graded yet
        at = next((k for k, w in enumerate(queue) if w.score is None), max(len(queue) - 1, 0))
    at = min(max(at, 0), max(len(queue) - 1, 0))
    graded = sum(1 for w in queue if w.score is not None)
    return {"assignment": name, "queue_length": len(queue), "graded": graded, "at": at,
            "entry": queue[at] if queue else None}  # fmt: skip


def _position(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) < 7 else None


@router.get("/staff/assignments/{name}/written")
@page
async def written_page(request: Request, name: str) -> Response:
    viewer = await viewer_of(request, "staff")
    at = _position(request.query_params.get("at"))
    context = await run_in_threadpool(_queue_context, course_of(request), name, at)
    notice = "saved" if request.query_params.get("notice") == "saved" else None
    return render(request, "written.html.j2", viewer, notice=notice, **context)


def _score(text: str) -> float:
    digits = text.strip().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789."))
    try:
        value = float(digits)
    except ValueError:
        raise PageError(400, "نمره باید یک عدد باشد.", "The score must be a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise PageError(400, "نمره باید یک عدد باشد.", "The score must be a number.")
    return value


@router.post("/staff/assignments/{name}/written")
@page
async def written_post(request: Request, name: str) -> Response:
    from course.written import record_written_grade

    viewer, form = await signed_form(request, "staff")
    submission = _position(str(form.get("submission") or ""))
    item, part = str(form.get("item") or ""), str(form.get("part") or "")
    if submission is None or not item or not part:
        raise PageError(400, "فرم نمره‌دهی ناقص است.", "The grading form is incomplete.")
    score, comment = _score(str(form.get("score") or "")), str(form.get("comment") or "")[:4000]
    await run_in_threadpool(
        record_written_grade, course_of(request), submission, item, part, score, comment or None, viewer.name
    )
    at = (_position(str(form.get("at") or "")) or 0) + 1
    return _see_other(f"/staff/assignments/{name}/written?at={at}&notice=saved")


@router.get("/staff/assignments/{name}/gradebook.csv")
@page
async def gradebook_download(request: Request, name: str) -> Response:
    from server.views import gradebook_csv

    await viewer_of(request, "staff")
    fmt = request.query_params.get("format", "wide")
    if fmt not in ("wide", "canvas", "moodle"):
        raise PageError(400, "قالب دفتر نمره نامعتبر است.", "Unknown gradebook format.")
    text = await run_in_threadpool(gradebook_csv, course_of(request), name, fmt)
    disposition = f'attachment; filename="{name}-{fmt}.csv"'
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})  # fmt: skip
