"""Every sentence the grader says, in both languages. `say(key, **values)` -> {"fa": ..., "en": ...}.

Values are inserted as given; the Persian text then gets Persian digits outside `code` (lang.localize),
so expressions and option ids are wrapped in backticks where they must stay as typed.
"""

from __future__ import annotations

from lang import localize

Bilingual = dict[str, str]

MESSAGES: dict[str, tuple[str, str]] = {
    "correct": ("درست است.", "Correct."),
    "wrong": ("نادرست است.", "Not correct."),
    "partial": ("بخشی از نمره را گرفت.", "Partly correct."),
    "blank": ("پاسخ داده نشده است.", "Not answered."),
    "pending": ("ثبت شد؛ این بخش را دستیار آموزشی تصحیح می‌کند.", "Recorded; a TA grades this part."),
    "format_error": (
        "پاسخ شما خوانده نشد: {reason} (این تلاش شمرده نمی‌شود). شکل مورد انتظار: {form}",
        "Your answer could not be read: {reason} (this does not use up an attempt). Expected form: {form}",
    ),
    "unchecked": (
        "درستیِ این عبارت در زمان مجاز بررسی نشد (این تلاش شمرده نمی‌شود)؛ شکل ساده‌تری از آن را بنویسید.",
        "This expression could not be checked in time (this does not use up an attempt); "
        "write a simpler equivalent form.",
    ),
    # notes added to a verdict
    "fraction_for_percent": (
        "سؤال درصد خواسته است: {fraction} را به صورت {percent}% بنویسید.",
        "The question asks for a percentage: write {fraction} as {percent}%.",
    ),
    "percent_for_fraction": (
        "سؤال کسر (عدد بین ۰ و ۱) خواسته است: {percent}% یعنی {fraction}.",
        "The question asks for a fraction, not a percentage: {percent}% is {fraction}.",
    ),
    "hundred_times": (
        "این ۱۰۰ برابر پاسخ است: آیا درصد نوشته‌اید در حالی که کسر خواسته شده؟",
        "This is 100 times the answer: did you give a percentage where a fraction is asked?",
    ),
    "hundredth": (
        "این یک‌صدم پاسخ است: آیا کسر نوشته‌اید در حالی که درصد خواسته شده؟",
        "This is a hundredth of the answer: did you give a fraction where a percentage is asked?",
    ),
    "half": (
        "این دقیقاً نصف مقدار درست است (مثلاً MACs به جای FLOPs: ضرب و جمع هر دو شمرده می‌شوند).",
        "This is exactly half the expected value (e.g. MACs where FLOPs — multiplies and adds — are asked).",
    ),
    "double": (
        "این دقیقاً دو برابر مقدار درست است (مثلاً FLOPs به جای MACs: فقط ضرب‌ها شمرده می‌شوند).",
        "This is exactly twice the expected value (e.g. FLOPs where MACs — multiplications only — are asked).",
    ),
    "off_by_one": (
        "یکی با پاسخ فاصله دارد: اگر از یک رابطه به دست آمده، «+۱» و کف (floor) آن را دوباره بررسی کنید.",
        "This is off by one: if it comes from a formula, check its +1 and its floor.",
    ),
    "slash_decimal": (
        "«{typed}» به صورت عدد اعشاری {decimal} خوانده شد؛ برای اعشار «٫» یا نقطه بنویسید، چون / یعنی تقسیم.",
        "'{typed}' was read as the decimal {decimal}; write the decimal point as ٫ or . because / means division.",
    ),
    "wrong_factor": (
        "اگر عامل {wrong} در حاصل‌ضرب شما {right} بود، پاسخ درست می‌شد: آن عامل را دوباره بررسی کنید.",
        "If the factor {wrong} in your product were {right}, the product would be right: check that factor.",
    ),
    "rounding": (
        "نزدیک است ولی خارج از تلورانس ({tolerance}): رقم‌های بیشتری نگه دارید یا گرد کردن را بررسی کنید.",
        "Close, but outside the tolerance ({tolerance}): keep more digits or check your rounding.",
    ),
    "working_mismatch": (
        "محاسبه‌ی شما ({working}) با نتیجه‌ای که نوشته‌اید ({result}) برابر نیست؛ نتیجه‌ی آخر نمره داده شد.",
        "Your working ({working}) does not equal the result you wrote ({result}); the final result was graded.",
    ),
    "reordered": (
        "عددها درست‌اند ولی ترتیبشان نه: ترتیب خواسته‌شده {order} است.",
        "The right numbers in another order: the order asked is {order}.",
    ),
    "reordered_credit": ("این ترتیب هم پذیرفته شد.", "This order is accepted too."),
    "batch_dimension": (
        "شکل بدون بعد دسته (batch) خواسته شده است؛ بعد اول را حذف کنید.",
        "Shapes are asked without the batch dimension; drop the first entry.",
    ),
    "dimensions": (
        "شکل {expected} بعد دارد، شما {given} بعد نوشته‌اید.",
        "The shape has {expected} dimensions; you wrote {given}.",
    ),
    "one_dimension": (
        "شکل {expected} بعد دارد، شما {given} بعد نوشته‌اید.",
        "The shape has {expected} dimension; you wrote {given}.",
    ),
    "short_sigfig": (
        "مقدار درست است، ولی {asked} رقم معنادار بنویسید (شما {written} رقم نوشتید)؛ بخشی از نمره داده شد.",
        "The value is right, but give {asked} significant figures (you wrote {written}); part of the credit.",
    ),
    "short_decdig": (
        "مقدار درست است، ولی {asked} رقم اعشار بنویسید (شما {written} رقم نوشتید)؛ بخشی از نمره داده شد.",
        "The value is right, but give {asked} decimal places (you wrote {written}); part of the credit.",
    ),
    "decimal_coefficients": (
        "عددهای اعشاری شما با پاسخ دقیق در چند نقطه با تلورانس {tolerance} مقایسه شد؛ "
        "برای اطمینان کسر دقیق (مثل 1/3) بنویسید.",
        "Your decimals were compared with the exact answer at sample points within {tolerance}; "
        "write exact fractions (such as 1/3) to be sure.",
    ),
    "sigfig": ("با {digits} رقم معنادار مقایسه شد.", "Compared to {digits} significant figures."),
    "decdig": ("با {digits} رقم اعشار مقایسه شد.", "Compared to {digits} decimal places."),
}

