"""DuckDB on the same Parquet segments as Throughline's analytics copy, same SQL.

Called by `throughline bench --dashboard` with the workspace id and the segment files;
prints p50 / p99 in milliseconds over `--runs` repetitions, both reading the Parquet
files on every query (as Throughline does) and from a table loaded into DuckDB first.
Needs `pip install duckdb`.
"""
import argparse
import time

import duckdb

SQL = (
    "SELECT date_trunc('month', occurred_at) AS m, channel, "
    "100.0 * (sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) - sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)) / count(nps) AS nps, "
    "count(nps) AS n FROM signals WHERE nps IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
)


def percentile(values, q):
    values = sorted(values)
    rank = max(1, min(len(values), -(-int(q * len(values) * 1000) // 1000)))
    return values[rank - 1]


def timed(con, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        rows = con.execute(SQL).fetchall()
        out.append((time.perf_counter() - t) * 1000.0)
        assert rows, "no rows"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace", type=int, required=True)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    con = duckdb.connect()
    files = ", ".join("'" + f.replace("'", "''") + "'" for f in a.files)
    con.execute(
        f"CREATE VIEW signals AS SELECT * FROM read_parquet([{files}]) WHERE workspace_id = {a.workspace}"
    )
    parquet = timed(con, a.runs)
    con.execute("CREATE TABLE loaded AS SELECT * FROM signals")
    con.execute("DROP VIEW signals")
    con.execute("ALTER TABLE loaded RENAME TO signals")
    loaded = timed(con, a.runs)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    for name, v in [("NPS by month by channel (DuckDB, Parquet)", parquet), ("NPS by month by channel (DuckDB, loaded)", loaded)]:
        print(f"{name:<44} {percentile(v, 0.5):>10.1f} {percentile(v, 0.99):>10.1f} {a.runs:>6}")
    print(f"  (duckdb {duckdb.__version__}, {threads} threads)")


if __name__ == "__main__":
    main()
