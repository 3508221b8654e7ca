"""The command line behind ``python build.py``, ``python -m newsroom`` and ``newsroom``:
parse a command and its flags, call a stage, print the outcome.

``build`` is the command when none is given, so ``python build.py --drafts`` builds.
A flag that does not belong to the command is a usage error (exit 2); a mistake in the
site is printed as ``path:line: field: message`` (exit 1); never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BuildFailed, count

if TYPE_CHECKING:
    from .builder import BuildResult
    from .config import Config

COMMANDS = ("build", "check", "serve", "new", "init", "deploy")

DESCRIPTION = """\
Build a news site from Markdown articles.

commands (build is the default):
  build   render content/ through templates/ into the output folder
          [--output DIR] [--base-url URL] [--drafts] [--future] [--expired] [--strict] [--clean-output]
          [--executor local|dask] [--scheduler ADDRESS]
  check   read and render everything, report every mistake, write nothing
          [--links] [--base-url URL] [--drafts] [--future] [--expired] [--strict]
  serve   build, serve on http://127.0.0.1:8000/ and rebuild and reload on every save
          [--host HOST] [--port PORT] [--no-drafts]
  new     write an article to fill in: new "Title" --channel SLUG [--section SLUG] [--lang TAG] [--slug SLUG]
  init    start a new site in a new or empty folder: init DIR
  deploy  copy the output folder to [deploy] target with rsync, after checking it is a whole,
          current build [--target DEST] [--dry-run] [--output DIR]

