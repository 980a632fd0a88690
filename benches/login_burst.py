#!/usr/bin/env python3
"""Login burst: N logins per second through the real login form, open loop, while
/healthz is probed at a fixed rate. Prints latency percentiles for both.

Latency is measured from each request's scheduled start, so a slow server cannot hide
behind a slower client (no coordinated omission). Standard library only.

usage: login_burst.py BASE_URL [--rate 50] [--seconds 20] [--probe-rate 20]
"""
import argparse
import http.client
import queue
import re
import statistics
import threading
import time
import tomllib
import urllib.parse
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seed" / "users.toml"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def connect(base):
    u = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)


def login_once(conn, email, password):
    """GET /login for the pre-session cookie and token, then POST the form."""
    conn.request("GET", "/login")
    r = conn.getresponse()
    body = r.read().decode()
    cookies = [c.split(";")[0] for k, c in r.getheaders() if k.lower() == "set-cookie"]
    token = TOKEN.search(body).group(1)
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(cookies),
    })
    r = conn.getresponse()
    r.read()
    return r.status


def percentiles(samples):
    if not samples:
        return "no samples"
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    return (f"n={len(s)} p50={pick(0.50):.1f}ms p95={pick(0.95):.1f}ms "
            f"p99={pick(0.99):.1f}ms max={s[-1]:.1f}ms mean={statistics.fmean(s):.1f}ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--probe-rate", type=float, default=20)
    ap.add_argument("--workers", type=int, default=64)
    args = ap.parse_args()

    users = tomllib.loads(SEED.read_text())["user"]
    total = int(args.rate * args.seconds)
    start = time.perf_counter() + 0.5
    jobs = queue.Queue()
    for i in range(total):
        u = users[i % len(users)]
        jobs.put((start + i / args.rate, u["email"], u["password"]))

    login_ms, failures, lock = [], [], threading.Lock()

    def worker():
        conn = connect(args.base)
        while True:
            try:
                due, email, password = jobs.get_nowait()
            except queue.Empty:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                status = login_once(conn, email, password)
            except Exception as e:  # a dropped connection counts as a failure
                status = repr(e)
                conn = connect(args.base)
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                login_ms.append(elapsed)
                if status != 303:
                    failures.append(status)

    probe_ms = []
    stop = threading.Event()

    def prober():
        conn = connect(args.base)
        n = 0
        while not stop.is_set():
            due = start + n / args.probe_rate
            n += 1
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except Exception:
                ok = False
                conn = connect(args.base)
            probe_ms.append((time.perf_counter() - due) * 1000)
            if not ok:
                failures.append("healthz")

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    probe = threading.Thread(target=prober)
    for t in threads:
        t.start()
    probe.start()
    for t in threads:
        t.join()
    stop.set()
    probe.join()
    wall = time.perf_counter() - start
    print(f"logins at {args.rate:.0f}/s for {args.seconds:.0f}s ({total} logins, {wall:.1f}s wall)")
    print(f"  login POST  {percentiles(login_ms)}")
    print(f"  /healthz    {percentiles(probe_ms)}  (probed at {args.probe_rate:.0f}/s during the burst)")
    print(f"  failures    {len(failures)}" + (f" e.g. {failures[:3]}" if failures else ""))


if __name__ == "__main__":
    main()
