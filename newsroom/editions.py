"""Editions: the site in each of its languages (``[[languages]]`` in site.toml).

Each language is an edition with its own home page, channel and section indexes, tag,
author and archive pages, search page and feeds, under its own prefix (``/zh/``); the
site's own language (``[site] language``) is the edition at the root. An edition is the
site's settings as its language has them: its title, date format, the words of the
interface (:class:`~newsroom.labels.Labels`, Chinese ones built in for ``zh``) and the
names of channels and sections (``name_zh`` for Chinese). A site that declares no
languages is one edition, which shows every article whatever its ``lang``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import TYPE_CHECKING

from .labels import Labels
from .urls import RESERVED_SLUGS, SLUG_RE, edition_path

if TYPE_CHECKING:
    from .config import Channel, Section, SiteInfo


@dataclass(frozen=True)
class Language:
    """One ``[[languages]]`` entry; every key but ``code`` defaults to the site's."""

    code: str  # a language tag: "zh", "zh-CN"
    name: str = ""  # as the language switcher shows it: "中文"; default by code
    title: str = ""  # the edition's site title
    description: str = ""
    date_format: str = ""  # default: "%Y年%m月%d日" for Chinese, [site] date_format otherwise
    home_label: str = ""
    prefix: str = ""  # where the edition lives: "/zh"; "" for the site's own language


#: What the language switcher calls a language when ``name`` is not set.
NAMES = {"en": "English", "zh": "中文", "fr": "Français", "de": "Deutsch", "es": "Español", "ja": "日本語",
         "ko": "한국어", "ru": "Русский"}

#: The Chinese edition's words, for any ``zh`` language unless its labels say otherwise.
ZH_LABELS = {
    "time": "时间", "source": "来源", "updated": "更新", "tags": "标签", "by": "作者", "contributed": "对本文亦有贡献",
    "scheduled": "定时发布：", "draft": "草稿", "top_stories": "要闻", "latest": "最新", "photo_news": "图片新闻",
    "cities": "城市", "sections": "栏目", "navigation": "频道与栏目", "breadcrumb": "当前位置", "more_from": "更多",
    "story_pager": "上一篇和下一篇", "previous": "上一页", "next": "下一页", "first": "首页", "last": "末页",
    "page": "第", "page_end": " 页", "of": "/ 共", "pages": "分页", "no_stories": "暂无新闻。", "menu": "菜单",
    "skip": "跳到正文",
    "not_found_title": "页面不存在", "not_found_text": "您要找的页面不在这里，可能已经移动，或者地址有误。",
    "home_link": "返回首页", "tag_page": "标签", "author_page": "作者", "archive_page": "归档", "all_authors": "作者",
    "story": "篇", "stories": "篇", "moved": "本文已移至", "gallery": "图集", "search": "搜索",
    "search_label": "站内搜索", "search_all": "全部", "search_results": "条结果", "search_none": "没有找到相关新闻。",
    "search_empty": "暂无可搜索的内容。", "month": "%Y年%m月", "translations": "其他语言版本",
    "language": "语言", "colon": "：", "breaking": "突发",
}
ZH_DATE_FORMAT = "%Y年%m月%d日"


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def is_language_tag(value: object) -> bool:
    """``en``, ``zh-CN``, ``zh-Hant-TW``: a BCP 47 tag as pages' ``lang`` takes it."""
    return isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value) is not None


