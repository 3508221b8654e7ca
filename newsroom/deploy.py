"""``python build.py deploy``: copy the output folder, as the last build left it, to the host.

rsync does the copying: files are compared by checksum (a fresh checkout's new mtimes move
nothing), new and changed files are put in place together at the end (``--delay-updates``),
and files gone from the site are deleted after that (``--delete-after``). Before it runs,
the deploy refuses a site that did not build: the last build failed, the sources changed
since it, a scheduled story has gone live since, or it included drafts or future stories.
What the command line's builds leave for it is a small status file beside the build cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from .cache import BuildCache, cache_key
from .config import Config
from .errors import BuildFailed, SiteError, count
from .incremental import input_signature
from .output import MANIFEST, read_manifest

STATUS = "status.json"
#: What rsync is told; ``--dry-run`` is added for a dry run.
RSYNC_FLAGS = ("--recursive", "--links", "--times", "--checksum", "--delete", "--delete-after",
               "--delay-updates", "--itemize-changes", "--chmod=D755,F644", "--exclude=/.git")
INSTALL_RSYNC = ("rsync is not installed; install it (Debian and Ubuntu: apt-get install rsync; Fedora: "
                 "dnf install rsync; macOS: brew install rsync) and deploy again")


def record_build(config: Config, output: Path, errors: int) -> None:
    """Note how the command line's build of ``config`` into ``output`` ended (``errors``: 0 when
    it succeeded), for :func:`deploy` to check."""
    folder = BuildCache.folder_for(config, output)
    status = {"ok": errors == 0, "errors": errors, "finished": datetime.now(UTC).isoformat(timespec="seconds"),
              "drafts": config.drafts, "future": config.future, "expired": config.expired,
              "base_url": config.site.base_url}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f"{STATUS}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(status), encoding="utf-8")
        os.replace(temporary, folder / STATUS)
    except OSError:
        pass  # a read-only site folder: deploy then finds no status and says to build


@dataclass(frozen=True)
class Deployed:
    sent: tuple[str, ...]  # files copied, new or changed
    new: int  # how many of them the target did not have
    deleted: tuple[str, ...]
    unchanged: int
    target: str
    base_url: str


def deploy(config: Config, *, target: str | None = None, dry_run: bool = False,
           now: datetime | None = None) -> Deployed:
    """Copy the output folder of ``config`` to ``target`` (default: ``[deploy] target``); with
    ``dry_run``, only say what would change. Raises :class:`BuildFailed` when it should not
    run, and for rsync's own failures."""
    where = target or config.deploy.target
    if not where:
        raise BuildFailed([SiteError("deploy", None, None, "no target: set [deploy] target in site.toml (a folder, "
                                     "or user@host:/path/) or pass --target")])
    output = config.dir("output")
    status = _check_build(config, output, now or datetime.now(UTC))
    rsync = shutil.which("rsync")
    if rsync is None:
        raise BuildFailed([SiteError("deploy", None, None, INSTALL_RSYNC)])
    local = _local(where)
    if local is not None:
        problem = _local_problem(config, output, local)
        if problem:
            raise BuildFailed([SiteError("--target", None, None, f"{where!r} {problem}") if target else SiteError(
                config.relpath(config.path), None, "deploy.target", f"{where!r} {problem}")])
        if not dry_run:
            local.mkdir(parents=True, exist_ok=True)
    destination = str(local) + "/" if local is not None else where
    command = [rsync, *RSYNC_FLAGS, *(["--dry-run"] if dry_run else []), f"{output}/", destination]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="surrogateescape", check=False)
    except OSError as exc:
        raise BuildFailed([SiteError("deploy", None, None, f"cannot run rsync: {exc.strerror}")]) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()][-3:]
        raise BuildFailed([SiteError("deploy", None, None, f"rsync failed (exit {done.returncode}) copying to "
                                     f"{where}: {' / '.join(lines) or 'no message'}")])
    sent, new, deleted = _changes(done.stdout)
    files = len(read_manifest(output) or ()) + 1  # and the manifest
    return Deployed(tuple(sent), new, tuple(deleted), max(files - len(sent), 0), where,
                    str(status.get("base_url") or config.site.base_url))


