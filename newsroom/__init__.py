"""newsroom: a static site generator for regional news portals.

The stages, each a module: :mod:`~newsroom.config` (site.toml), :mod:`~newsroom.content`
(articles), :mod:`~newsroom.model` (pages and URLs), :mod:`~newsroom.render` (Jinja),
:mod:`~newsroom.output` (atomic writes); :mod:`~newsroom.builder` runs them in order
and :mod:`~newsroom.cli` is the command line behind ``python build.py``.
"""

from .builder import BuildResult, build
from .config import Config, load_config
from .errors import BuildFailed, SiteError

__version__ = "0.1.0"
__all__ = ["BuildFailed", "BuildResult", "Config", "SiteError", "build", "load_config", "__version__"]
