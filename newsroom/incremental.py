"""What a long-running process keeps between builds, so that the next one redoes only part.

The preview server holds one :class:`Session`: the last model, its renderer, the
fingerprint base of each page kind, and (made when first needed) which pages show each
article. :func:`newsroom.builder.build` fills it; :func:`newsroom.patch.patch_articles`
reads and updates it. Nothing else reaches into either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import SiteModel, page_articles
from .render import Renderer


@dataclass
class Session:
    model: SiteModel | None = None
    renderer: Renderer | None = None
    bases: dict[str, str] = field(default_factory=dict)  # page kind -> fingerprint base
    _refs: dict[str, list[int]] | None = None  # article path -> indices of the pages that show it

    def remember(self, model: SiteModel, renderer: Renderer, bases: dict[str, str]) -> None:
        """What a full build made; the page references are made again when first needed."""
        self.model, self.renderer, self.bases, self._refs = model, renderer, bases, None

    def forget(self) -> None:
        """The last build failed midway: what is here is not what the output shows."""
        self.model, self.renderer, self.bases, self._refs = None, None, {}, None

    def pages_showing(self, path: str) -> list[int]:
        """Indices in ``model.pages`` of the pages whose records hold the article ``path``."""
        if self._refs is None:
            assert self.model is not None
            self._refs = index_pages(self.model.pages)
        return self._refs.get(path, [])

    def update(self, model: SiteModel) -> None:
        """The model after a quick path: the same pages, in the same places, with new records."""
        self.model = model


def index_pages(pages: tuple[object, ...]) -> dict[str, list[int]]:
    """For each article path, the indices of the pages whose records hold the article."""
    refs: dict[str, list[int]] = {}
    for index, page in enumerate(pages):
        for path in {a.path for a in page_articles(page)}:
            refs.setdefault(path, []).append(index)
    return refs
