"""WeasyPrint's work done once per rendering process instead of once per page: text runs, styles, lengths.

A worker renders thirty worksheets or keys one after the other, and they are alike: the same stylesheet, the same
elements, the same words around each student's own numbers. WeasyPrint starts every document from nothing. What
a student's key cost (bundled demo, hw4, WeasyPrint 70, one core, measured with cProfile):
- **text runs**: about 1,300 calls to `split_first_line` (Pango makes a context and a layout, shapes the text and
  breaks it) and, to draw each run, a new Pango layout with the text shaped again (`Layout.reactivate`). Two
  thirds of the calls repeat one made before with the same arguments in the same worker: the words between the
  numbers, and WeasyPrint laying out a table cell or a line again after a page break;
- **computed styles**: WeasyPrint shares a computed style between elements whose cascade is the same, but every
  element with a `lang` attribute (nearly all of ours: the island rule puts one on every block) gets a freshly
  parsed `-weasy-lang` declaration, so none of them shared, and each of ~3,000 styles a page computed its
  properties one by one (`ComputedStyle.__missing__`, 13 % of the key).

`install()` makes, once per process:
- `split_first_line` remembered by everything its result depends on: the text, the available width, the
  justification spacing, the two flags, the process's font configuration and the style properties that Pango's
  layout is made from (`TEXT_PROPERTIES`: what `Layout.setup`, `Layout.set_text` and `split_first_line` read).
  A hit returns a copy of the stored layout object with the stored measures;
- layouts kept alive after layout (`Layout.deactivate` keeps the Pango layout), so that drawing a run uses the
  layout that measured it (`Layout.reactivate` is skipped for a live layout without justification spacing, where
  it would set the same text with the same attributes on a new one);
- one parsed declaration per distinct `-weasy-lang`/`-weasy-anchor` text (`tinycss2.parse_one_declaration`
  remembered) and one preprocessed form of it, so equal attributes are equal declarations to WeasyPrint;
- computed styles kept across documents: an element's style is the one made before for the same parent style
  (the same object), pseudo-element, base URL, font configuration and cascaded declarations (the same value
  objects with the same weights). Page styles are never shared (WeasyPrint changes them while it lays out pages).
  A kept entry holds its parent style and its declaration values, so the ids in its key stay theirs;
- a style's line height and baseline (`strut`) kept on the style, and a box's used lengths (`resolve_percentages`,
  ~2,800 calls a key: 29 -> 19 ms) remembered by its style, its containing block's size, whether it is a page,
  and the collapsed border widths it already has.

The memos hold at most `MEMO_SIZE` entries each (least recently used out first). Everything is installed only
for the WeasyPrint it was written for (`TESTED_MAJOR`, and the functions and fields it replaces); otherwise
WeasyPrint is left as it is. tests/test_render_reuse.py renders keys and worksheets in a process without it and in
one with it and compares every page pixel for pixel.
"""

from __future__ import annotations

import copy
import functools
from collections import OrderedDict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

TESTED_MAJOR = "70"
MEMO_SIZE = 20_000
# every style property that the Pango layout of a run, its line break or its measures are made from
TEXT_PROPERTIES = (
    "font_family", "font_style", "font_stretch", "font_weight", "font_size", "font_variant_ligatures",
    "font_variant_position", "font_variant_caps", "font_variant_numeric", "font_variant_alternates",
    "font_variant_east_asian", "font_feature_settings", "font_variation_settings", "font_language_override",
    "font_kerning", "lang", "direction", "white_space", "text_decoration_line", "word_spacing", "letter_spacing",
    "overflow_wrap", "word_break", "hyphens", "hyphenate_character", "hyphenate_limit_chars",
    "hyphenate_limit_zone", "tab_size",
)  # fmt: skip
_TEXT_KEY = "_azmoon_text_key"
_STRUT = "_azmoon_strut"
_state: dict[str, Any] = {}


def remember(memo: OrderedDict, key: Any, value: Any, size: int = MEMO_SIZE) -> None:
    memo[key] = value
    if len(memo) > size:
        memo.popitem(last=False)


def recall(memo: OrderedDict, key: Any, make: Callable[[], Any]) -> tuple[Any, bool]:
    """The value remembered for `key` (now the most recently used), or `make()`'s, remembered; and whether it was
    made now."""
    found = memo.get(key)
    if found is not None:
        memo.move_to_end(key)
        return found, False
    found = make()
    remember(memo, key, found)
    return found, True


def text_key(style: Any) -> tuple[Any, ...]:
    """The text properties of a computed style and its font configuration, kept on the style (read once)."""
    key = style.__dict__.get(_TEXT_KEY)
    if key is None:
        values = []
        for name in TEXT_PROPERTIES:
            value = style[name]
            try:
                hash(value)
            except TypeError:
                value = repr(value)
            values.append(value)
        key = style.__dict__[_TEXT_KEY] = (*values, id(style.font_config))
    return key


