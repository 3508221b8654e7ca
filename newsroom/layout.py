"""The layout of the site: where each article goes and the groups of pages made from it.

Pure: each edition's lists (all stories, each channel, section, pair of them, tag,
person, year and month), newest first, named as groups of pages (:data:`Group`), and the
pages each group makes (:meth:`Layout.make`); :func:`newsroom.model.build_model` makes them
all, the structural quick path only the groups whose articles moved.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import replace
from datetime import datetime

from .config import Channel, Config, Section
from .editions import Edition
from .errors import SiteError
from .fronts import Front, breaking_story, front
from .hosting import host_pages
from .pages import (
    ArticlePage,
    Crumb,
    FeedPage,
    HomePage,
    IndexPage,
    Page,
    RedirectPage,
    RedirectsPage,
    SearchPage,
    SitemapEntry,
    TermCount,
    TermsPage,
    paginate,
)
from .records import Article
from .search import SEARCH_FOLDER, shards_of
from .sitemaps import sitemaps
from .taxonomy import Taxonomy
from .urls import (
    ARCHIVE_PATH,
    ATOM_PATH,
    AUTHORS_PATH,
    REDIRECTS_PATH,
    ROBOTS_PATH,
    TAGS_PATH,
    archive_path,
    author_path,
    channel_path,
    feed_path,
    section_path,
    tag_path,
)

RELATED = 4


_path = operator.attrgetter("path")


def newest_first(articles: Iterable[Article]) -> tuple[Article, ...]:
    return tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.path)))


#: A run of pages the model makes from one list: (name, members, key). ``name`` says which
#: (``("index", "/changzhi/")``, ``("article", path)``); ``members`` are the paths of the
#: articles its pages are made from, in order; ``key`` is whatever else decides them. Two
#: layouts whose group has the same name, members and key, and whose member articles keep
#: their :func:`placement_key`, make the same pages up to :func:`swap_articles`: the command
#: line's structural quick path (:mod:`newsroom.restructure`) keeps such groups' pages.
Group = tuple[tuple[str, str], tuple[str, ...], Hashable]

#: Kinds of group made every time, from every article or many: never kept.
EVERY_TIME = frozenset({"home", "terms", "redirects", "notfound", "feeds", "search"})


class EditionLayout:
    """Where each article of one edition goes: the edition's lists (all stories, each channel,
    section, pair of them, tag, person, year and month), newest first, and the groups of pages
    made from them. ``config`` is the site's as the edition has it (its title, labels, names)."""

    def __init__(self, config: Config, edition: Edition, ordered: tuple[Article, ...]):
        self.config = config
        self.edition = edition
        self.ordered = ordered
        here = self.here = edition.path  # a site path in this edition
        self.by_channel: dict[str, list[Article]] = defaultdict(list)
        self.by_section: dict[str, list[Article]] = defaultdict(list)
        self.by_pair: dict[tuple[str, str], list[Article]] = defaultdict(list)
        self.years: dict[int, list[Article]] = defaultdict(list)
        self.months: dict[tuple[int, int], list[Article]] = defaultdict(list)
        for article in ordered:
            self.by_channel[article.channel.slug].append(article)
            self.by_section[article.section.slug].append(article)
            self.by_pair[article.channel.slug, article.section.slug].append(article)
            date = article.date
            self.years[date.year].append(article)
            self.months[date.year, date.month].append(article)
        known = {name: item.slug for item in (*config.channels, *config.sections) for name in (item.name, item.name_zh)
                 if name}  # 长治 is /tags/changzhi/, as the channel is /changzhi/
        labels = config.labels
        self.tags = Taxonomy("tag", here(TAGS_PATH), lambda slug: here(tag_path(slug)), labels.tags, known,
                             [(a, a.tags) for a in ordered])
        self.people = Taxonomy("author", here(AUTHORS_PATH), lambda slug: here(author_path(slug)), labels.all_authors,
                               {}, [(a, (*a.authors, *a.contributors)) for a in ordered])
        self.front = front(ordered, config.home)  # the home page's lead and top stories, and each channel's
        self.channel_fronts = {c.slug: front(self.by_channel[c.slug], config.channel_front, "channel_placement")
                               for c in config.channels}
        self.warnings = (*self.tags.warnings, *self.people.warnings, *self.front.displaced,
                         *(w for chosen in self.channel_fronts.values() for w in chosen.displaced))
        self.breaking = breaking_story(ordered)  # in the bar above every page of the edition
        self.home = Crumb(config.site.home_label, edition.home)
        self._places: dict[str, tuple[list[Article], int]] = {}  # article -> its channel's list, its place in it
        self._lists: dict[str, list[Article]] = {}  # group name -> its stories, for the kinds made from one list
        self._trails: dict[tuple[str, str], tuple[Crumb, ...]] = {}
        self._meta: dict[str, tuple[str, tuple[Crumb, ...], Channel | None, Section | None]] = {}  # index pages

    def groups(self) -> list[Group]:
        """Every group of pages, in the order of the model's pages (sitemaps and robots.txt,
        which follow, see :meth:`closing`)."""
        config, lists, here = self.config, self._lists, self.here
        found: list[Group] = [(("home", self.edition.home), (), None)]

        def listing(kind: str, url: str, stories: list[Article], key: Hashable = None) -> None:
            lists[url] = stories
            found.append(((kind, url), tuple(map(_path, stories)), key))

        home = self.home
        for channel in config.channels:
            channel_crumb = Crumb(channel.name, here(channel_path(channel.slug)))
            self._meta[channel_crumb.url] = (channel.name, (home, channel_crumb), channel, None)
            listing("index", channel_crumb.url, self.by_channel[channel.slug])
            for section in config.sections:
                crumb = Crumb(section.name, here(section_path(section.slug, channel.slug)))
                self._meta[crumb.url] = (f"{section.name} - {channel.name}", (home, channel_crumb, crumb), channel,
                                         section)
                listing("index", crumb.url, self.by_pair[channel.slug, section.slug])
        for section in config.sections:
            crumb = Crumb(section.name, here(section_path(section.slug)))
            self._meta[crumb.url] = (section.name, (home, crumb), None, section)
            listing("index", crumb.url, self.by_section[section.slug])
        tops = {key: (pair[: RELATED + 1], tuple(a.path for a in pair[:RELATED])) for key, pair in self.by_pair.items()}
        places = self._places
        for stories in self.by_channel.values():
            last = len(stories) - 1
            for n, article in enumerate(stories):
                path = article.path
                places[path] = (stories, n)
                top, related = tops[article.channel.slug, article.section.slug]
                if article in top:  # the related stories are the pair's first, but this one
                    related = tuple(a.path for a in top if a is not article)[:RELATED]
                found.append((("article", path), (
                    path, stories[n - 1].path if n > 0 else "", stories[n + 1].path if n < last else "", *related),
                    None))
        for taxonomy in (self.tags, self.people):
            for url in taxonomy.ordered_urls():
                listing(taxonomy.kind, url, taxonomy.members[url], taxonomy.shown[url])
            found.append((("terms", taxonomy.index), (), None))
        for year, stories in self.years.items():  # newest first, as the stories are
            listing("archive", here(archive_path(year)), stories)
            for (y, month), in_month in self.months.items():
                if y == year:
                    listing("archive", here(archive_path(year, month)), in_month)
        found.append((("terms", here(ARCHIVE_PATH)), (), None))
        if config.build.search:
            found.append((("search", self.edition.search), (), None))
        found.append((("feeds", self.edition.home), (), None))
        return found

    def make(self, name: tuple[str, str]) -> list[Page]:
        """The pages of the group ``name`` (of :meth:`groups`, which must have run)."""
        kind, key = name
        config, home, per_page = self.config, self.home, self.config.build.per_page
        if kind == "article":
            return self._article(key)
        if kind == "index":
            return self._index(key)
        if kind in ("tag", "author"):
            taxonomy = self.tags if kind == "tag" else self.people
            crumbs = (home, Crumb(taxonomy.label, taxonomy.index), Crumb(taxonomy.shown[key], key))
            return [IndexPage(url=pager.url, kind=kind, title=taxonomy.shown[key], crumbs=crumbs, pager=pager)
                    for pager in paginate(self._lists[key], key, per_page)]
        if kind == "archive":
            return self._archive(key)
        if kind == "home":
            return [_home(config, self.edition, self.front, self.ordered, self.by_channel, self.by_section)]
        if kind == "terms":
            if key == self.here(ARCHIVE_PATH):
                return [self._archive_terms()]
            return [(self.tags if key == self.tags.index else self.people).terms_page(home)]
        if kind == "search":
            shards = shards_of(self.ordered, self.edition.lang)
            return [SearchPage(url=key, kind="search", title=config.labels.search, crumbs=(home,),
                               shards=tuple(f"/{SEARCH_FOLDER}/{shard}/" for shard in shards))]
        if kind == "feeds":
            return list(_feeds(config, self.edition, self.ordered, self.by_channel, self.by_section))
        raise ValueError(f"no such group: {name!r}")

    def _article(self, path: str) -> list[Page]:
        stories, n = self._places[path]
        article = stories[n]
        key = (article.channel.slug, article.section.slug)
        crumbs = self._trails.get(key)
        if crumbs is None:
            crumbs = self._trails[key] = (self.home, Crumb(article.channel.name, self.here(channel_path(key[0]))),
                                          Crumb(article.section.name, self.here(section_path(key[1], key[0]))))
        pair = self.by_pair[key]
        return [ArticlePage(
            url=article.url, kind="article", title=article.title,
            crumbs=crumbs,
            channel=article.channel, section=article.section, article=article,
            newer=stories[n - 1] if n > 0 else None,
            older=stories[n + 1] if n + 1 < len(stories) else None,
            related=tuple(a for a in pair[: RELATED + 1] if a is not article)[:RELATED],
            tags=self.tags.terms(article.tags),
            authors=self.people.terms(article.authors),
            contributors=self.people.terms(article.contributors),
        ), *(RedirectPage(url=alias, kind="redirect", title=article.title, target=article.url, article=article)
             for alias in article.aliases)]

    def _index(self, url: str) -> list[Page]:
        title, crumbs, channel, section = self._meta[url]
        pages = _index(self._lists[url], url, self.config.build.per_page, title, crumbs, channel, section)
        if channel is not None and section is None and self._lists[url]:  # a channel's front: its first page
            chosen = self.channel_fronts[channel.slug]
            pages[0] = replace(pages[0], lead=chosen.lead, top_stories=chosen.top)
        return pages

    def _archive(self, url: str) -> list[Page]:
        stories = self._lists[url]
        top = Crumb(self.config.labels.archive_page, self.here(ARCHIVE_PATH))
        first = stories[0].date
        year_crumb = Crumb(f"{first.year:04d}", self.here(archive_path(first.year)))
        if url == year_crumb.url:
            crumbs: tuple[Crumb, ...] = (self.home, top, year_crumb)
        else:
            crumbs = (self.home, top, year_crumb, self._month(stories)[0])
        return [IndexPage(url=pager.url, kind="archive", title=crumbs[-1].label, crumbs=crumbs, pager=pager)
                for pager in paginate(stories, url, self.config.build.per_page)]

    def _month(self, stories: list[Article]) -> tuple[Crumb, datetime]:
        """The crumb of the month of ``stories`` (newest first), and its first day."""
        first_day = stories[0].date.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return Crumb(first_day.strftime(self.config.labels.month),
                     self.here(archive_path(first_day.year, first_day.month))), first_day

    def _archive_terms(self) -> TermsPage:
        """``/archive/``: the years, each with its months."""
        label = self.config.labels.archive_page
        groups = []
        for year, stories in self.years.items():
            listed = []
            for (y, _), in_month in self.months.items():
                if y == year:
                    crumb, first_day = self._month(in_month)
                    listed.append(TermCount(crumb.label, crumb.url, len(in_month), first_day))
            groups.append((TermCount(f"{year:04d}", self.here(archive_path(year)), len(stories)), tuple(listed)))
        url = self.here(ARCHIVE_PATH)
        return TermsPage(url=url, kind="terms", title=label, crumbs=(self.home, Crumb(label, url)),
                         terms=tuple(year for year, _ in groups), groups=tuple(groups))


