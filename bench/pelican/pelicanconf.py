"""Pelican settings for the newsroom benchmark (bench/run.py passes the content and output folders).

The same site as bench/themes/newsroom: article pages, channel (category) index pages of
20 articles, tag and author pages of 20 with their lists, RSS for the site and each
channel, a home page with the latest 20 headlines and a 404 page, and the Markdown
extensions newsroom uses.
"""

SITENAME = "Eshanxi Bench"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%m %d,%Y"
THEME = "theme"  # bench/pelican/theme: relative paths are relative to this file
THEME_STATIC_PATHS = []
PATH = "content"
STATIC_PATHS = ["images"]
PAGE_PATHS = ["pages"]
ARTICLE_EXCLUDES = ["pages", "images"]
DELETE_OUTPUT_DIRECTORY = False  # bench/run.py empties it before every cold build
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# the channels in site.toml order, for the navigation
CHANNELS = (
    ("taiyuan", "Taiyuan"),
    ("datong", "Datong"),
    ("yangquan", "Yangquan"),
    ("changzhi", "Changzhi"),
    ("jincheng", "Jincheng"),
    ("shuozhou", "Shuozhou"),
    ("jinzhong", "Jinzhong"),
    ("yuncheng", "Yuncheng"),
    ("xinzhou", "Xinzhou"),
    ("linfen", "Linfen"),
    ("lvliang", "Lvliang"),
)

ARTICLE_URL = "{category}/{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{date:%Y}/{date:%m}/{slug}/index.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"category": None, "tag": None, "author": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DIRECT_TEMPLATES = ["index", "tags", "authors"]
INDEX_SAVE_AS = "index.html"

# tag and author pages with their lists, as newsroom writes them
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
CATEGORIES_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""

# RSS for the site and each channel; none per tag or author
FEED_DOMAIN = "https://bench.eshanxi.example"
FEED_ALL_ATOM = None
FEED_ALL_RSS = "feed.xml"
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = "{slug}/feed.xml"
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
FEED_MAX_ITEMS = 50

# the extensions of newsroom/markup.py (plus smarty, which newsroom adds for English)
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.tables": {},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.sane_lists": {},
        "markdown.extensions.def_list": {},
        "markdown.extensions.abbr": {},
        "markdown.extensions.smarty": {},
    },
    "output_format": "html5",
}