build, check, serve, new and deploy read the site of --config FILE (default: site.toml in this
folder) and take --quiet (print nothing but errors). '%(prog)s COMMAND --help' shows the
flags of a command.
"""

EPILOG = """\
Mistakes are printed as 'path:line: field: message', all of them at once; the
exit code is then 1 and the previous output folder is left as it was. Slips the
site survives (a dead image link in an imported article) are printed as
'path:line: field: warning: message'; --strict makes them errors. A flag that
the command does not take is a usage error: exit code 2.
"""

#: Long options that take a value, so that their value is never taken for the command.
_VALUED = ("--config", "--output", "--base-url", "--host", "--port", "--channel", "--section", "--lang", "--slug",
           "--target", "--executor", "--scheduler")
_FLAGS = ("--drafts", "--future", "--expired", "--strict", "--clean-output", "--quiet", "--links", "--no-drafts",
          "--version", "--help", "--dry-run")


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=100)


def _site_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default="site.toml", metavar="FILE",
                   help="the site's config file; its folder is the site folder (default: site.toml)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")


def _content_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", metavar="URL", help="override [site] base_url, e.g. for a staging host")
    p.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    p.add_argument("--future", action="store_true", help="include articles dated after now (scheduled)")
    p.add_argument("--expired", action="store_true", help="keep articles past their 'expires:' time")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (e.g. a dead image link in an article) as errors; for CI")


def _executor_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--executor", choices=("local", "dask"),
                   help="where to read and render: this machine's cores (local) or a Dask cluster (dask; needs "
                        "pip install -e '.[dask]'); default: [build] executor")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="the Dask scheduler to build on, e.g. tcp://10.0.0.5:8786 (default: [build.cluster] "
                        "scheduler, else a local cluster)")


def command_parsers(prog: str) -> dict[str, argparse.ArgumentParser]:
    """One parser per command, each with its own flags only."""
    def make(name: str, description: str, epilog: str | None = EPILOG) -> argparse.ArgumentParser:
        return argparse.ArgumentParser(prog=f"{prog} {name}", description=description, epilog=epilog,
                                       formatter_class=_formatter)

    build = make("build", "Build the site into the output folder (the default command).")
    _site_flags(build)
    build.add_argument("--output", metavar="DIR", help="build into DIR instead of [build] output_dir")
    _content_flags(build)
    _executor_flags(build)
    build.add_argument("--clean-output", action="store_true",
                       help="take over an output folder that holds files newsroom did not write: replace them "
                            "(.git, CNAME, .nojekyll and [build] keep are left alone)")

    check = make("check", "Read, validate and render everything; write nothing.")
    _site_flags(check)
    _content_flags(check)
    _executor_flags(check)
    check.add_argument("--links", action="store_true",
                       help="dead links and images in article bodies are errors, not warnings")

    serve = make("serve", "Build the site into a temporary folder, serve it, and rebuild and reload on every save.")
    _site_flags(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--no-drafts", action="store_true", help="hide drafts in the preview (shown by default)")

    new = make("new", "Write content/CHANNEL/SLUG.md, an article dated now with every field to fill in, and "
                      "print its path. An existing file is never replaced.", epilog=None)
    new.add_argument("title", help="the headline; the file name is made from it (pinyin for Chinese)")
    _site_flags(new)
    new.add_argument("--channel", metavar="SLUG",
                     help="the city channel: the article goes in its folder (needed when the site has several)")
    new.add_argument("--section", metavar="SLUG", help="the section (default: the first [[sections]])")
    new.add_argument("--lang", metavar="TAG", help="the article's language, e.g. zh (default: the site's)")
    new.add_argument("--slug", metavar="SLUG", help="the file name and URL slug (default: made from the title)")

    init = make("init", "Start a new site in DIR (new or empty): site.toml with every key explained, one "
                        "channel, one section, one article, and a copy of the theme (templates/, static/) "
                        "to change.", epilog=None)
    init.add_argument("dir", metavar="DIR", help="the folder of the new site")
    init.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    deploy = make("deploy", "Copy the output folder to [deploy] target (or --target) with rsync: by checksum, "
                            "the changed files put in place together at the end, files gone from the site "
                            "deleted after. Refused unless the last build succeeded and is current.", epilog=None)
    _site_flags(deploy)
    deploy.add_argument("--output", metavar="DIR", help="deploy DIR, built by build --output DIR "
                                                         "(default: [build] output_dir)")
    deploy.add_argument("--target", metavar="DEST", help="a folder, or user@host:/path/ (default: [deploy] target)")
    deploy.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
    return {"build": build, "check": check, "serve": serve, "new": new, "init": init, "deploy": deploy}


def parser(prog: str = "build.py") -> argparse.ArgumentParser:
    """The top-level parser: the commands, --help and --version."""
    p = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, epilog=EPILOG, formatter_class=_formatter)
    p.add_argument("command", nargs="?", default="build", choices=COMMANDS, help="what to do (default: build)")
    p.add_argument("--version", action="version", version=f"newsroom {version()}")
    return p


def version() -> str:
    """The installed distribution's version, else the package's."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("newsroom")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def _option(token: str) -> str:
    """The long option a token names, resolving argparse's unambiguous prefixes."""
    name = token.split("=", 1)[0]
    if name in _VALUED or name in _FLAGS:
        return name
    matches = [o for o in (*_VALUED, *_FLAGS) if o.startswith(name)] if name.startswith("--") else []
    return matches[0] if len(matches) == 1 else name


def _command_at(argv: list[str]) -> int | None:
    """Index of the first argument that is not a flag or a flag's value, if any."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return i + 1 if i + 1 < len(argv) else None
        if token.startswith("-") and token != "-":
            i += 2 if "=" not in token and _option(token) in _VALUED else 1
            continue
        return i
    return None


def parse(argv: list[str], prog: str = "build.py") -> tuple[str, argparse.Namespace]:
    """``(command, flags)``; exits as argparse does (2) on a usage mistake, 0 after --help."""
    at = _command_at(argv)
    if at is not None and argv[at] in COMMANDS:
        command, rest = argv[at], argv[:at] + argv[at + 1:]
    elif at is None and not {"-h", "--help", "--version"} & {_option(a) if a.startswith("--") else a for a in argv}:
        command, rest = "build", argv
    else:  # help, version, or a word that is no command: the top-level parser says so
        parser(prog).parse_args(argv)
        command, rest = "build", [a for a in argv if a != "build"]
    return command, command_parsers(prog)[command].parse_args(rest)


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "newsroom"
    return "python -m newsroom" if name in ("__main__.py", "-m", "-c", "") else name


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run one command; returns the exit code (a console-script entry point)."""
    prog = prog or _prog()
    try:
        command, args = parse(list(sys.argv[1:] if argv is None else argv), prog)
    except SystemExit as stop:  # --help, --version, or a usage mistake (2)
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    if command == "serve":
        from .serve import serve

        return serve(Path(args.config), host=args.host, port=args.port, drafts=not args.no_drafts, quiet=args.quiet)
    if command == "new":
        return _new(args, command_parsers(prog)["new"])
    if command == "init":
        return _init(args)
    if command == "deploy":
        return _deploy(args)
    return _build(command, args)


