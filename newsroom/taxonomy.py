"""Tags and people: a stable, never empty page address for every name, and the stories of each.

Pure, as the model that uses it (:mod:`newsroom.model`).
"""

from __future__ import annotations

import hashlib
import operator
from collections import defaultdict
from collections.abc import Callable

from .content import Article
from .errors import SiteError
from .pages import Crumb, Term, TermCount, TermsPage
from .urls import name_slug

_path = operator.attrgetter("path")


class Taxonomy:
    """Tags, or people (authors and contributors): a stable, never empty slug for every name,
    and a paginated page of stories for each, plus an index of them all.

    Names that differ only in case are one term, shown as most stories write it, as are the
    names of one channel or section (``Taiyuan``, ``太原``). Two terms
    whose names give one slug are told apart: the one with more stories (then the first by
    name) keeps it, the others get ``-2``, ``-3``…, with a warning naming an article of each.
    """

    def __init__(self, kind: str, index: str, path: Callable[[str], str], label: str, known: dict[str, str],
                 tagged: list[tuple[Article, tuple[str, ...]]]):
        self.kind, self.index, self.label = kind, index, label
        self.warnings: list[SiteError] = []
        by_name: dict[str, list[Article]] = {}  # newest first, as ``tagged`` is
        for article, names in tagged:  # the hot loop of a large site's model: one append a name
            for name in names if len(names) < 2 or len(set(names)) == len(names) else dict.fromkeys(names):
                found = by_name.get(name)
                if found is None:
                    by_name[name] = [article]
                else:
                    found.append(article)
        uses = {name: len(found) for name, found in by_name.items()}
        spellings: dict[str, list[str]] = defaultdict(list)
        known = {name.casefold(): slug for name, slug in known.items()}  # 'changzhi' is the channel too
        key_of = {name: "=" + known[name.casefold()] if name.casefold() in known else name.casefold()
                  for name in uses}
        for name in uses:  # 'Rail' and 'rail' are one tag, as are a channel's names 'Taiyuan' and '太原'
            spellings[key_of[name]].append(name)
        shown = {key: min(forms, key=lambda n: (-uses[n], n)) for key, forms in spellings.items()}
        counts = {key: sum(uses[n] for n in forms) for key, forms in spellings.items()}
        by_slug: dict[str, list[str]] = defaultdict(list)
        for key, name in shown.items():
            digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
            slug = known.get(name.casefold()) or name_slug(name) or f"{kind}-{digest[:8]}"  # "!!!": a digest
            by_slug[slug].append(key)
        taken = set(by_slug)
        slugs: dict[str, str] = {}
        for slug, keys in by_slug.items():
            keys.sort(key=lambda k: (-counts[k], shown[k]))
            slugs[keys[0]] = slug
            for n, key in enumerate(keys[1:], 2):
                while f"{slug}-{n}" in taken:
                    n += 1
                slugs[key] = f"{slug}-{n}"
                taken.add(slugs[key])
                where = min(min(map(_path, by_name[form])) for form in spellings[key])
                self.warnings.append(SiteError(where, None, "tags" if kind == "tag" else "authors",
                                               f"{shown[key]!r} and {shown[keys[0]]!r} make the same address "
                                               f"{path(slug)}; {shown[key]!r} is at {path(slugs[key])}",
                                               warning=True))
        #: For every name as written: the name shown and the site path of its page.
        self.names = {name: shown[key_of[name]] for name in uses}
        self.urls = {name: path(slugs[key_of[name]]) for name in uses}
        self.members: dict[str, list[Article]] = {}  # by page URL, newest first
        order: dict[int, int] = {}
        for key, forms in spellings.items():
            if len(forms) == 1:
                self.members[path(slugs[key])] = by_name[forms[0]]
                continue
            if not order:
                order = {id(article): n for n, (article, _) in enumerate(tagged)}
            merged = {id(a): a for form in forms for a in by_name[form]}  # a story with 'Rail' and 'rail': once
            self.members[path(slugs[key])] = sorted(merged.values(), key=lambda a: order[id(a)])
        self.shown = {self.urls[n]: self.names[n] for n in uses}

    def terms(self, names: tuple[str, ...]) -> tuple[Term, ...]:
        """The terms of ``names`` (one article's tags or byline), each page once."""
        return tuple({self.urls[n]: Term(self.names[n], self.urls[n]) for n in names}.values())

    def ordered_urls(self) -> list[str]:
        """The page of each term, by name."""
        return sorted(self.members, key=lambda u: (self.shown[u].casefold(), u))

    def terms_page(self, home: Crumb) -> TermsPage:
        """The index of every term, with how many stories each has."""
        terms = tuple(TermCount(self.shown[url], url, len(self.members[url])) for url in self.ordered_urls())
        return TermsPage(url=self.index, kind="terms", title=self.label, crumbs=(home, Crumb(self.label, self.index)),
                         terms=terms)
