"""What the Python benches share: requests to the server with a session, timings, percentiles."""
import statistics
import time
import urllib.request


def requester(base, csrf):
    """request(method, path, cookie, body=None) -> the answer's bytes; writes carry the token."""

    def request(method, path, cookie, body=None):
        req = urllib.request.Request(base + path, method=method, data=body)
        req.add_header("cookie", cookie)
        if body is not None:
            req.add_header("x-csrf-token", csrf)
            req.add_header("content-type", "application/json")
        with urllib.request.urlopen(req) as r:
            return r.read()

    return request


def timed(f):
    """(milliseconds, what f returned)."""
    start = time.perf_counter()
    value = f()
    return (time.perf_counter() - start) * 1000, value


def percentiles(ms):
    """(median, p99) of a list of milliseconds."""
    ms = sorted(ms)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]