class Layout:
    """The site laid out: each edition's lists and groups (:class:`EditionLayout`), then the
    groups made once for the whole site (redirects, the 404 page). Pages that exist in several
    editions, and an article's versions in other languages (``translation_key``), link each
    other (``alternates``, for hreflang and the language switcher)."""

    def __init__(self, config: Config, articles: Iterable[Article]):
        self.config = config
        self.ordered = ordered = newest_first(articles)
        self.updates = any(a.updated is not None for a in ordered)
        editions = config.editions
        if len(editions) == 1:
            parts = {editions[0].lang: ordered}
        else:
            lists: dict[str, list[Article]] = {e.lang: [] for e in editions}
            for article in ordered:
                lists[(config.edition_of(article.lang) or editions[0]).lang].append(article)
            parts = {lang: tuple(stories) for lang, stories in lists.items()}
        self.editions = [EditionLayout(replace(config, site=e.site, labels=e.labels, channels=e.channels,
                                               sections=e.sections), e, parts[e.lang]) for e in editions]
        first = self.editions[0]
        self.by_channel, self.by_section = first.by_channel, first.by_section
        self.terms = tuple(part for e in self.editions
                           for part in (e.tags.names, e.tags.urls, e.people.names, e.people.urls))
        self._owner: dict[tuple[str, str], EditionLayout] = {}
        self._alternates: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.translations, problems = _translations(self.editions)
        self.warnings = tuple(w for e in self.editions for w in e.warnings) + problems

    def groups(self) -> list[Group]:
        """Every group of pages, in the order of the model's pages (sitemaps and robots.txt,
        which follow, see :meth:`closing`); a group's key holds its pages' alternates."""
        found: list[Group] = []
        for edition in self.editions:
            bar = edition.breaking
            for group in edition.groups():
                self._owner[group[0]] = edition
                found.append(group if bar is None or group[0][0] == "feeds" else
                             (group[0], group[1], (group[2], "breaking", bar.path, bar.title, bar.url)))
        if len(self.editions) > 1:
            found = self._linked(found)
        bar = self.editions[0].breaking
        return found + [(("redirects", REDIRECTS_PATH), (), None),
                        (("notfound", "/404.html"), (), None if bar is None else ("breaking", bar.path, bar.title))]

    def _linked(self, found: list[Group]) -> list[Group]:
        """``found`` with each group's alternates in its key: the first page of a list, the
        search page and the home page link the same page of the other editions; an article, its
        translations."""
        rests: dict[str, set[str]] = {}
        for (kind, url), _, _ in found:
            if kind in LINKED:
                prefix = self._owner[kind, url].edition.prefix
                rests.setdefault(url[len(prefix):], set()).add(prefix)
        linked: list[Group] = []
        for group in found:
            (kind, url), members, key = group
            if kind == "article":
                alternates = self.translations.get(url, ())
            elif kind in LINKED:
                rest = url[len(self._owner[kind, url].edition.prefix):]
                there = rests[rest]
                alternates = tuple((e.edition.lang, e.edition.path(rest)) for e in self.editions
                                   if e.edition.prefix in there) if len(there) > 1 else ()
            else:
                alternates = ()
            if alternates:
                self._alternates[kind, url] = alternates
                group = ((kind, url), members, (key, alternates))
            linked.append(group)
        return linked

    def make(self, name: tuple[str, str]) -> list[Page]:
        """The pages of the group ``name`` (of :meth:`groups`, which must have run)."""
        kind, key = name
        if kind == "redirects":
            redirects = tuple(sorted((alias, a.url) for a in self.ordered for alias in a.aliases))
            return [RedirectsPage(url=REDIRECTS_PATH, kind="redirects", title="Redirects", redirects=redirects)] \
                if redirects else []
        if kind == "notfound":
            return [Page(url="/404.html", kind="notfound", title=self.config.labels.not_found_title,
                         crumbs=(self.editions[0].home,), breaking=self.editions[0].breaking)]
        owner = self._owner[name]
        pages = owner.make(name)
        alternates = self._alternates.get(name, ())
        lang = owner.edition.lang if owner.edition.prefix else ""
        bar = owner.breaking if kind != "feeds" else None
        if not lang and not alternates and bar is None:
            return pages
        return [replace(page, edition=lang, breaking=bar, alternates=alternates if (
            page.kind == "article" if kind == "article" else page.url == key) else ()) for page in pages]

    def closing(self, entries: list[SitemapEntry], provided: frozenset[str]) -> list[Page]:
        """The pages after every group's: the sitemaps of the ``entries`` of those pages (see
        :func:`sitemap_entries`), robots.txt and the host files (:mod:`newsroom.hosting`),
        each unless the site ``provided`` its own."""
        pages = sitemaps(entries, self.ordered)
        hosting = host_pages(self.config, pages, provided)
        if "robots.txt" not in provided:
            pages.append(Page(url=ROBOTS_PATH, kind="robots", title="robots.txt"))
        return pages + hosting


