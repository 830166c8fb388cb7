"""Due times, late policy, grace, extensions: when a submission counts and what it costs.

- The course's clock: `timezone:` (an IANA name such as `Asia/Tehran`, default `UTC`) and `calendar:`
  (`gregorian` | `jalali`) in course.yaml. Dates are typed and shown in them; the store keeps UTC (ISO 8601).
  Persian text always shows the Jalali date (jdatetime).
- The late policy (`policies.late` in course.yaml, or per assignment): `accept` (late is marked, no penalty),
  `refuse`, or `penalty P%/day[, max M%]` (P percent per day or part of a day late, at most M); a grace period
  (`policies.grace_minutes`, or per assignment) forgives that many minutes after the deadline.
- An extension replaces the due time for one student.

`judge(course, conn, assignment, student_id, at)` is the one verdict: `submit` calls it when a file arrives
and the gradebook calls it again at export from the stored submission time, so a changed due date or a new
extension changes the penalty without regrading. Standard library + jdatetime (pure Python) only: `submit`
imports this.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from course.config import Course, CourseError
from course.store import deadlines as db

CALENDARS = ("gregorian", "jalali")
LATE_MODES = ("accept", "refuse", "penalty")
MAX_GRACE_MINUTES = 7 * 24 * 60
_PENALTY = re.compile(
    r"^penalty\s+(?P<per_day>\d+(?:\.\d+)?)\s*%\s*/\s*day(?:\s*,\s*max\s+(?P<cap>\d+(?:\.\d+)?)\s*%)?$"
)
_LOCAL_TIME = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2}))?$"
)
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# --- the course's clock -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseClock:
    zone: ZoneInfo
    calendar: str

    @property
    def zone_name(self) -> str:
        return self.zone.key


def course_clock(course: Course) -> CourseClock:
    """The course's time zone and calendar from course.yaml (`timezone:`, `calendar:`)."""
    name = str(course.settings.get("timezone") or "UTC")
    calendar = str(course.settings.get("calendar") or "gregorian").lower()
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CourseError(
            f"course.yaml: timezone '{name}' is not a known time zone (e.g. Asia/Tehran)"
        ) from None
    if calendar not in CALENDARS:
        raise CourseError(f"course.yaml: calendar must be one of {', '.join(CALENDARS)}, not '{calendar}'")
    return CourseClock(zone, calendar)


def to_iso(moment: datetime) -> str:
    """An aware datetime as the store's ISO 8601 UTC text: 2026-12-15T20:29:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """A stored timestamp (ISO 8601, 'Z' or an offset; naive means UTC) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_due(clock: CourseClock, due: str | None) -> datetime | None:
    """`assignments.due`: ISO UTC; an older bare date (YYYY-MM-DD) means 23:59 of that day in the course zone."""
    if not due:
        return None
    if len(due) == 10:
        day = datetime.fromisoformat(due)
        return day.replace(hour=23, minute=59, tzinfo=clock.zone).astimezone(UTC)
    return parse_iso(due)


def parse_local_time(course: Course, text: str, what: str = "--due") -> datetime:
    """'YYYY-MM-DD HH:MM' (or a date alone: 23:59) in the course's calendar and zone -> aware UTC datetime.
    An ISO time with 'Z' or an offset is taken as it is."""
    clock = course_clock(course)
    raw = text.strip().translate(_DIGITS)
    if re.search(r"(Z|[+-]\d{2}:?\d{2})$", raw) and "T" in raw:
        try:
            return parse_iso(raw)
        except ValueError:
            raise CourseError(f"{what} '{text}' is not an ISO 8601 time") from None
    match = _LOCAL_TIME.match(raw)
    if not match:
        raise CourseError(f"{what} '{text}' must be \"YYYY-MM-DD HH:MM\" (or YYYY-MM-DD for 23:59)")
    y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
    hour, minute = (int(match["H"]), int(match["M"])) if match["H"] else (23, 59)
    if clock.calendar == "jalali" and y >= 1700:
        raise CourseError(
            f"{what} '{text}': the course's calendar is Jalali but {y} looks like a Gregorian year; "
            "type the Jalali date (e.g. 1405-09-24 23:59)"
        )
    if clock.calendar == "gregorian" and y < 1700:
        raise CourseError(
            f"{what} '{text}': {y} looks like a Jalali year but the course's calendar is Gregorian; "
            "set `calendar: jalali` in course.yaml or type the Gregorian date"
        )
    try:
        if clock.calendar == "jalali":
            import jdatetime

            local = jdatetime.datetime(y, m, d, hour, minute).togregorian()
        else:
            local = datetime(y, m, d, hour, minute)
    except ValueError as exc:
        raise CourseError(f"{what} '{text}' is not a valid {clock.calendar} date and time ({exc})") from None
    return local.replace(tzinfo=clock.zone).astimezone(UTC)


