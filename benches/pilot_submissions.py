#!/usr/bin/env python3
"""Pilot submissions under load: test users send completed runs of a pilot at a fixed
rate, open loop, through the real pages (CSRF token, cookie, honeypot), and a local
receiver counts the signed webhooks. Prints the send latency percentiles, the rate
reached, the errors and how long the webhooks took to arrive.

Each run is prepared first (start with consent, every page answered, as a test user
does over minutes); the measured request is the send from the review page, which writes
the submission with its reference number, queues the webhook and answers with the
receipt's address. Latency counts from each send's scheduled start, so a slow server
cannot hide behind a slower client. Standard library only.

usage: pilot_submissions.py BASE_URL SLUG [--rate 100] [--seconds 60] [--sink-port 0]
"""
import argparse
import http.client
import http.server
import queue
import re
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# The demo pilot `wohnsitz-anmelden`, answered page by page (the page of people moving
# in stays hidden: nobody moves in with them).
PAGES = [
    (0, [("name", "Lena Neumann"), ("geburtsdatum", "05.05.1995"), ("weitere", "0")]),
    (1, [("anschrift", "Rosenweg 12\n12345 Musterstadt"), ("einzug", "15.11.2026"),
         ("art", "haupt"), ("wohnungsgeber", "yes")]),
    (3, [("kanaele", "post"), ("kanaele", "postfach"), ("richtig", "yes")]),
]


class Client:
    """One test user: a connection and the cookie the CSRF token is bound to."""

    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
        self.cookies = {}

    def request(self, method, path, form=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return r.status, r.getheader("Location") or "", text


def prepare(base, slug):
    """A run with every page answered, waiting on its review page: (client, send path)."""
    c = Client(base)
    status, _, page = c.request("GET", f"/p/{slug}")
    token = TOKEN.search(page).group(1)
    status, run, _ = c.request("POST", f"/p/{slug}", [("consent", "yes"), ("website", ""), ("csrf_token", token)])
    if status != 303 or "/r/" not in run:
        raise SystemExit(f"starting a run answered {status} {run}")
    for index, fields in PAGES:
        form = fields + [("_page", str(index)), ("_action", "next"), ("csrf_token", token)]
        status, _, body = c.request("POST", run, form)
        if status != 303:
            raise SystemExit(f"page {index} answered {status}: {body[:300]}")
    # A test user reviews for a while: the send comes on a new connection.
    c.conn.close()
    return c, token, f"{run}/send"


def percentiles(samples):
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    return (f"n={len(s)} p50={pick(0.50):.1f}ms p90={pick(0.90):.1f}ms p99={pick(0.99):.1f}ms "
            f"max={s[-1]:.1f}ms mean={statistics.fmean(s):.1f}ms")


class Sink(http.server.BaseHTTPRequestHandler):
    """The team's receiver: answers 200 and notes when each delivery arrived."""
    arrived = []
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = self.headers.get("Innolab-Signature", "").startswith("t=")
        self.send_response(200 if ok else 400)
        self.end_headers()
        with Sink.lock:
            Sink.arrived.append(time.monotonic())

    def log_message(self, *_):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("slug")
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--sink-port", type=int, default=0, help="receive webhooks on this port")
    args = ap.parse_args()
    n = int(args.rate * args.seconds)

    if args.sink_port:
        sink = http.server.ThreadingHTTPServer(("127.0.0.1", args.sink_port), Sink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        runs = list(pool.map(lambda _: prepare(args.base, args.slug), range(n)))
    print(f"prepared {n} runs (start, 3 pages each) in {time.monotonic() - t0:.1f} s")

    jobs = queue.Queue()
    latencies, errors = [], []
    lock = threading.Lock()

    def worker():
        while True:
            job = jobs.get()
            if job is None:
                return
            due, (client, token, path) = job
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                status, location, _ = client.request("POST", path, [("website", ""), ("csrf_token", token)])
                ok = status == 303 and "/receipt/" in location
            except Exception as e:  # noqa: BLE001 - a failed send is counted, not fatal
                status, ok = repr(e), False
            elapsed = (time.monotonic() - due) * 1000
            with lock:
                (latencies if ok else errors).append(elapsed if ok else status)

    threads = [threading.Thread(target=worker) for _ in range(64)]
    for t in threads:
        t.start()
    start = time.monotonic() + 0.5
    for i, run in enumerate(runs):
        jobs.put((start + i / args.rate, run))
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join()
    took = time.monotonic() - start
    print(f"sent {len(latencies)} of {n} at {args.rate:.0f}/s for {args.seconds:.0f} s "
          f"(reached {len(latencies) / took:.1f}/s)")
    print(f"send latency: {percentiles(latencies) if latencies else 'no samples'}")
    if errors:
        print(f"errors: {len(errors)} (first: {errors[:5]})")

    if args.sink_port:
        deadline = time.monotonic() + 120
        while len(Sink.arrived) < len(latencies) and time.monotonic() < deadline:
            time.sleep(0.2)
        last = max(Sink.arrived) if Sink.arrived else start
        print(f"webhooks received: {len(Sink.arrived)} of {len(latencies)}; "
              f"the last {last - (start + (n - 1) / args.rate):.1f} s after the last send was due")


if __name__ == "__main__":
    main()