def language_problems(languages: list[Language], site_language: str, slugs: set[str]) -> list[tuple[int, str, str]]:
    """What is wrong with ``[[languages]]``, as (index, key, message): tags, duplicates,
    prefixes (one segment, not a channel's, a section's or the site's own folder, not
    another edition's; none for the site's own language) and date formats."""
    problems: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    for n, language in enumerate(languages):
        code = language.code
        if not is_language_tag(code):
            problems.append((n, "code", f"{code!r} is not a language tag like 'en' or 'zh-CN'"))
            continue
        if code.lower() in seen:
            problems.append((n, "code", f"{code!r} is declared twice (also languages[{seen[code.lower()]}])"))
        seen.setdefault(code.lower(), n)
        own = code.lower() == site_language.lower()
        if own and language.prefix:
            problems.append((n, "prefix", f"{code!r} is the site's language ([site] language), whose edition is at "
                             "the root; remove prefix"))
        prefix = "" if own else (language.prefix.rstrip("/") or "/" + code.lower())
        segment = prefix[1:]
        if not own:
            if not prefix.startswith("/") or not SLUG_RE.match(segment):
                problems.append((n, "prefix", f"{language.prefix!r} must be one path segment of lowercase letters, "
                                 "digits and hyphens after '/', like '/zh'"))
            elif segment in slugs or segment in RESERVED_SLUGS:
                problems.append((n, "prefix" if language.prefix else "code", f"the edition's prefix {prefix}/ is "
                                 "also a channel's, a section's or the site's own folder; set another prefix"))
            elif segment in prefixes:
                problems.append((n, "prefix", f"{prefix}/ is also the prefix of languages[{prefixes[segment]}]"))
            prefixes.setdefault(segment, n)
        if language.date_format:
            try:
                sample = datetime(2021, 8, 25).strftime(language.date_format)
            except ValueError as exc:
                problems.append((n, "date_format", f"invalid strftime pattern: {exc}"))
            else:
                if sample == language.date_format:
                    problems.append((n, "date_format", f"{language.date_format!r} has no date fields"))
    return problems


def primary(code: str) -> str:
    """A language tag's language: ``zh-CN`` → ``zh``."""
    return code.split("-")[0].lower()


@dataclass(frozen=True)
class Edition:
    """The site in one language: what its pages show, and where they live."""

    lang: str  # the language tag as declared: the pages' lang, the search index's language
    name: str  # as the language switcher shows it
    prefix: str  # "" for the site's own language, else "/zh"
    site: SiteInfo  # the site's settings with this edition's title, language, date format
    labels: Labels
    channels: tuple[Channel, ...]  # named in this language
    sections: tuple[Section, ...]

    def path(self, site_path: str) -> str:
        """``site_path`` in this edition: ``/changzhi/`` → ``/zh/changzhi/``."""
        return edition_path(self.prefix, site_path)

    @property
    def home(self) -> str:
        return self.path("/")

    @property
    def search(self) -> str:
        from .urls import SEARCH_PATH

        return self.path(SEARCH_PATH)


def make_editions(site: SiteInfo, labels: Labels, channels: tuple[Channel, ...], sections: tuple[Section, ...],
                  languages: tuple[Language, ...], own_labels: dict[str, dict[str, str]]) -> tuple[Edition, ...]:
    """The editions of a site, its own language's first (``languages`` checked already;
    ``own_labels``: each language's ``[languages.labels]``)."""
    declared = {language.code.lower(): language for language in languages}
    codes = [site.language, *(language.code for language in languages
                               if language.code.lower() != site.language.lower())]
    editions = []
    for code in codes:
        language = declared.get(code.lower(), Language(code))
        chinese = primary(code) == "zh"
        own = code.lower() == site.language.lower()
        words = {} if own or not chinese else dict(ZH_LABELS)
        words.update(own_labels.get(code.lower(), {}))
        known = {f.name for f in fields(Labels)}
        edition_labels = replace(labels if own else Labels(), **{k: v for k, v in words.items() if k in known})
        edition_site = replace(
            site, language=code, title=language.title or site.title,
            description=language.description or (site.description if own else ""),
            date_format=language.date_format or (ZH_DATE_FORMAT if chinese and not own else site.date_format),
            home_label=language.home_label or site.home_label)
        editions.append(Edition(
            lang=code, name=language.name or NAMES.get(primary(code), code),
            prefix="" if own else (language.prefix.rstrip("/") or "/" + code.lower()),
            site=edition_site, labels=edition_labels,
            channels=tuple(replace(c, name=c.name_zh or c.name, dateline=c.name_zh or c.dateline) if chinese
                           and not own else c for c in channels),
            sections=tuple(replace(s, name=s.name_zh or s.name) if chinese and not own else s for s in sections)))
    return tuple(editions)


def edition_of(editions: tuple[Edition, ...], lang: str, declared: bool) -> Edition | None:
    """The edition that shows an article in ``lang``: the one of that tag, else the only one of
    its language (``zh-CN`` in a ``zh`` edition); None when there is none or the choice is
    ambiguous. A site without ``declared`` languages shows every article in its one edition."""
    if not declared:
        return editions[0]
    lowered = lang.lower()
    for edition in editions:
        if edition.lang.lower() == lowered:
            return edition
    same = [edition for edition in editions if primary(edition.lang) == primary(lang)]
    return same[0] if len(same) == 1 else None
