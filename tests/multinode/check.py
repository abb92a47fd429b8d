"""Two newsdesk nodes on one PostgreSQL database, behind nginx.

Run by run.sh, which starts the nodes and nginx and passes their addresses:
    check.py FRONT NODE_A NODE_B NODE_A_PID
Checks, and exits non-zero on the first failure:
1. a write through one node is read through the other at once, a cached
   list on the other node included;
2. an If-Match race across the nodes has one winner (200) and one 412;
3. SIGKILL of node A under load (a writer and readers through nginx)
   loses no acknowledged write, and nginx keeps serving through node B.
"""

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

FRONT, NODE_A, NODE_B, PID_A = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
EMAIL, PASSWORD = "admin@multinode.example", "a password for the multinode check"


def call(base, method, path, body=None, token=None, headers=None, timeout=10):
    """(status, headers, parsed body or None)"""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return error.code, dict(error.headers), parsed


def expect(condition, message):
    if not condition:
        print("FAIL:", message, flush=True)
        sys.exit(1)
    print("ok:", message, flush=True)


status, _, signed = call(FRONT, "POST", "/api/v1/auth/token", {"email": EMAIL, "password": PASSWORD})
expect(status == 200, f"the admin signs in through nginx ({status})")
token = signed["access_token"]

# 1. Written through A, read through B at once, B's cached list included.
for _ in range(2):  # twice: the second answer comes from B's cache
    status, _, before = call(NODE_B, "GET", "/api/v1/articles?per_page=5")
expect(status == 200, "node B lists the articles")
status, _, topic = call(NODE_A, "POST", "/api/v1/topics", {"name": "Written on A"}, token)
expect(status == 201, f"node A creates a topic ({status})")
status, _, seen = call(NODE_B, "GET", "/api/v1/topics/" + topic["slug"])
expect(status == 200 and seen["name"] == "Written on A", "node B reads the topic at once")
status, _, article = call(
    NODE_A,
    "POST",
    "/api/v1/articles",
    {"title": "Published on A", "body": "Words.", "status": "published", "topics": [topic["slug"]]},
    token,
)
expect(status == 201, f"node A publishes an article ({status})")
status, _, after = call(NODE_B, "GET", "/api/v1/articles?per_page=5")
expect(
    after["meta"]["total"] == before["meta"]["total"] + 1 and after["data"][0]["id"] == article["id"],
    "node B's cached list shows the new article at once",
)

# 2. The same If-Match sent to both nodes at once: one winner.
status, headers, _ = call(NODE_A, "GET", f"/api/v1/articles/{article['id']}", token=token)
etag = headers.get("ETag") or headers.get("etag")
expect(status == 200 and etag, "the article has an ETag")
results = {}


def race(name, base):
    results[name] = call(
        base, "PATCH", f"/api/v1/articles/{article['id']}", {"title": "Edited on " + name}, token, {"If-Match": etag}
    )[0]


threads = [threading.Thread(target=race, args=(n, b)) for n, b in (("A", NODE_A), ("B", NODE_B))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
expect(sorted(results.values()) == [200, 412], f"an If-Match race across nodes has one winner: {results}")

# 3. SIGKILL of node A under load through nginx.
acknowledged, lost_calls, read_failures, reads = [], [], [], [0]
stop = threading.Event()
killed_at = [None]


def writer():
    n = 0
    while not stop.is_set():
        n += 1
        try:
            status, _, body = call(
                FRONT, "POST", "/api/v1/topics", {"name": f"Under load {n}"}, token, timeout=5
            )
        except Exception as error:  # a connection cut by the kill: not acknowledged
            lost_calls.append(str(error))
            continue
        if status == 201:
            acknowledged.append(body["slug"])
        time.sleep(0.02)


def reader():
    while not stop.is_set():
        try:
            status, _, _ = call(FRONT, "GET", "/api/v1/articles?per_page=5", timeout=5)
        except Exception as error:
            status = str(error)
        reads[0] += 1
        if status != 200 and killed_at[0] is not None and time.time() > killed_at[0] + 1:
            read_failures.append(status)


workers = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(4)]
for worker in workers:
    worker.start()
time.sleep(3)
os.kill(PID_A, signal.SIGKILL)
killed_at[0] = time.time()
writes_at_kill = len(acknowledged)
time.sleep(4)
stop.set()
for worker in workers:
    worker.join()
print(
    f"{len(acknowledged)} writes acknowledged ({writes_at_kill} before the kill), "
    f"{len(lost_calls)} cut, {reads[0]} reads",
    flush=True,
)
expect(len(acknowledged) > writes_at_kill, "writes went on being acknowledged after node A died")
expect(not read_failures, f"nginx kept serving reads through node B: {read_failures[:5]}")
missing = []
for slug in acknowledged:
    status, _, _ = call(NODE_B, "GET", "/api/v1/topics/" + slug)
    if status != 200:
        missing.append((slug, status))
expect(not missing, f"every acknowledged write is there: {len(acknowledged)} checked, missing {missing[:5]}")
