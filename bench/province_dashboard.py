"""Dashboard latency at one scale (bench/province.sh runs it): the leader's dashboard of the
whole city or province and a district leader's, each read after a committed write (so it is
computed afresh) and again (kept), RUNS times. Prints medians and p99s in milliseconds.

Usage: province_dashboard.py BASE_URL ADMIN_COOKIE ADMIN_CSRF TOP_COOKIE DISTRICT_COOKIE RUNS
"""
import sys

from benchhttp import percentiles, requester, timed

base, admin_cookie, csrf, top_cookie, district_cookie, runs = sys.argv[1:7]
runs = int(runs)
request = requester(base, csrf)


def line(name, ms):
    median, p99 = percentiles(ms)
    return f"{name} median {median:.1f} ms, p99 {p99:.1f} ms"


results = {k: [] for k in ("top fresh", "top kept", "district fresh", "district kept")}
for i in range(runs):
    for who, cookie in (("top", top_cookie), ("district", district_cookie)):
        # An account disabled or enabled again: a committed write, so the next read recomputes.
        request("POST", "/api/v1/users/bench-probe/" + ("disable" if i % 2 == 0 else "enable"), admin_cookie, b"{}")
        results[f"{who} fresh"].append(timed(lambda: request("GET", "/api/v1/dashboard?period=2017-12", cookie))[0])
        results[f"{who} kept"].append(timed(lambda: request("GET", "/api/v1/dashboard?period=2017-12", cookie))[0])
print("; ".join(line(k, v) for k, v in results.items()))
