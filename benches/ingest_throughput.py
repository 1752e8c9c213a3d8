#!/usr/bin/env python3
"""End-to-end ingest throughput on a large mixed log set built from real Loghub lines.

    python3 benches/ingest_throughput.py [--mb 256] [--rounds 3] [--keep]

Builds (in bench-data/) six logs whose message bodies are real Loghub lines
(../shared/corpus/loghub, else fixtures/loghub) in six formats, timestamps
advancing: JSON lines, syslog without a year, Apache error log,
OpenStack/Python style, Zookeeper/log4j style and nginx access. Then runs
`factline ingest` on them (release build) and prints lines/s, MB/s (10^6
bytes a second) and the peak RSS of the run. Where lnav is installed, it indexes the same files in the
same run and the ratio is printed. Ingest and lnav take turns, --rounds times
(a virtual machine's speed drifts from minute to minute), and the medians are
compared. Last, it times `factline timeline` over the resulting database and
`factline events` over one minute of it.

    python3 benches/ingest_throughput.py --platforms [--mb 256]

instead builds one Elasticsearch `_search` export (ECS documents, one hit
per line inside `hits.hits`) and one Loki `query_range` export (50 streams
of logfmt lines with their labels) of --mb MiB each, and ingests each on
its own, --rounds times, export after export: MB/s and peak RSS of each
run, then the median run of each. Both are streamed in pieces; the target
is 1 GiB at >= 100 MB/s in <= 500 MiB.
"""
import argparse
import datetime as dt
import json
import os
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def loghub_dir():
    shared = ROOT.parent / "shared" / "corpus" / "loghub"
    return shared if shared.is_dir() else ROOT / "fixtures" / "loghub"


def bodies():
    """Message bodies: the text after the header of every real Loghub line we have."""
    out = []
    for log in sorted(loghub_dir().glob("*/*_2k.log")):
        for line in log.read_text(errors="replace").splitlines():
            body = line.split(": ", 1)[-1].strip()
            if body:
                out.append(body)
    if not out:
        sys.exit("no Loghub logs found in ../shared/corpus/loghub or fixtures/loghub")
    return out


LEVELS = ["INFO"] * 12 + ["WARN"] * 3 + ["ERROR", "DEBUG"]


def writers(t, body, rnd):
    lvl = rnd.choice(LEVELS)
    iso_ms = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return {
        "app.jsonl": json.dumps({"ts": iso_ms, "level": lvl.lower(), "service": "api", "msg": body}),
        "syslog.log": f"{t.strftime('%b')} {t.day:2d} {t.strftime('%H:%M:%S')} host-{rnd.randint(1, 9)} sshd[{rnd.randint(100, 9999)}]: {body}",
        "apache_error.log": f"[{t.strftime('%a %b %d %H:%M:%S %Y')}] [{lvl.lower().replace('warn', 'warn')}] {body}",
        "openstack.log": f"{t.strftime('%Y-%m-%d %H:%M:%S')}.{t.microsecond // 1000:03d} {rnd.randint(1000, 30000)} {lvl} nova.compute.manager [req-{rnd.randrange(16**8):08x}] {body}",
        "zookeeper.log": f"{t.strftime('%Y-%m-%d %H:%M:%S')},{t.microsecond // 1000:03d} - {lvl:<5} [QuorumPeer:Worker@{rnd.randint(1, 900)}] - {body}",
        "access.log": f'10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "GET /api/v1/items/{rnd.randint(1, 99999)} HTTP/1.1" {rnd.choice([200] * 20 + [404, 500, 502])} {rnd.randint(100, 9000)} "-" "bench/1.0"',
    }


def generate(out_dir, total_bytes):
    rnd = random.Random(42)
    pool = bodies()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {name: open(out_dir / name, "w") for name in writers(dt.datetime(2026, 1, 1), "x", rnd)}
    t = dt.datetime(2026, 3, 1, 0, 0, 0)
    written = lines = 0
    while written < total_bytes:
        t += dt.timedelta(microseconds=rnd.randint(1000, 30000))
        for name, line in writers(t, rnd.choice(pool), rnd).items():
            files[name].write(line + "\n")
            written += len(line) + 1
            lines += 1
    for f in files.values():
        f.close()
    return lines, written