#: Kinds of group whose first page each edition has at the same path under its prefix.
LINKED = frozenset({"home", "index", "tag", "author", "archive", "terms", "search"})


def _translations(editions: list[EditionLayout]
                  ) -> tuple[dict[str, tuple[tuple[str, str], ...]], tuple[SiteError, ...]]:
    """Each translated article's versions (by article path: (language, URL) for every edition
    that has one, in the editions' order), and the warnings of keys no other language shares or
    one language has twice (the newest keeps the key)."""
    versions: dict[str, dict[str, Article]] = {}
    problems: list[SiteError] = []
    for edition in editions:
        for article in edition.ordered:
            key = article.translation_key
            if not key:
                continue
            mine = versions.setdefault(key, {})
            other = mine.get(edition.edition.lang)
            if other is not None:
                problems.append(SiteError(article.path, None, "translation_key", f"{key!r} is also the key of "
                                          f"{other.path}, in the same language; each language has one version of a "
                                          "story, so this one is not linked", warning=True))
            else:
                mine[edition.edition.lang] = article
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for key, mine in versions.items():
        if len(mine) == 1:
            (article,) = mine.values()
            problems.append(SiteError(article.path, None, "translation_key", f"no article in another language has "
                                      f"{key!r}; the story links its translation once one does", warning=True))
            continue
        linked = tuple((lang, article.url) for lang, article in mine.items())
        for article in mine.values():
            found[article.path] = linked
    return found, tuple(sorted(problems, key=lambda e: (e.path, e.message)))


