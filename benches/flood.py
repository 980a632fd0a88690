#!/usr/bin/env python3
"""Logins during a registration flood (issue "Trust", item 3).

Two phases in one run against one server: first logins alone at --login-rate per second
(the baseline), then the same logins while registrations arrive open loop at --rate per
second, each for a new address (the costly case: every one reaches the password hash)
and each abandoned by its client after --give-up seconds, as an attacker would. Prints
login latency percentiles for both phases, their ratio, and what the registrations got
(201 accepted, 503 hash queue full, 429 rate-limited, abandoned).

Latency is measured from each request's scheduled start (no coordinated omission).
Standard library only; the login helpers come from login_burst.py.

usage: flood.py BASE_URL [--rate 100] [--seconds 20] [--login-rate 5] [--give-up 0.2]
"""
import argparse
import collections
import http.client
import json
import queue
import threading
import time
import tomllib
import urllib.parse

from login_burst import SEED, connect, login_once, percentiles


def open_loop(jobs, workers, act):
    """Runs act(conn, job) for each (due, job) in the list at its due time."""
    q = queue.Queue()
    for j in jobs:
        q.put(j)

    def worker():
        conn = None
        while True:
            try:
                due, job = q.get_nowait()
            except queue.Empty:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            conn = act(conn, due, job)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    return threads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--login-rate", type=float, default=5)
    ap.add_argument("--give-up", type=float, default=0.2)
    args = ap.parse_args()
    users = tomllib.loads(SEED.read_text())["user"]
    lock = threading.Lock()

    def logins(start, sink, failures):
        n = int(args.login_rate * args.seconds)
        jobs = [(start + i / args.login_rate, users[i % len(users)]) for i in range(n)]

        def act(conn, due, u):
            conn = conn or connect(args.base)
            try:
                status = login_once(conn, u["email"], u["password"])
            except Exception as e:
                status, conn = repr(e), None
            with lock:
                sink.append((time.perf_counter() - due) * 1000)
                if status != 303:
                    failures.append(status)
            return conn

        return open_loop(jobs, 8, act)

    # Phase 1: logins alone.
    base_ms, base_fail = [], []
    for t in logins(time.perf_counter() + 0.5, base_ms, base_fail):
        t.join()

    # Phase 2: the same logins during the flood.
    flood_ms, flood_fail = [], []
    outcomes = collections.Counter()
    start = time.perf_counter() + 0.5
    stamp = int(time.time())
    n = int(args.rate * args.seconds)
    regs = [(start + i / args.rate, i) for i in range(n)]

    def register(_conn, _due, i):
        u = urllib.parse.urlparse(args.base)
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=args.give_up)
        body = json.dumps({"email": f"flut-{stamp}-{i}@example.org",
                           "password": "ein langes Passwort 123", "display_name": "Flut"})
        try:
            conn.request("POST", "/api/v1/auth/register", body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            outcome = str(r.status)
        except Exception:
            outcome = "abandoned"
        finally:
            conn.close()
        with lock:
            outcomes[outcome] += 1
        return None

    flood = open_loop(regs, 64, register)
    for t in logins(start, flood_ms, flood_fail) + flood:
        t.join()

    p99 = lambda s: sorted(s)[min(len(s) - 1, int(0.99 * len(s)))]
    print(f"registrations at {args.rate:.0f}/s for {args.seconds:.0f}s, each abandoned after "
          f"{args.give_up}s; logins at {args.login_rate:.0f}/s")
    print(f"  logins alone         {percentiles(base_ms)}  failures {len(base_fail)}")
    print(f"  logins in the flood  {percentiles(flood_ms)}  failures {len(flood_fail)}")
    print(f"  p99 ratio flood/alone {p99(flood_ms) / p99(base_ms):.2f}")
    print(f"  registrations        {dict(sorted(outcomes.items()))}")


if __name__ == "__main__":
    main()
