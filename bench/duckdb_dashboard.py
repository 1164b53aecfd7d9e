"""The city dashboard's figures computed by DuckDB from the raw rows, beside taizhang's.

Not a test: bench/duckdb.sh runs it. The rows are copied from the SQLite file into DuckDB
first (not timed); then, N times each, DuckDB computes the figures of GET /api/v1/dashboard
(cards, the monthly line, by category, by unit, the projects' red/yellow/green and the red
list) from the rows, and taizhang answers the same over HTTP: warm (nothing written since the
last read) and fresh (a write committed just before each read, so the dashboard is
recomputed): a 督办 order to a district, and a project's 倒排工期 node (its unit's figures read
again). The figures are checked equal. Prints medians and p99s in milliseconds.

Usage: duckdb_dashboard.py SQLITE_FILE BASE_URL COOKIE CSRF PERIOD RUNS
"""
import json
import sqlite3
import sys
from decimal import Decimal

import duckdb
from benchhttp import percentiles, requester, timed

db_file, base, cookie, csrf, period, runs = sys.argv[1:7]
runs = int(runs)
year, month = (int(x) for x in period.split("-"))

# -- copy the rows (not timed) --------------------------------------------------------------
src = sqlite3.connect(db_file)
duck = duckdb.connect()
TABLES = {
    "org_units": "id BIGINT, code VARCHAR, name VARCHAR, parent_id BIGINT",
    "projects": "id BIGINT, code VARCHAR, name VARCHAR, category VARCHAR, nature VARCHAR, unit_id BIGINT,"
    " planned_start VARCHAR, actual_start VARCHAR",
    "project_year_plans": "project_id BIGINT, year INTEGER, planned_e4 BIGINT",
    "project_progress": "project_id BIGINT, year INTEGER, month INTEGER, month_e4 BIGINT, ytd_e4 BIGINT,"
    " since_start_e4 BIGINT",
}
for table, columns in TABLES.items():
    names = [c.split()[0] for c in columns.split(",")]
    duck.execute(f"CREATE TABLE {table} ({columns})")
    rows = src.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
    duck.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})", rows)
top = src.execute("SELECT code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1").fetchone()[0]
district = src.execute(
    f"SELECT c.code FROM org_units c JOIN org_units t ON t.id = c.parent_id WHERE t.code = '{top}' ORDER BY c.id LIMIT 1"
).fetchone()[0]

# -- the figures from the raw rows ----------------------------------------------------------
# As of each month: a project's latest report of the year on or before it (a month someone
# missed carries the last figure); lights by the default [lights] of taizhang's config.
AS_OF = f"""
WITH RECURSIVE sub(id) AS (
    SELECT id FROM org_units WHERE code = '{top}'
    UNION ALL SELECT c.id FROM org_units c JOIN sub ON c.parent_id = sub.id),
planned AS (
    SELECT p.*, y.planned_e4, u.name AS unit_name FROM projects p JOIN sub ON sub.id = p.unit_id
    JOIN org_units u ON u.id = p.unit_id JOIN project_year_plans y ON y.project_id = p.id AND y.year = {year}),
months AS (SELECT range::INTEGER AS m FROM range(1, {month} + 1)),
as_of AS (
    SELECT pl.id, ms.m, arg_max(g.ytd_e4, g.month) AS ytd_e4, max(g.month) AS reported,
        arg_max(g.since_start_e4, g.month) AS since_e4,
        max(CASE WHEN g.month = ms.m THEN g.month_e4 END) AS month_e4
    FROM planned pl CROSS JOIN months ms
    LEFT JOIN project_progress g ON g.project_id = pl.id AND g.year = {year} AND g.month <= ms.m
    GROUP BY pl.id, ms.m)
"""


def figures():
    out = {}
    line = duck.execute(AS_OF + "SELECT m, SUM(COALESCE(ytd_e4, 0)) FROM as_of GROUP BY m ORDER BY m").fetchall()
    out["monthly"] = [Decimal(v) / 10000 for _, v in line]
    group = lambda key: duck.execute(  # noqa: E731
        AS_OF
        + f"""SELECT {key}, COUNT(*), SUM(planned_e4), SUM(COALESCE(a.month_e4, 0)), SUM(COALESCE(a.ytd_e4, 0)),
                   SUM(CASE WHEN a.reported = {month} THEN 0 ELSE 1 END)
            FROM planned pl JOIN as_of a ON a.id = pl.id AND a.m = {month} GROUP BY {key} ORDER BY 1"""
    ).fetchall()
    row = lambda r: (r[1], Decimal(r[2]) / 10000, Decimal(r[3]) / 10000, Decimal(r[4]) / 10000, r[5])  # noqa: E731
    out["all"] = row(group("'all'")[0])
    out["by_category"] = {r[0]: row(r) for r in group("pl.category")}
    out["by_unit"] = {r[0]: row(r) for r in group("pl.unit_name")}
    lit = duck.execute(
        AS_OF
        + f"""SELECT pl.code,
              CASE WHEN pl.planned_e4 = 0 THEN 0
                   WHEN a.ytd_e4 IS NULL THEN 1
                   ELSE CASE WHEN round(a.ytd_e4 * 100.0 / pl.planned_e4 - a.reported * 100.0 / 12, 2) >= -10 THEN 0
                             WHEN round(a.ytd_e4 * 100.0 / pl.planned_e4 - a.reported * 100.0 / 12, 2) >= -30 THEN 1
                             ELSE 2 END
                        + 0 * (a.reported = {month})::INTEGER END AS by_progress,
              CASE WHEN a.ytd_e4 IS NOT NULL AND a.reported <> {month} THEN 1 ELSE 0 END AS carried,
              CASE WHEN (pl.actual_start IS NOT NULL AND pl.actual_start <= '{year}-{month:02d}-31')
                        OR pl.nature IN ('续建', '竣工') OR COALESCE(a.ytd_e4, 0) > 0 OR COALESCE(a.since_e4, 0) > 0
                        OR pl.planned_start IS NULL THEN 0
                   WHEN ({year} * 12 + {month}) - (CAST(substr(pl.planned_start, 1, 4) AS INTEGER) * 12
                        + CAST(substr(pl.planned_start, 6, 2) AS INTEGER)) >= 3 THEN 2
                   WHEN ({year} * 12 + {month}) - (CAST(substr(pl.planned_start, 1, 4) AS INTEGER) * 12
                        + CAST(substr(pl.planned_start, 6, 2) AS INTEGER)) >= 0 THEN 1
                   ELSE 0 END AS by_start
            FROM planned pl JOIN as_of a ON a.id = pl.id AND a.m = {month}"""
    ).fetchall()
    lights = {}
    for code, by_progress, carried, by_start in lit:
        light = max(by_progress if not carried else max(by_progress, 1), by_start)
        lights[code] = light
    out["lights"] = [sum(1 for v in lights.values() if v == x) for x in (2, 1, 0)]
    out["reds"] = {c for c, v in lights.items() if v == 2}
    return out