def remembered_split(split_first_line: Any, memo: OrderedDict) -> Any:
    """`split_first_line` remembered by its arguments (a hit returns a copy of the stored layout)."""

    def split(
        text: str,
        style: Any,
        context: Any,
        max_width: Any,
        justification_spacing: float,
        is_line_start: bool = True,
        minimum: bool = False,
    ) -> tuple[Any, ...]:
        key = (text, text_key(style), max_width, justification_spacing, is_line_start, minimum)
        found, _ = recall(
            memo,
            key,
            lambda: split_first_line(
                text, style, context, max_width, justification_spacing, is_line_start, minimum
            ),
        )
        return (copy.copy(found[0]), *found[1:])

    split.azmoon_reuse = True  # type: ignore[attr-defined]
    return split


def strut_per_style(strut: Any) -> Any:
    """`strut` (a style's line height and baseline) kept on the style: WeasyPrint caches it by a text key of the
    style's font properties that it builds again at each of a page's ~2,000 calls."""

    def strut_of(style: Any) -> tuple[float, float]:
        found = style.__dict__.get(_STRUT)
        if found is None:
            found = style.__dict__[_STRUT] = strut(style)
        return found

    strut_of.azmoon_reuse = True  # type: ignore[attr-defined]
    return strut_of


def keep_layouts(layout_class: Any) -> None:
    """Pango layouts kept after layout, and drawn as they are when nothing would change them."""
    reactivate = layout_class.reactivate

    def keep(self: Any) -> None:
        """Keep the Pango layout: drawing the run uses it (WeasyPrint drops it and makes it again)."""

    def reactivate_if_dropped(self: Any, style: Any) -> None:
        if self.__dict__.get("layout") is None or self.justification_spacing:
            reactivate(self, style)

    layout_class.deactivate = keep
    layout_class.reactivate = reactivate_if_dropped


SIDES = ("top", "right", "bottom", "left")
# what resolve_percentages sets on a box: its used margins, paddings, sizes and border widths
USED_LENGTHS = (
    *(f"margin_{side}" for side in SIDES), *(f"padding_{side}" for side in SIDES),
    "width", "min_width", "max_width", "height", "min_height", "max_height",
    *(f"border_{side}_width" for side in SIDES),
)  # fmt: skip


def remembered_percentages(
    resolve_percentages: Any, memo: OrderedDict, box_class: Any, page_class: Any
) -> Any:
    """`resolve_percentages` (a box's used lengths from its style and its containing block's size) remembered by
    the style (the same object), the containing block's width and height, whether the box is a page, and, with
    collapsed borders, the border widths the box already has (WeasyPrint keeps those)."""

    def resolve(box: Any, containing_block: Any) -> None:
        if isinstance(containing_block, box_class):
            size = (containing_block.width, containing_block.height)
        else:
            size = tuple(containing_block)
        style, used = box.style, box.__dict__
        kept = None
        if style["border_collapse"] == "collapse":
            kept = tuple(used.get(f"border_{side}_width") for side in SIDES)
        key = (id(style), size, isinstance(box, page_class), kept)

        def make() -> tuple[dict[str, Any], Any]:
            resolve_percentages(box, containing_block)
            return {name: used[name] for name in USED_LENGTHS}, style  # the style keeps its id in the key

        found, made = recall(memo, key, make)
        if not made:
            used.update(found[0])

    resolve.azmoon_reuse = True  # type: ignore[attr-defined]
    return resolve


def remembered_preprocess(preprocess_declarations: Any, memo: dict) -> Any:
    """`preprocess_declarations` of an attribute's one remembered declaration, done once (other calls as they
    were: a stylesheet's rules, a `style` attribute's list)."""

    def preprocess(base_url: str, declarations: Any, *rest: Any) -> Any:
        if rest or type(declarations) is not tuple:
            return preprocess_declarations(base_url, declarations, *rest)
        found, _ = recall(
            memo, (base_url, declarations), lambda: tuple(preprocess_declarations(base_url, declarations))
        )
        return iter(found)

    return preprocess