REASONS: dict[str, tuple[str, str]] = {
    "too_long": ("پاسخ بیش از حد طولانی است (حداکثر {limit})", "the answer is too long (at most {limit})"),
    "too_big": ("عدد یا توان بیش از حد بزرگ است", "a number or exponent is too large"),
    "too_deep": ("پرانتزها بیش از حد تو در تو هستند", "the parentheses are nested too deeply"),
    "syntax": ("این عبارت قابل خواندن نیست", "this is not a readable number or expression"),
    "empty": ("چیزی نوشته نشده است", "nothing is written"),
    "comma": (
        "ویرگول مبهم است؛ برای اعشار نقطه یا «٫» بنویسید و جداکننده‌ی هزارگان را سه‌رقمی بگذارید",
        "the comma is ambiguous: use a point for decimals and commas only between groups of three digits",
    ),
    "division_by_zero": ("تقسیم بر صفر", "division by zero"),
    "not_real": ("نتیجه عدد حقیقی نیست", "the result is not a real number"),
    "not_a_number": ("یک عدد خواسته شده است", "a number is expected"),
    "percent_place": ("علامت ٪ فقط در انتهای عدد می‌آید", "the % sign may only end the number"),
    "unknown_name": (
        "نام `{name}` شناخته نیست (نام‌های مجاز: `{allowed}`)",
        "the name '{name}' is not known here (allowed: {allowed})",
    ),
    "unknown_function": ("تابع `{name}` مجاز نیست", "the function '{name}' is not allowed"),
    "function_without_argument": (
        "تابع `{name}` بدون ورودی آمده است",
        "the function '{name}' has no argument",
    ),
    "arity": ("تعداد ورودی‌های `{name}` درست نیست", "'{name}' has the wrong number of arguments"),
    "not_allowed": ("این ساختار مجاز نیست ({what})", "this construct is not allowed ({what})"),
    "piecewise": (
        "Piecewise باید به شکل Piecewise((a, x > 0), (b, True)) باشد",
        "write Piecewise as Piecewise((a, x > 0), (b, True))",
    ),
    "shape_entry": ("`{entry}` یک عدد صحیح مثبت نیست", "'{entry}' is not a positive whole number"),
    "shape_size": ("شکل حداکثر {limit} بعد دارد", "a shape has at most {limit} dimensions"),
    "not_an_option": (
        "`{typed}` هیچ‌کدام از گزینه‌ها (`{ids}`) نیست",
        "'{typed}' is none of the options ({ids})",
    ),
    "letter_or_id": (
        "`{typed}` مبهم است: حرف گزینه‌ی `{letter_id}` است و شناسه‌ی گزینه‌ی `{id}`؛ متن گزینه را بنویسید",
        "'{typed}' is ambiguous: it is the letter of option '{letter_id}' and the id of option '{id}'; "
        "write the option's text",
    ),
    "ambiguous_option": ("`{typed}` با بیش از یک گزینه جور است", "'{typed}' matches more than one option"),
    "list_not_expected": ("اینجا یک مقدار خواسته شده، نه فهرست", "one value is expected here, not a list"),
}

