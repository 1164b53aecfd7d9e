"""Dashboard latency at one scale (bench/province.sh runs it): the leader's dashboard of the
whole city or province and a district leader's, each read after a committed write (so it is
computed afresh) and again (kept), RUNS times. Prints medians and p99s in milliseconds.

Usage: province_dashboard.py BASE_URL ADMIN_COOKIE ADMIN_CSRF TOP_COOKIE DISTRICT_COOKIE RUNS
"""
import json
import sys

from benchhttp import percentiles, requester, timed

base, admin_cookie, csrf, top_cookie, district_cookie, runs = sys.argv[1:7]
runs = int(runs)
request = requester(base, csrf)


def line(name, ms):
    median, p99 = percentiles(ms)
    return f"{name} median {median:.1f} ms, p99 {p99:.1f} ms"


# The district the district account sees: the orders below are issued to it.
district = json.loads(request("GET", "/api/v1/dashboard?period=2017-12", district_cookie))["unit_code"]
results = {k: [] for k in ("top fresh", "top kept", "district fresh", "district kept")}
for i in range(runs):
    for who, cookie in (("top", top_cookie), ("district", district_cookie)):
        # A 督办 order to the district: a committed write both dashboards show (among the
        # orders' lights), so the next read of each recomputes.
        order = {"unit": district, "title": f"基准测试督办{who}{i}", "deadline": "2099-12-31"}
        request("POST", "/api/v1/orders", admin_cookie, json.dumps(order).encode())
        results[f"{who} fresh"].append(timed(lambda: request("GET", "/api/v1/dashboard?period=2017-12", cookie))[0])
        results[f"{who} kept"].append(timed(lambda: request("GET", "/api/v1/dashboard?period=2017-12", cookie))[0])
print("; ".join(line(k, v) for k, v in results.items()))