def remembered_styles(set_computed_styles: Any, memo: OrderedDict) -> Any:
    """`StyleFor.set_computed_styles` that takes the style made before for the same parent style and cascade."""

    def set_styles(
        self: Any,
        element: Any,
        parent: Any,
        root: Any = None,
        pseudo_type: Any = None,
        base_url: Any = None,
        target_collector: Any = None,
    ) -> None:
        if not hasattr(element, "tag"):  # a page type: its style is changed while pages are made
            return set_computed_styles(self, element, parent, root, pseudo_type, base_url, target_collector)
        computed_styles = self.get_computed_styles()
        is_root = element == root and pseudo_type is None
        parent_style = None if is_root else computed_styles[parent, None]
        cascaded = self.get_cascaded_styles().get((element, pseudo_type), {})
        declared = tuple((name, id(values), weight) for name, (values, weight) in cascaded.items())
        key = (id(parent_style), pseudo_type, base_url, id(self.font_config), declared)

        def make() -> tuple[Any, Any]:
            set_computed_styles(self, element, parent, root, pseudo_type, base_url, target_collector)
            pinned = (
                parent_style,
                [values for values, _ in cascaded.values()],
            )  # the ids in the key stay theirs
            return computed_styles[element, pseudo_type], pinned

        found, made = recall(memo, key, make)
        if not made:
            computed = computed_styles[element, pseudo_type] = found[0]
            if target_collector and computed["anchor"]:
                target_collector.collect_anchor(computed["anchor"])
        return None

    set_styles.azmoon_reuse = True  # type: ignore[attr-defined]
    return set_styles


def weasyprint_modules() -> SimpleNamespace:
    """The modules whose functions are replaced (ImportError without WeasyPrint)."""
    import tinycss2
    from weasyprint import css
    from weasyprint.css import units
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import absolute, block, column, grid, inline, page, percent, preferred, table
    from weasyprint.layout import float as floats
    from weasyprint.text import line_break

    return SimpleNamespace(
        tinycss2=tinycss2, css=css, units=units, boxes=boxes, line_break=line_break, inline=inline,
        preferred=preferred, percent=percent,
        # the layout modules that call resolve_percentages by the name they imported
        percent_users=(absolute, block, column, floats, grid, inline, page, table),
    )  # fmt: skip


def _fits(version: str, m: SimpleNamespace) -> bool:
    layout = getattr(m.line_break, "Layout", None)
    style_for = getattr(m.css, "StyleFor", None)
    return (
        str(version).split(".")[0] == TESTED_MAJOR
        and callable(getattr(m.line_break, "split_first_line", None))
        and getattr(m.inline, "strut", None) is m.line_break.strut
        and getattr(m.units, "strut", None) is m.line_break.strut
        and getattr(m.inline, "split_first_line", None) is m.line_break.split_first_line
        and getattr(m.preferred, "split_first_line", None) is m.line_break.split_first_line
        and all(
            callable(getattr(layout, name, None))
            for name in ("setup", "set_text", "deactivate", "reactivate")
        )
        and all(
            callable(getattr(style_for, name, None))
            for name in ("set_computed_styles", "get_computed_styles", "get_cascaded_styles")
        )
        and callable(getattr(m.css, "preprocess_declarations", None))
        and callable(getattr(m.tinycss2, "parse_one_declaration", None))
        and callable(getattr(m.percent, "resolve_percentages", None))
        and all(
            getattr(module, "resolve_percentages", None) is m.percent.resolve_percentages
            for module in m.percent_users
        )
        and isinstance(getattr(m.boxes, "Box", None), type)
        and isinstance(getattr(m.boxes, "PageBox", None), type)
    )


def forget() -> None:
    """Empty the memos (they hold styles and layouts that hold the font configuration)."""
    for memo in _state.get("memos", {}).values():
        memo.clear()


def install() -> bool:
    """Install the memos in WeasyPrint (once per process); False, and WeasyPrint left as it is, when it is not
    the version this was written for."""
    if "installed" in _state:
        return _state["installed"]
    try:
        import weasyprint

        m = weasyprint_modules()
    except ImportError:
        _state["installed"] = False
        return False
    if not _fits(getattr(weasyprint, "__version__", ""), m):
        _state["installed"] = False
        return False
    memos: dict[str, Any] = {name: OrderedDict() for name in ("text", "declarations", "styles", "lengths")}
    split = remembered_split(m.line_break.split_first_line, memos["text"])
    m.line_break.split_first_line = m.inline.split_first_line = m.preferred.split_first_line = split
    keep_layouts(m.line_break.Layout)
    m.line_break.strut = m.inline.strut = m.units.strut = strut_per_style(m.line_break.strut)
    m.tinycss2.parse_one_declaration = functools.lru_cache(maxsize=4096)(m.tinycss2.parse_one_declaration)
    m.css.preprocess_declarations = remembered_preprocess(
        m.css.preprocess_declarations, memos["declarations"]
    )
    m.css.StyleFor.set_computed_styles = remembered_styles(
        m.css.StyleFor.set_computed_styles, memos["styles"]
    )
    resolve = remembered_percentages(
        m.percent.resolve_percentages, memos["lengths"], m.boxes.Box, m.boxes.PageBox
    )
    for module in (m.percent, *m.percent_users):
        module.resolve_percentages = resolve
    _state.update(installed=True, memos=memos)
    return True