def _home(config: Config, edition: Edition, chosen: Front, ordered: tuple[Article, ...],
          by_channel: dict[str, list[Article]], by_section: dict[str, list[Article]]) -> HomePage:
    """The home page's blocks, sized by ``[home]``; the lead and top stories as the editors
    pinned them (``chosen``: :func:`newsroom.fronts.front`), the rest by date."""
    sizes = config.home
    return HomePage(  # a block with nothing to show (a size of 0, a city without stories) the template leaves out
        url=edition.home, kind="home", title=config.site.title, top=chosen.lead,
        top_stories=chosen.top, latest=chosen.rest[: sizes.latest],
        channels=tuple((c, tuple(by_channel[c.slug][: sizes.per_channel])) for c in config.channels),
        sections=tuple((s, tuple(by_section[s.slug][: sizes.per_section])) for s in config.sections),
        photos=tuple(itertools.islice(((a, p) for a in ordered for p in (a.image, *a.gallery) if p is not None),
                                      sizes.photos)),
    )


def _feeds(config: Config, edition: Edition, ordered: tuple[Article, ...], by_channel: dict[str, list[Article]],
           by_section: dict[str, list[Article]]) -> list[FeedPage]:
    """RSS for the edition, each channel and each section; Atom for the edition."""
    count = config.feeds.items
    newest = ordered[:count]
    here, home = edition.path, edition.home
    feeds = [FeedPage(url=feed_path(home), kind="rss", title=config.site.title, link=home, items=newest),
             FeedPage(url=here(ATOM_PATH), kind="atom", title=config.site.title, link=home, items=newest)]
    for channel in config.channels:
        folder = here(channel_path(channel.slug))
        feeds.append(FeedPage(url=feed_path(folder), kind="rss", title=channel.name, channel=channel, link=folder,
                              items=tuple(by_channel[channel.slug][:count])))
    for section in config.sections:
        folder = here(section_path(section.slug))
        feeds.append(FeedPage(url=feed_path(folder), kind="rss", title=section.name, section=section, link=folder,
                              items=tuple(by_section[section.slug][:count])))
    return feeds


def _index(items: list[Article], first: str, per_page: int, title: str, crumbs: tuple[Crumb, ...],
           channel: Channel | None, section: Section | None) -> list[IndexPage]:
    return [
        IndexPage(url=pager.url, kind="index", title=title, crumbs=crumbs, channel=channel,
                  section=section, pager=pager)
        for pager in paginate(items, first, per_page)
    ]
