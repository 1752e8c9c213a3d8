#!/usr/bin/env python3
"""End-to-end ingest throughput on a large mixed log set built from real Loghub lines.

    python3 benches/ingest_throughput.py [--mb 256] [--rounds 3] [--keep]

Builds (in bench-data/) six logs whose message bodies are real Loghub lines
(../shared/corpus/loghub, else fixtures/loghub) in six formats, timestamps
advancing: JSON lines, syslog without a year, Apache error log,
OpenStack/Python style, Zookeeper/log4j style and nginx access. Then runs
`factline ingest` on them (release build) and prints lines/s, MB/s and the
peak RSS of the run. Where lnav is installed, it indexes the same files in the
same run and the ratio is printed. Ingest and lnav take turns, --rounds times
(a virtual machine's speed drifts from minute to minute), and the medians are
compared. Last, it times `factline timeline` over the resulting database and
`factline events` over one minute of it.
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
    args = ap.parse_args()
    data = ROOT / "bench-data"
    shutil.rmtree(data, ignore_errors=True)
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
        print(f"factline ingest: {secs:.2f} s, {lines / secs:,.0f} lines/s, {size / 2**20 / secs:.1f} MB/s, peak RSS {rss:.0f} MiB")
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