def format_time(course: Course | CourseClock, moment: datetime | str | None, lang: str = "en") -> str:
    """A UTC time as the course shows it: en in the course's calendar (and the Gregorian date beside a Jalali
    one) with the zone; fa always Jalali, with Persian digits."""
    if moment is None:
        return "—"
    clock = course if isinstance(course, CourseClock) else course_clock(course)
    when = parse_iso(moment) if isinstance(moment, str) else moment
    local = when.astimezone(clock.zone)
    gregorian = local.strftime("%Y-%m-%d %H:%M")
    if lang == "fa" or clock.calendar == "jalali":
        import jdatetime

        jalali = jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None)).strftime(
            "%Y-%m-%d %H:%M"
        )
        if lang == "fa":
            return f"{jalali.translate(_TO_PERSIAN)} ({clock.zone_name})"
        return f"{jalali} ({gregorian[:10]}) {clock.zone_name}"
    return f"{gregorian} {clock.zone_name}"


# --- late policy ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatePolicy:
    mode: str  # accept | refuse | penalty
    per_day: float = 0.0  # percent per day or part of a day
    cap: float = 100.0  # percent at most

    @property
    def spec(self) -> str:
        if self.mode != "penalty":
            return self.mode
        cap = f", max {self.cap:g}%" if self.cap < 100 else ""
        return f"penalty {self.per_day:g}%/day{cap}"

    def penalty(self, late_seconds: int) -> float:
        if self.mode != "penalty" or late_seconds <= 0:
            return 0.0
        return min(self.cap, self.per_day * math.ceil(late_seconds / 86400))


def parse_late_policy(text: str) -> LatePolicy:
    """`accept` | `refuse` | `penalty P%/day[, max M%]`."""
    spec = " ".join(str(text).strip().lower().split())
    if spec in ("accept", "refuse"):
        return LatePolicy(spec)
    match = _PENALTY.match(spec)
    if not match:
        raise CourseError(
            f"late policy '{text}' must be `refuse`, `accept` or `penalty P%/day[, max M%]` "
            '(e.g. "penalty 10%/day, max 50%")'
        )
    per_day = float(match["per_day"])
    cap = float(match["cap"]) if match["cap"] else 100.0
    if not (0 < per_day <= 100 and 0 < cap <= 100):
        raise CourseError(f"late policy '{text}': percentages must be above 0 and at most 100")
    return LatePolicy("penalty", per_day, cap)


def parse_grace(minutes: int | None) -> int | None:
    if minutes is None:
        return None
    if not 0 <= int(minutes) <= MAX_GRACE_MINUTES:
        raise CourseError(f"--grace must be between 0 and {MAX_GRACE_MINUTES} minutes, not {minutes}")
    return int(minutes)


def course_late_policy(course: Course) -> tuple[LatePolicy, int]:
    """The course's default policy and grace (`policies.late`, `policies.grace_minutes` in course.yaml)."""
    policies = course.settings.get("policies") or {}
    policy = parse_late_policy(policies.get("late") or "accept")
    grace = parse_grace(int(policies.get("grace_minutes") or 0))
    return policy, grace or 0


# --- the verdict ------------------------------------------------------------------------------------------------


