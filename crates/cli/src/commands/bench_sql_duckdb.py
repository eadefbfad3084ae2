"""DuckDB's side of `throughline bench --sql` (run as `python3 -c`, needs `pip install duckdb`).

Loads the columns the queries read from the analytics copy's Parquet segments (one
workspace's rows) into a DuckDB table, then runs each query once to warm up and
`--runs` times timed. Prints one JSON line about the load, then one per query with
its times in milliseconds and its answer (timestamps as microseconds since the epoch,
so the two engines' answers compare as numbers).
"""
import argparse
import json
import time

import duckdb

COLUMNS = "kind, external_id, occurred_at, profile_id, channel, brand, action, nps, csat, aspects"


def answer(con, sql):
    rel = con.sql(sql)
    cells = []
    for name, kind in zip(rel.columns, rel.types):
        quoted = '"' + name.replace('"', '""') + '"'
        cells.append(f"epoch_us({quoted})" if str(kind).startswith("TIMESTAMP") else quoted)
    return con.execute(f"SELECT {', '.join(cells)} FROM ({sql}) AS q").fetchall(), rel.columns


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace", type=int, required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--queries", required=True, help="JSON list of [name, sql]")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    con.execute("SET TimeZone = 'UTC'")
    # Its progress bar (queries past 2 s on a busy machine) would land among the JSON lines.
    con.execute("SET enable_progress_bar = false")
    files = ", ".join("'" + f.replace("'", "''") + "'" for f in a.files)
    t = time.perf_counter()
    con.execute(
        f"CREATE TABLE signals AS SELECT {COLUMNS} FROM read_parquet([{files}]) "
        f"WHERE workspace_id = {a.workspace}"
    )
    rows = con.execute("SELECT count(*) FROM signals").fetchone()[0]
    print(json.dumps({
        "duckdb": duckdb.__version__,
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "rows": rows,
        "load_s": time.perf_counter() - t,
    }), flush=True)
    for name, sql in json.loads(a.queries):
        con.execute(sql).fetchall()
        ms = []
        for _ in range(a.runs):
            t = time.perf_counter()
            con.execute(sql).fetchall()
            ms.append((time.perf_counter() - t) * 1000.0)
        got, columns = answer(con, sql)
        print(json.dumps({"name": name, "ms": ms, "columns": columns, "rows": got}, default=float), flush=True)


if __name__ == "__main__":
    main()