request = requester(base, csrf)


def summary(name, ms):
    median, p99 = percentiles(ms)
    print(f"{name:<44} median {median:8.1f} ms   p99 {p99:8.1f} ms   ({len(ms)} runs)")
    return median


duck_ms, theirs = [], None
for _ in range(runs):
    t, theirs = timed(figures)
    duck_ms.append(t)
warm_ms, fresh_ms, project_ms, page_ms = [], [], [], []
ours = json.loads(request("GET", f"/api/v1/dashboard?period={period}", cookie))
# A project of the district with a plan in the year, whose 倒排工期 node the second write moves.
subject = src.execute(
    f"""SELECT p.code FROM projects p JOIN org_units u ON u.id = p.unit_id JOIN org_units d ON d.id = u.parent_id
        JOIN project_year_plans y ON y.project_id = p.id AND y.year = {year}
        WHERE d.code = '{district}' OR u.code = '{district}' ORDER BY p.code LIMIT 1"""
).fetchone()[0]
for i in range(runs):
    # A committed write that the dashboard shows (a 督办 order to a district, lit among the
    # orders) moves the figures' version: the next read computes the dashboard again from the
    # roll-ups and the rows; the one after it finds it kept.
    order = {"unit": district, "title": f"基准测试督办{i}", "deadline": "2099-12-31"}
    request("POST", "/api/v1/orders", cookie, json.dumps(order).encode())
    fresh_ms.append(timed(lambda: request("GET", f"/api/v1/dashboard?period={period}", cookie))[0])
    warm_ms.append(timed(lambda: request("GET", f"/api/v1/dashboard?period={period}", cookie))[0])
    page_ms.append(timed(lambda: request("GET", f"/?period={period}", cookie))[0])
    # A write to a project (its node's date: its light and reason move): the unit it is in
    # is read again, the others' figures are kept.
    node = [{"node": "规划许可", "planned": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}", "note": ""}]
    request("PUT", f"/api/v1/projects/{subject}/nodes", cookie, json.dumps(node).encode())
    project_ms.append(timed(lambda: request("GET", f"/api/v1/dashboard?period={period}", cookie))[0])

# -- the same figures? ----------------------------------------------------------------------
D = Decimal
t = lambda r: (r["projects"], D(r["planned_wan"]), D(r["month_wan"]), D(r["ytd_wan"]), r["carried"])  # noqa: E731
problems = []
if t(ours["projects"]) != theirs["all"]:
    problems.append(f"cards: taizhang {t(ours['projects'])}, DuckDB {theirs['all']}")
if [D(v) for v in ours["monthly_ytd_wan"]] != theirs["monthly"]:
    problems.append("the monthly line differs")
for key, name in (("by_category", "by_category"), ("by_unit", "by_unit")):
    mine = {r["label"]: t(r) for r in ours[key]}
    if mine != theirs[name]:
        differ = [k for k in set(mine) | set(theirs[name]) if mine.get(k) != theirs[name].get(k)]
        problems.append(f"{name}: {len(differ)} lines differ, e.g. {differ[:3]}")
projects = next(k for k in ours["lights"] if k["kind"] == "重点项目")
if [projects["red"], projects["yellow"], projects["green"]] != theirs["lights"]:
    problems.append(f"project lights: taizhang {projects}, DuckDB {theirs['lights']}")
listed = {r["code"] for r in ours["reds"] if r["kind"] == "重点项目"}
if not listed <= theirs["reds"]:
    problems.append(f"reds listed that DuckDB does not light red: {sorted(listed - theirs['reds'])[:5]}")

print(f"city {top}, {period}: {ours['projects']['projects']} projects with a plan, "
      f"{projects['red']} red, {projects['yellow']} yellow, {projects['green']} green")
duck_median = summary("DuckDB, from the raw rows (in memory)", duck_ms)
warm = summary("taizhang GET /api/v1/dashboard, warm", warm_ms)
fresh = summary("taizhang GET /api/v1/dashboard, after a 督办 order", fresh_ms)
after_project = summary("taizhang GET /api/v1/dashboard, after a project", project_ms)
summary("taizhang GET / (the page), warm", page_ms)
print(f"taizhang / DuckDB: warm {warm / duck_median:.2f}×, after a 督办 order {fresh / duck_median:.2f}×, "
      f"after a project's write {after_project / duck_median:.2f}×")
if problems:
    print("FIGURES DIFFER:\n  " + "\n  ".join(problems))
    sys.exit(1)
print("figures equal: cards, monthly line, by category, by unit, project lights, red list")