@dataclass
class LateVerdict:
    accepted: bool
    late_seconds: int
    penalty_percent: float
    message: dict[str, str]
    deadline: str | None = None  # ISO UTC: the due time, or the student's extension
    extended: bool = False
    code: str = "on_time"  # no_due | on_time | grace | late | refused | archived | withdrawn
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "late_seconds": self.late_seconds,
            "penalty_percent": self.penalty_percent,
            "message": self.message,
            "deadline": self.deadline,
            "extended": self.extended,
            "code": self.code,
        }


def duration_text(seconds: int) -> dict[str, str]:
    """'2 h 10 min' / '۲ ساعت و ۱۰ دقیقه' (days, hours, minutes; seconds only under a minute)."""
    if seconds < 60:
        return {"en": f"{seconds} s", "fa": f"{seconds} ثانیه".translate(_TO_PERSIAN)}
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(days, "d", "روز"), (hours, "h", "ساعت"), (minutes, "min", "دقیقه")]
    shown = [(n, en, fa) for n, en, fa in units if n]
    return {
        "en": " ".join(f"{n} {en}" for n, en, _ in shown),
        "fa": " و ".join(f"{n} {fa}" for n, _, fa in shown).translate(_TO_PERSIAN),
    }


def _percent(value: float) -> dict[str, str]:
    text = f"{value:g}"
    return {"en": f"−{text}%", "fa": f"−{text.replace('.', '٫')}٪".translate(_TO_PERSIAN)}


