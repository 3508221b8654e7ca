"""The command line behind ``python build.py``: parse flags, call a stage, print the outcome."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .errors import BuildFailed, count

DESCRIPTION = """\
Build a news site from Markdown articles.

commands:
  build   (default) render content/ through templates/ into the output folder
  check   read and render everything, report every mistake, write nothing
  serve   build, serve on http://127.0.0.1:8000/ and rebuild and reload on every save
"""

EPILOG = """\
Mistakes are printed as 'path:line: field: message', all of them at once; the
exit code is then 1 and the previous output folder is left as it was. Slips the
site survives (a dead image link in an imported article) are printed as
'path:line: field: warning: message'; --strict makes them errors.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build.py", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("command", nargs="?", default="build", choices=("build", "check", "serve"),
                   help="what to do (default: build)")
    p.add_argument("--config", default="site.toml", metavar="FILE",
                   help="the site's config file; its folder is the site folder (default: site.toml)")
    p.add_argument("--output", metavar="DIR", help="build into DIR instead of [build] output_dir")
    p.add_argument("--base-url", metavar="URL", help="override [site] base_url, e.g. for a staging host")
    p.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (e.g. a dead image link in an article) as errors; for CI")
    p.add_argument("--clean-output", action="store_true",
                   help="take over an output folder that holds files newsroom did not write: replace them "
                        "(.git, CNAME, .nojekyll and [build] keep are left alone)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    serve = p.add_argument_group("serve")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--no-drafts", action="store_true", help="hide drafts in the preview (shown by default)")
    return p


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM: the build stops at its next step (never midway through a write)."""
    from .workers import request_stop

    request_stop()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "serve":
        from .serve import serve

        return serve(Path(args.config), host=args.host, port=args.port, drafts=not args.no_drafts, quiet=args.quiet)
    from .builder import build
    from .config import load_config
    from .progress import Progress

    for signum in (signal.SIGINT, signal.SIGTERM):  # a kill ends the build as Ctrl-C does: output left whole
        signal.signal(signum, _interrupted)
    try:
        config = load_config(Path(args.config), output_dir=args.output, base_url=args.base_url,
                             drafts=args.drafts)
        result = build(config, write=args.command == "build", progress=Progress.for_terminal(args.quiet),
                       take_over=args.clean_output, strict=args.strict)
    except BuildFailed as failed:
        for error in failed.errors:
            print(error, file=sys.stderr)
        what = "check" if args.command == "check" else "build"
        kept = "" if args.command == "check" else "; the output folder was left as it was"
        print(f"{what} failed: {count(len(failed.errors), 'error')}{kept}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the output folder was left as it was", file=sys.stderr)
        return 130

    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        drafts = f", {count(result.drafts_skipped, 'draft')} skipped" if result.drafts_skipped else ""
        drafts += f", {count(len(result.warnings), 'warning')} (--strict makes them errors)" if result.warnings else ""
        if result.output is None:
            print(f"check passed: {result.pages} pages from {result.articles} articles{drafts} "
                  f"in {result.seconds:.2f} s")
        else:
            where = config.relpath(result.output)
            print(f"built {result.pages} pages from {result.articles} articles{drafts} in "
                  f"{result.seconds:.2f} s -> {where}/ ({result.files_written} files written, "
                  f"{result.files_kept} unchanged)")
    return 0