def run() -> None:
    """``python build.py`` and ``python -m newsroom``: :func:`main`, then, after a build or a
    check, an exit that skips freeing the build's objects one by one (a tenth of a second
    at 10,000 articles, with everything written, flushed and closed by then)."""
    code = main()
    if _built:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


_built = False  # a build or a check ran to its end in this process


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM: the build stops at its next step (never midway through a write)."""
    from .workers import request_stop

    request_stop()


def _failed(failed: BuildFailed) -> None:
    for error in failed.errors:
        print(error, file=sys.stderr)


def _build(command: str, args: argparse.Namespace) -> int:
    """``build`` and ``check``."""
    from .builder import build
    from .config import load_config
    from .deploy import example_address, record_build
    from .executors import open_executor
    from .progress import Progress

    global _built
    _built = True
    write = command == "build"
    for signum in (signal.SIGINT, signal.SIGTERM):  # a kill ends the build as Ctrl-C does: output left whole
        signal.signal(signum, _interrupted)
    config = None
    try:
        config = load_config(Path(args.config), output_dir=getattr(args, "output", None), base_url=args.base_url,
                             drafts=args.drafts, future=args.future, expired=args.expired)
        example = example_address(config) if write else None  # a real build, not a check or the preview
        with open_executor(config, args.executor, args.scheduler) as executor:
            result = build(config, write=write, progress=Progress.for_terminal(args.quiet),
                           take_over=getattr(args, "clean_output", False), strict=args.strict,
                           links=getattr(args, "links", False), warnings=(example,) if example else (),
                           executor=executor)
            cluster = executor.summary()
    except BuildFailed as failed:
        _failed(failed)
        kept = "; the output folder was left as it was" if write else ""
        print(f"{command} failed: {count(len(failed.errors), 'error')}{kept}", file=sys.stderr)
        if write and config is not None:
            record_build(config, config.dir("output"), len(failed.errors))
        return 1
    except KeyboardInterrupt:
        print("interrupted; the output folder was left as it was", file=sys.stderr)
        return 130

    if write:
        record_build(config, config.dir("output"), 0)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        drafts = f", {count(result.drafts_skipped, 'draft')} skipped" if result.drafts_skipped else ""
        held = [f"{n} {what}" for n, what in ((result.scheduled_skipped, "scheduled"),
                                              (result.expired_skipped, "expired")) if n]
        drafts += f", {' and '.join(held)} left out" if held else ""
        drafts += f", {count(len(result.warnings), 'warning')} (--strict makes them errors)" if result.warnings else ""
        if result.output is None:
            print(f"check passed: {result.pages} pages from {count(result.articles, 'article')}{drafts} "
                  f"in {result.seconds:.2f} s")
        else:
            where = config.relpath(result.output)
            print(f"built {result.pages} pages from {count(result.articles, 'article')}{drafts} in "
                  f"{result.seconds:.2f} s -> {where}/ ({result.articles_read} read, {result.pages_rendered} "
                  f"rendered, {count(result.files_written, 'file')} written, {result.files_kept} unchanged)")
        for line in (cluster, next_change_line(result, config)):
            if line:
                print(line)
    return 0


def next_change_line(result: BuildResult, config: Config) -> str | None:
    """``next: content/changzhi/x.md goes live at 2026-12-01 08:00 +0800``: the next time the
    site changes by itself (a scheduled article goes live or one expires), in the site's time
    zone; None when nothing is scheduled."""
    if result.next_change is None:
        return None
    when, path, what = result.next_change
    when = when.astimezone(config.tz) if when.tzinfo else when.replace(tzinfo=config.tz)
    return f"next: {path} {what} at {when:%Y-%m-%d %H:%M %z}"


def _new(args: argparse.Namespace, usage: argparse.ArgumentParser) -> int:
    from .config import is_language_tag, load_config
    from .scaffold import new_article, slug_mistake, title_slug

    title = " ".join(args.title.split())
    if not title:
        return _usage(usage, "the title must not be empty")
    if any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in args.title.replace("\t", " ").replace("\n", " ")):
        return _usage(usage, "the title has a control character; write it as plain text")
    if args.lang is not None and not is_language_tag(args.lang):
        return _usage(usage, f"argument --lang: {args.lang!r} is not a language tag like 'en' or 'zh-CN'")
    if args.slug is not None:
        problem = slug_mistake(args.slug)
        if problem:
            return _usage(usage, f"argument --slug: {problem}")
        slug = args.slug
    else:
        slug = title_slug(title)
        if not slug:
            return _usage(usage, f"the title {title!r} gives no file name; pass --slug, e.g. --slug city-council-vote")
        problem = slug_mistake(slug)
        if problem:
            return _usage(usage, f"the file name made from the title: {problem}; pass --slug")
    try:
        config = load_config(Path(args.config))
    except BuildFailed as failed:
        _failed(failed)
        return 1
    channel = args.channel
    if channel is None:
        if len(config.channels) != 1:
            return _usage(usage, "the following arguments are required: --channel "
                                 f"({config.relpath(config.path)} declares: "
                                 f"{', '.join(c.slug for c in config.channels)})")
        channel = config.channels[0].slug
    section = args.section if args.section is not None else config.sections[0].slug
    try:
        path = new_article(config, title, channel=channel, section=section, lang=args.lang, slug=slug)
    except BuildFailed as failed:
        _failed(failed)
        return 1
    if not args.quiet:
        print(_shown(path))
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from .config import load_config
    from .deploy import deploy

    try:
        config = load_config(Path(args.config), output_dir=args.output)
        done = deploy(config, target=args.target, dry_run=args.dry_run)
    except BuildFailed as failed:
        _failed(failed)
        print(f"deploy failed: {count(len(failed.errors), 'error')}", file=sys.stderr)
        return 1
    if args.dry_run:
        for name in done.sent:
            print(f"would send {name}")
        for name in done.deleted:
            print(f"would delete {name}")
        print(f"dry run: {count(len(done.sent), 'file')} would be sent ({done.new} new), "
              f"{len(done.deleted)} deleted, {done.unchanged} unchanged; nothing was copied")
    elif not args.quiet:
        print(f"deployed {config.relpath(config.dir('output'))}/ to {done.target} (built for {done.base_url}): "
              f"{count(len(done.sent), 'file')} sent ({done.new} new), {len(done.deleted)} deleted, "
              f"{done.unchanged} unchanged")
    return 0


def _shown(path: Path) -> str:
    """A path as the user can open it from here: relative to this folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _usage(usage: argparse.ArgumentParser, message: str) -> int:
    try:
        usage.error(message)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    return 2


def _init(args: argparse.Namespace) -> int:
    from .scaffold import init_site, next_steps

    folder = Path(args.dir)
    try:
        written = init_site(folder)
    except BuildFailed as failed:
        _failed(failed)
        return 1
    if not args.quiet:
        shown = args.dir.rstrip("/") or args.dir
        print(f"started a news site in {shown}/: {', '.join(written)}")
        print("next steps:")
        for line in next_steps(args.dir):
            print(line)
    return 0


__all__ = ["COMMANDS", "command_parsers", "main", "next_change_line", "parse", "parser", "version"]