def verdict(policy: LatePolicy, grace_minutes: int, deadline: datetime | None, at: datetime, extended: bool):
    """The pure verdict of one submission time against one deadline (judge reads the inputs from the store)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    if deadline is None:
        return LateVerdict(True, 0, 0.0, {"en": "no due date", "fa": "بدون مهلت"}, code="no_due")
    iso = to_iso(deadline)
    late = max(0, math.ceil((at - deadline).total_seconds()))
    if late == 0:
        return LateVerdict(True, 0, 0.0, {"en": "on time", "fa": "به‌موقع"}, iso, extended)
    took = duration_text(late)
    if late <= grace_minutes * 60:
        grace = duration_text(grace_minutes * 60)
        message = {
            "en": f"late by {took['en']}, within the {grace['en']} grace period: no penalty",
            "fa": f"{took['fa']} دیر، در مهلت ارفاقی {grace['fa']}: بدون کسر نمره",
        }
        return LateVerdict(True, late, 0.0, message, iso, extended, "grace")
    if policy.mode == "refuse":
        message = {
            "en": f"late by {took['en']}: the deadline has passed and late submissions are refused",
            "fa": f"{took['fa']} دیر: مهلت گذشته است و ارسال دیرهنگام پذیرفته نمی‌شود",
        }
        return LateVerdict(False, late, 0.0, message, iso, extended, "refused")
    percent = policy.penalty(late)
    cost = _percent(percent) if percent else {"en": "no penalty", "fa": "بدون کسر نمره"}
    message = {"en": f"late by {took['en']}: {cost['en']}", "fa": f"{took['fa']} دیر: {cost['fa']}"}
    return LateVerdict(True, late, percent, message, iso, extended, "late")


@dataclass
class DeadlineContext:
    """What the verdicts of one assignment depend on, read once (the gradebook judges many submissions)."""

    clock: CourseClock
    policy: LatePolicy
    grace_minutes: int
    due: datetime | None
    extensions: dict[str, datetime]
    archived: bool

    def judge(self, student_id: str, at: datetime | str, withdrawn: bool = False) -> LateVerdict:
        moment = parse_iso(at) if isinstance(at, str) else at
        if self.archived:
            message = {
                "en": "the assignment is archived and takes no submissions",
                "fa": "این تمرین بایگانی شده است و ارسالی نمی‌پذیرد",
            }
            return LateVerdict(False, 0, 0.0, message, code="archived")
        if withdrawn:
            message = {
                "en": f"student {student_id} has withdrawn from the course",
                "fa": f"دانشجو {student_id} از درس انصراف داده است",
            }
            return LateVerdict(False, 0, 0.0, message, code="withdrawn")
        extension = self.extensions.get(student_id)
        deadline = extension if extension is not None else self.due
        return verdict(self.policy, self.grace_minutes, deadline, moment, extension is not None)


def deadline_context(course: Course, conn: Any, assignment_name: str) -> DeadlineContext:
    row = db.assignment_row(conn, assignment_name)
    if row is None:
        raise CourseError(f"no assignment '{assignment_name}'")
    clock = course_clock(course)
    settings = db.deadline_settings(conn, assignment_name)
    policy, grace = effective_policy(course, settings)
    extensions = {sid: parse_iso(r["until_at"]) for sid, r in db.extensions_of(conn, assignment_name).items()}
    archived = bool(settings is not None and settings["archived_at"])
    return DeadlineContext(clock, policy, grace, stored_due(clock, row["due"]), extensions, archived)


def effective_policy(course: Course, settings_row: Any) -> tuple[LatePolicy, int]:
    """The assignment's own policy and grace where set, else the course's."""
    policy, grace = course_late_policy(course)
    if settings_row is not None and settings_row["late_policy"]:
        policy = parse_late_policy(settings_row["late_policy"])
    if settings_row is not None and settings_row["grace_minutes"] is not None:
        grace = int(settings_row["grace_minutes"])
    return policy, grace


def judge(
    course: Course, conn: Any, assignment_name: str, student_id: str, at: datetime, late_exempt: bool = False
) -> LateVerdict:
    """CONTRACTS 4: may a submission received `at` count, and with what penalty. `late_exempt` (staff submitting
    for a student) accepts it on time whatever the clock says."""
    context = deadline_context(course, conn, assignment_name)
    withdrawn = db.withdrawal(conn, student_id) is not None
    if late_exempt and not context.archived and not withdrawn:
        message = {
            "en": "submitted by staff: no late penalty",
            "fa": "ارسال از طرف کادر درس: بدون کسر دیرکرد",
        }
        return LateVerdict(True, 0, 0.0, message, code="exempt")
    return context.judge(student_id, at, withdrawn)


# --- extensions -------------------------------------------------------------------------------------------------


def grant_extension(
    course: Course, assignment_name: str, student_id: str, until: str, granted_by: str | None = None
) -> dict[str, Any]:
    """Give one student a later (or any other) deadline; granting again replaces it."""
    from course.store import transaction, utc_now

    moment = parse_local_time(course, until, "--until")
    with course.connect() as conn:
        with transaction(conn):
            if db.assignment_row(conn, assignment_name) is None:
                raise CourseError(f"no assignment '{assignment_name}'")
            if db.student_row(conn, student_id) is None:
                raise CourseError(f"student {student_id} is not on the roster")
            db.save_extension(
                conn, assignment_name, student_id, to_iso(moment), granted_by or "staff", utc_now()
            )
    return {
        "assignment": assignment_name,
        "student_id": student_id,
        "until": to_iso(moment),
        "until_local": {"en": format_time(course, moment, "en"), "fa": format_time(course, moment, "fa")},
    }


# --- withdrawals ------------------------------------------------------------------------------------------------


def withdraw_student(course: Course, student_id: str, reason: str | None = None, undo: bool = False):
    """Mark a student withdrawn (or enrolled again): their submissions, grades and keys stay; they leave the
    lists of who has not submitted, the LMS exports, and new submissions are refused."""
    from course.store import transaction, utc_now

    with course.connect() as conn:
        with transaction(conn):
            if db.student_row(conn, student_id) is None:
                raise CourseError(f"student {student_id} is not on the roster")
            if undo:
                db.delete_withdrawal(conn, student_id)
            else:
                db.save_withdrawal(conn, student_id, utc_now(), reason)
            row = db.withdrawal(conn, student_id)
    return {
        "student_id": student_id,
        "withdrawn": row is not None,
        "withdrawn_at": row and row["withdrawn_at"],
    }
