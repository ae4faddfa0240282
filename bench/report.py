"""The last benchmark as a Markdown table, for the README: `python bench/report.py`.

Reads bench/results/latest.json (and latest-extra.json for the CSV figures), written by
bench/run.py. One row per page, SQLite and PostgreSQL side by side.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    try:
        rows = json.loads((RESULTS / "latest.json").read_text())
    except FileNotFoundError:
        print("No results yet: run `make bench` first.", file=sys.stderr)
        return 1
    by_page: dict[str, dict[str, dict]] = {}
    for r in rows:
        by_page.setdefault(r["page"], {})[r["db"]] = r
    dbs = [d for d in ("sqlite", "postgresql") if any(d in v for v in by_page.values())]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = ["page", "queries"]
    for d in dbs:
        head += [f"{names[d]} p95 ms", "× floor", "req/s (8 clients)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for page, per_db in by_page.items():
        first = next(iter(per_db.values()))
        cells = [page, str(first.get("queries", ""))]
        for d in dbs:
            r = per_db.get(d)
            if r is None:
                cells += ["", "", ""]
                continue
            cells += [
                f"{r['p95_ms']:.1f}",
                f"{r['p95_over_floor']:.1f}",
                f"{r.get('rps_c8', 0):.0f}",
            ]
        print("| " + " | ".join(cells) + " |")
    peak = max((r.get("peak_rss_mb") or 0) for r in rows)
    print(f"\nPeak worker memory (VmHWM, including sign-in's argon2): {peak:.0f} MB.")
    extra = RESULTS / "latest-extra.json"
    if extra.exists():
        for db, info in json.loads(extra.read_text()).get("databases", {}).items():
            c = info.get("csv", {}).get("whole_ledger")
            if c and c.get("rows"):
                print(
                    f"CSV of the whole ledger on {names.get(db, db)}: {c['rows']:,} rows, "
                    f"{c['megabytes']} MB at {c['rows_per_second']:,} rows/s; worker RSS "
                    f"{c['worker_rss_before_mb']} MB before, {c['worker_rss_after_mb']} MB after."
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
