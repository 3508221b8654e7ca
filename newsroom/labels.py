"""The words of the interface (``[labels]`` in site.toml): every label a theme shows, with
its English default, so that an edition in another language needs no template edits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    """The words of the interface, from ``[labels]``: every one a theme shows, for an edition in
    another language. Templates read them as ``labels.NAME``."""

    time: str = "Time"
    source: str = "Source"
    updated: str = "Updated"
    tags: str = "Tags"
    by: str = "By"
    contributed: str = "contributed to this story."
    scheduled: str = "Scheduled: goes live"
    draft: str = "Draft"
    top_stories: str = "Top stories"
    latest: str = "Latest"
    photo_news: str = "Photo news"
    cities: str = "Cities"
    sections: str = "Sections"
    navigation: str = "Channels and sections"
    breadcrumb: str = "Breadcrumb"
    more_from: str = "More"
    story_pager: str = "Previous and next stories"
    previous: str = "Previous"
    next: str = "Next"
    first: str = "First"
    last: str = "Last"
    page: str = "Page"
    of: str = "of"
    pages: str = "Pages"
    no_stories: str = "No stories yet."
    menu: str = "Menu"
    skip: str = "Skip to main content"
    not_found_title: str = "Page not found"
    not_found_text: str = "The page you asked for is not here. It may have moved, or the address may be mistyped."
    home_link: str = "Go to the home page"
    tag_page: str = "Tag"
    author_page: str = "Stories by"
    archive_page: str = "Archive"
    all_authors: str = "Authors"
    story: str = "story"  # "1 story", "12 stories" on tag, author and archive pages
    stories: str = "stories"
    moved: str = "This story has moved to"  # the page at an old address (an alias)
    gallery: str = "Photos"  # an article's gallery
    search: str = "Search"  # the search page, and the masthead's search box
    search_label: str = "Search the site"
    search_all: str = "All"  # the search page's filters: any channel, any section
    search_results: str = "results"  # "12 results"
    search_none: str = "No stories found."
    search_empty: str = "There is nothing to search yet."
    page_end: str = ""  # after a page number: "第 2 页" in Chinese
    month: str = "%B %Y"  # an archive month's name, as strftime writes it
    translations: str = "Also in"  # an article's links to its versions in other languages
    language: str = "Language"  # the language switcher
    breaking: str = "Breaking"  # the breaking-news bar
    colon: str = ": "  # after "Time", "Source": "时间：" in Chinese