def _check_build(config: Config, output: Path, now: datetime) -> dict:
    """The status of the last build into ``output``; :class:`BuildFailed` unless it is a
    whole, current build of the published site."""
    build_first = "run python build.py first"
    if not (output / MANIFEST).is_file():
        raise BuildFailed([_mistake(config, f"{config.relpath(output)}/ holds no build; {build_first}")])
    folder = BuildCache.folder_for(config, output)
    try:
        status = json.loads((folder / STATUS).read_text(encoding="utf-8"))
        if not isinstance(status, dict):
            raise ValueError("not a status")
    except (OSError, ValueError):
        raise BuildFailed([_mistake(config, f"no record of a build into {config.relpath(output)}/ with "
                                    f"this config; {build_first}")]) from None
    if isinstance(status.get("base_url"), str) and status["base_url"] != config.site.base_url:  # --base-url
        config = replace(config, site=replace(config.site, base_url=status["base_url"]))
    if not status.get("ok"):
        errors = status.get("errors")
        shown = count(errors, "error") if isinstance(errors, int) else "errors"
        raise BuildFailed([_mistake(config, f"the last build failed ({shown}, {status.get('finished')}); fix "
                                    "them and build again: only a site that built is deployed")])
    held = [flag for flag in ("drafts", "future", "expired") if status.get(flag)]
    if held:
        raise BuildFailed([_mistake(config, f"the output was built with --{' --'.join(held)}: it holds stories "
                                    f"that are not published; {build_first} without it")])
    header = BuildCache.header(folder, cache_key(config))
    last = header.last if header is not None else None
    if last is None:
        raise BuildFailed([_mistake(config, f"site.toml or newsroom changed since the last build; {build_first}")])
    stamps = input_signature(config, cache_key(config), output, ()).stamps
    changed = sorted(config.relpath(Path(p)) for p in stamps.keys() | last.stamps.keys()
                     if stamps.get(p) != last.stamps.get(p))
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise BuildFailed([_mistake(config, f"the output is older than the sources ({shown} changed since the "
                                    f"last build); {build_first}")])
    upcoming = getattr(last.result, "next_change", None)
    if upcoming is not None:
        when = upcoming[0] if upcoming[0].tzinfo else upcoming[0].replace(tzinfo=config.tz)
        if when <= now:
            raise BuildFailed([_mistake(config, f"{upcoming[1]} {upcoming[2]} at "
                                        f"{when.astimezone(config.tz):%Y-%m-%d %H:%M %z}, after the last build; "
                                        f"{build_first}")])
    return status


def _local(where: str) -> Path | None:
    """The folder of a local target, or None for a remote one (``host:path``, ``user@host:path``,
    ``rsync://``)."""
    if where.startswith("rsync://"):
        return None
    head = where.split("/", 1)[0]
    if ":" in head and not (len(head) == 2 and head[1] == ":"):  # host:path, not C:
        return None
    return Path(where).expanduser().resolve()


def _local_problem(config: Config, output: Path, folder: Path) -> str | None:
    """Why rsync's --delete would harm a local target, if it would: it is the output itself, a
    folder that holds the site, or one whose files are not an earlier deploy's."""
    site = config.root.resolve()
    if folder == output or output in folder.parents or folder in output.parents or folder == site \
            or folder in site.parents or folder == Path.home() or folder == Path(folder.anchor):
        return "overlaps the output or the site folder; deploy into a folder of its own"
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        return "holds files that no deploy put there; deploy into a new or empty folder (rsync would delete them)"
    return None


def _changes(itemized: str) -> tuple[list[str], int, list[str]]:
    """Files sent (and how many were new) and deleted, from rsync's ``--itemize-changes``."""
    sent: list[str] = []
    deleted: list[str] = []
    new = 0
    for line in itemized.splitlines():
        if line.startswith("*deleting "):
            name = line[len("*deleting "):].strip()
            if not name.endswith("/"):
                deleted.append(name)
        elif len(line) > 12 and line[0] in "<>c" and line[1] == "f":
            sent.append(line[12:])
            new += line[2:11] == "+++++++++"
    return sent, new, deleted


def _mistake(config: Config, message: str) -> SiteError:
    return SiteError(config.relpath(config.dir("output")), None, None, message)


_EXAMPLE_HOSTS = ("example.com", "example.net", "example.org")  # RFC 2606; `init` writes www.example.org


def example_address(config: Config) -> SiteError | None:
    """A warning when ``base_url`` is still the example address a new site starts with: a
    site deployed so would give feeds, sitemaps and share cards links that lead nowhere.
    (The sample site and the tests use the ``.example`` domain on purpose: not warned.)"""
    host = (urlsplit(config.site.base_url).hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in _EXAMPLE_HOSTS):
        return None
    text = config.path.read_text(encoding="utf-8-sig") if config.path.is_file() else ""
    line = next((n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith("base_url")), None)
    return SiteError(config.relpath(config.path), line, "site.base_url",
                     f"{config.site.base_url!r} is an example address; set base_url to the site's real address "
                     "(or pass --base-url) before deploying, or feeds, sitemaps and share cards link nowhere",
                     warning=True)