def generate_platforms(out_dir, total_bytes):
    """An Elasticsearch export and a Loki export of about total_bytes each."""
    rnd = random.Random(7)
    pool = bodies()
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = dt.datetime(2026, 3, 1, 0, 0, 0)
    records = 0
    with open(out_dir / "es_export.json", "w") as es:
        es.write('{"took":912,"timed_out":false,"_shards":{"total":3,"successful":3,"skipped":0,"failed":0},\n'
                 '"hits":{"total":{"value":10000,"relation":"gte"},"max_score":null,"hits":[\n')
        written, t, n = 0, t0, 0
        while written < total_bytes:
            t += dt.timedelta(microseconds=rnd.randint(1000, 30000))
            lvl = rnd.choice(LEVELS)
            hit = {"_index": "logs-app-2026.03.01", "_id": f"{n:012x}", "_score": None,
                   "_source": {"@timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
                               "log": {"level": lvl.lower()}, "message": rnd.choice(pool),
                               "host": {"name": f"web-{rnd.randint(1, 9)}"}, "service": {"name": "api"}},
                   "sort": [int(t.replace(tzinfo=dt.timezone.utc).timestamp() * 1000), n]}
            line = ("," if n else "") + json.dumps(hit, separators=(",", ":")) + "\n"
            es.write(line)
            written += len(line)
            n += 1
        es.write("]}}\n")
        records += n
    with open(out_dir / "loki_export.json", "w") as loki:
        loki.write('{"status":"success","data":{"resultType":"streams","result":[')
        per_stream = max(1, total_bytes // 50)
        written, t = 0, t0
        for s_i in range(50):
            labels = {"app": "api", "host": f"web-{s_i % 9 + 1}", "pod": f"api-{s_i:02d}"}
            loki.write(("," if s_i else "") + '{"stream":' + json.dumps(labels, separators=(",", ":")) + ',"values":[\n')
            size, first = 0, True
            while size < per_stream:
                t += dt.timedelta(microseconds=rnd.randint(20, 600))
                ns = int(t.replace(tzinfo=dt.timezone.utc).timestamp()) * 10**9 + t.microsecond * 1000
                ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"
                body = rnd.choice(pool).replace('"', "'")
                text = f'ts={ts} level={rnd.choice(LEVELS).lower()} msg="{body}"'
                value = ("" if first else ",") + json.dumps([str(ns), text], separators=(",", ":")) + "\n"
                loki.write(value)
                size += len(value)
                first = False
                records += 1
            loki.write("]}")
            written += size
        loki.write('],"stats":{}}}\n')
    return records


def platforms(args, data):
    records = generate_platforms(data / "exports", args.mb << 20)
    print(f"generated {records:,} records in an Elasticsearch and a Loki export of {args.mb} MiB each")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    os.sync()
    factline = str(ROOT / "target/release/factline")
    for name in ["es_export.json", "loki_export.json"]:
        path = data / "exports" / name
        size = path.stat().st_size
        runs = []
        for _ in range(args.rounds):
            for leftover in data.glob("bench.db*"):
                leftover.unlink()
            secs, rss = timed([factline, "ingest", "--db", str(data / "bench.db"), "--tz", "UTC", str(path)])
            runs.append(secs)
            print(f"{name}: {size / 2**20:.0f} MiB in {secs:.2f} s, {size / 1e6 / secs:.1f} MB/s, peak RSS {rss:.0f} MiB")
        secs = statistics.median(runs)
        print(f"{name}: median of {args.rounds} runs {secs:.2f} s, {size / 1e6 / secs:.1f} MB/s")


def timed(cmd):
    """Wall time and peak RSS (MiB) of one command, measured on that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed: {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=256, help="size of the generated set in MiB")
    ap.add_argument("--rounds", type=int, default=3, help="paired runs of ingest and lnav")
    ap.add_argument("--keep", action="store_true", help="keep bench-data/ afterwards")
    ap.add_argument("--platforms", action="store_true", help="time an Elasticsearch and a Loki export instead")
    args = ap.parse_args()
    data = ROOT / "bench-data"
    shutil.rmtree(data, ignore_errors=True)
    if args.platforms:
        platforms(args, data)
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
        return
    lines, size = generate(data / "logs", args.mb << 20)
    print(f"generated {lines:,} lines, {size / 2**20:.0f} MiB in 6 formats")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    # The generated files are written back before timing, not during it.
    os.sync()
    db = data / "bench.db"
    lnav = shutil.which("lnav")
    ours, theirs = [], []
    for _ in range(args.rounds):
        for leftover in data.glob("bench.db*"):
            leftover.unlink()
        secs, rss = timed([str(ROOT / "target/release/factline"), "ingest", "--db", str(db), "--year", "2026", "--tz", "UTC", str(data / "logs")])
        ours.append(secs)
        print(f"factline ingest: {secs:.2f} s, {lines / secs:,.0f} lines/s, {size / 1e6 / secs:.1f} MB/s, peak RSS {rss:.0f} MiB")
        if lnav:
            # -I adds benches/lnav, whose format file teaches lnav the JSON-lines log.
            lsecs, lrss = timed([lnav, "-I", str(ROOT / "benches" / "lnav"), "-n", "-c", ";SELECT count(*) FROM all_logs", *map(str, sorted((data / "logs").iterdir()))])
            theirs.append(lsecs)
            print(f"lnav indexing:   {lsecs:.2f} s, peak RSS {lrss:.0f} MiB; ratio {secs / lsecs:.2f}")
    if theirs:
        mine, lnavs = statistics.median(ours), statistics.median(theirs)
        print(f"median of {args.rounds}: factline {mine:.2f} s, lnav {lnavs:.2f} s; factline/lnav time ratio {mine / lnavs:.2f}")
    else:
        print("lnav not installed (apt-get install lnav) — no comparison")
    factline = str(ROOT / "target/release/factline")
    tsecs, trss = timed([factline, "timeline", "--db", str(db)])
    print(f"factline timeline over {lines:,} events: {tsecs:.2f} s, peak RSS {trss:.0f} MiB")
    esecs, _ = timed([factline, "events", "--db", str(db), "--from", "2026-03-01T00:30:00Z", "--to", "2026-03-01T00:30:59Z"])
    print(f"factline events --from --to (one minute): {esecs:.2f} s")
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