FORMS: dict[str, tuple[str, str]] = {
    "integer": (
        "یک عدد صحیح، مثلاً 120 یا 1,204,224 (محاسبه مثل (240-3+2)/2+1 هم پذیرفته است)",
        "a whole number, e.g. 120 or 1,204,224 (arithmetic like (240-3+2)/2+1 is accepted)",
    ),
    "real": ("یک عدد، مثلاً 0.862 یا 1.78e8 یا 2.66×10^-5", "a number, e.g. 0.862, 1.78e8 or 2.66×10^-5"),
    "percent": ("یک درصد، مثلاً 89.7%", "a percentage, e.g. 89.7%"),
    "shape": ("یک شکل مثل 64×59×59 یا (64, 59, 59)", "a shape such as 64×59×59 or (64, 59, 59)"),
    "expression": (
        "یک عبارت بر حسب `{names}`، مثلاً `exp(-x)/(1+exp(-x))^2`",
        "an expression in {names}, e.g. `exp(-x)/(1+exp(-x))^2`",
    ),
    "choice": (
        "حرف یکی از گزینه‌ها (`{letters}`)، یا شناسه (`{ids}`) یا متن آن",
        "the letter of one option ({letters}), or its id ({ids}) or its text",
    ),
}


# the answer file as a whole (grader.answerfile.AnswerFileError) and a submission read whole (grader.problems)
FILE_MESSAGES: dict[str, tuple[str, str]] = {
    "cannot_read": ("فایل پاسخ `{path}` خوانده نشد: {why}", "cannot read the answer file {path}: {why}"),
    "too_large": (
        "فایل پاسخ بزرگ‌تر از {limit} کیلوبایت است",
        "the answer file is larger than {limit} KiB",
    ),
    "not_utf8": (
        "فایل پاسخ UTF-8 معتبر نیست (بایت {byte})؛ آن را با کدگذاری UTF-8 ذخیره کنید",
        "the answer file is not valid UTF-8 (byte {byte}); save it as UTF-8",
    ),
    "nul": (
        "فایل پاسخ نویسه‌ی NUL دارد؛ آن را به صورت متن UTF-8 ذخیره کنید",
        "the answer file contains NUL characters; save it as UTF-8 text",
    ),
    "control": (
        "فایل پاسخ در سطر {line} نویسه‌ی کنترلی ({char}) دارد؛ آن را حذف کنید",
        "the answer file has a control character ({char}) at line {line}; remove it",
    ),
    "aliases": (
        "لنگر و ارجاع YAML (& و *) در فایل پاسخ مجاز نیست",
        "YAML anchors and aliases (& and *) are not allowed in an answer file",
    ),
    "tags": (
        "برچسب YAML (!! یا !) در فایل پاسخ مجاز نیست",
        "YAML tags (!! or !) are not allowed in an answer file",
    ),
    "documents": (
        "فایل پاسخ باید فقط یک سند YAML باشد (--- اضافه را حذف کنید)",
        "the answer file must hold one YAML document (remove the extra ---)",
    ),
    "too_deep": (
        "فایل پاسخ بیش از {limit} سطح تو در تو است",
        "the answer file is nested more than {limit} levels deep",
    ),
    "too_many": ("فایل پاسخ بیش از {limit} مقدار دارد", "the answer file has more than {limit} entries"),
    "not_yaml": (
        "فایل پاسخ YAML معتبر نیست{where_fa}: `{problem}`",
        "the answer file is not valid YAML{where}: {problem}",
    ),
    "duplicate_key": (
        "کلید `{key}` در سطر {line} تکرار شده است (بار اول در سطر {first})؛ هر پاسخ را یک بار بنویسید",
        "the key '{key}' is repeated at line {line} (first at line {first}); write each answer once",
    ),
    "list_of_non_values": (
        "پاسخ `{where}` فهرستی از مقدارهای غیرساده است؛ آن را در یک سطر متن بنویسید",
        "answer '{where}' is a list of non-values; write it as one line of text",
    ),
    "answer_mapping": (
        "پاسخ `{where}` باید یک مقدار (متن یا عدد) باشد، نه یک نگاشت",
        "answer '{where}' must be a value (text or number), not a mapping",
    ),
    "long_key": (
        "یک کلید در فایل پاسخ بیش از {limit} نویسه است",
        "a key in the answer file is longer than {limit} characters",
    ),
    "answers_mapping": (
        "`answers:` باید نگاشتی از شناسه‌ی بخش‌ها (یا سؤال‌ها) به پاسخ‌ها باشد",
        "`answers:` must be a mapping of part ids (or item ids) to answers",
    ),
    "mixed": (
        "`answers:` شناسه‌ی سؤال (نگاشت تو در تو) و شناسه‌ی بخش (مقدار) را با هم آورده است؛ یک شکل را به کار ببرید",
        "`answers:` mixes item ids (nested mappings) and part ids (values); use one form",
    ),
    "header_value": (
        "کلید سرآیند `{name}` باید یک مقدار باشد",
        "header key '{name}' must be a single value",
    ),
    "not_mapping": (
        "فایل پاسخ باید یک نگاشت YAML با کلید `answers:` باشد",
        "the answer file must be a YAML mapping with an `answers:` key",
    ),
    "no_answers": ("فایل پاسخ کلید `answers:` ندارد", "the answer file has no `answers:` key"),
    "variant_number": (
        "کلید سرآیند `variant` باید عدد صحیح باشد، نه `{value}`",
        "header key 'variant' must be a whole number, not '{value}'",
    ),
    # grader.problems: a submission that does not read whole
    "unknown_item": (
        "سؤال `{id}` در این تکلیف نیست{nearest_fa}",
        "there is no item '{id}' in this assignment{nearest}",
    ),
    "unknown_part": (
        "سؤال `{item}` بخشی به نام `{id}` ندارد{nearest_fa}",
        "item '{item}' has no part '{id}'{nearest}",
    ),
    "item_not_mapping": (
        "پاسخ‌های سؤال `{item}` باید نگاشتی از شناسه‌ی بخش‌ها به پاسخ‌ها باشد (`{item}: {{part: answer}}`)",
        "the answers of item '{item}' must map part ids to answers (`{item}: {{part: answer}}`)",
    ),
    "part_problem": ("`{item}.{part}`: {text}", "{item}.{part}: {text}"),
    "nothing_answered": (
        "در این فایل به هیچ بخشی پاسخ داده نشده است؛ پاسخ‌ها را زیر `answers:` بنویسید",
        "nothing is answered in this file; write your answers under `answers:`",
    ),
}


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def _fill(template: str, values: dict[str, object]) -> str:
    return template.format_map(_Values({k: str(v) for k, v in values.items()}))


def say(key: str, **values: object) -> Bilingual:
    fa, en = MESSAGES[key]
    return {"fa": localize(_fill(fa, values), "fa"), "en": _fill(en, values)}


def reason(key: str, **values: object) -> Bilingual:
    fa, en = REASONS.get(key, REASONS["syntax"])
    return {"fa": localize(_fill(fa, values), "fa"), "en": _fill(en, values)}


def default_form(kind: str, **values: object) -> Bilingual:
    fa, en = FORMS.get(kind, FORMS["real"])
    return {"fa": localize(_fill(fa, values), "fa"), "en": _fill(en, values)}


def file_message(code: str, **values: object) -> Bilingual:
    fa, en = FILE_MESSAGES[code]
    return {"fa": localize(_fill(fa, values), "fa"), "en": _fill(en, values)}


def join(*texts: Bilingual) -> Bilingual:
    return {lang: " ".join(t[lang] for t in texts if t and t.get(lang)) for lang in ("fa", "en")}
