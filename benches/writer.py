#!/usr/bin/env python3
"""The newsroom's writes during the mix: a bounded, paced writer.

    python3 benches/writer.py API RATE SECONDS WRITER_JSON

API is the server's base URL (http://127.0.0.1:PORT, loopback only).
Signs in as the admin named by NEWSDESK_ADMIN_EMAIL and
NEWSDESK_ADMIN_PASSWORD, prints SIGNED_IN, then does RATE writes per
second for SECONDS seconds, in rotation:

1. an edit of a recent story (PATCH /api/v1/articles/{id}: a new subtitle,
   or a new summary, in turn),
2. a new published story tagged with two topics and three entities
   (POST /api/v1/articles),
3. a reader's comment on a much-read story, as anonymous
   (POST /api/v1/articles/{slug}/comments),
4. the editor's approval of that comment (PATCH /api/v1/comments/{id}).

Write k is due at k / RATE seconds from the start, whatever the others do
(the writes are sent from a small pool of threads, so a slow answer does not
push the schedule back, and writes are never sent back to back to catch up).
A write is "late" when it was not answered within its slot (1 / RATE
seconds from when it was due). At the end it prints one line,

    WRITES asked acknowledged late p50_ms p99_ms

(acknowledged: answered 2xx) and stops by itself: nothing is sent after
SECONDS, and a write still unanswered 10 s later is counted as failed.
"""

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

TIMEOUT = 10
IN_FLIGHT = 8


def call(method, url, body=None, token=None):
    """The status of one request (0 when it did not get an answer) and its JSON."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, None
    except (OSError, ValueError):
        return 0, None


class Writer:
    def __init__(self, api, token, plan):
        self.api = api
        self.token = token
        self.topics = plan["topics"]
        self.entities = plan["entities"]
        self.recent = list(plan["recent_ids"])
        self.comment_slugs = plan["comment_slugs"]
        self.words = plan["words"]
        self.lock = threading.Lock()
        # Write k's comment, by k, once posted (None when it failed).
        self.comments = {}
        self.posted = {}

    def text(self, k, words):
        chosen = [self.words[(k * 7 + i * 13) % len(self.words)] for i in range(words)]
        return " ".join(chosen).capitalize() + "."

    def edit(self, k):
        with self.lock:
            article_id = self.recent[k % len(self.recent)]
        field = "subtitle" if k % 2 == 0 else "summary"
        status, _ = call(
            "PATCH",
            f"{self.api}/api/v1/articles/{article_id}",
            {field: f"{self.text(k, 10)} (update {k})"},
            self.token,
        )
        return status

    def publish(self, k):
        paragraphs = "\n\n".join(self.text(k + p, 40) for p in range(12))
        body = {
            "title": f"{self.text(k, 6)[:-1]} bench {k} {time.time_ns()}",
            "summary": self.text(k + 1, 25),
            "body": f"## {self.text(k + 2, 4)}\n\n{paragraphs}\n",
            "status": "published",
            "source": "AFP",
            "topics": [self.topics[(k * 3) % len(self.topics)], self.topics[(k * 7 + 1) % len(self.topics)]],
            "entities": [self.entities[(k * 5 + i * 11) % len(self.entities)] for i in range(3)],
        }
        status, article = call("POST", f"{self.api}/api/v1/articles", body, self.token)
        if status // 100 == 2 and article:
            with self.lock:
                # The newest story is the next one edited.
                self.recent.insert(0, article["id"])
        return status

    def comment(self, k):
        with self.lock:
            posted = self.posted.setdefault(k, threading.Event())
        slug = self.comment_slugs[k % len(self.comment_slugs)]
        status, comment = call(
            "POST",
            f"{self.api}/api/v1/articles/{slug}/comments",
            {
                "author_name": f"Writer reader {k}",
                "author_email": f"reader{k % 100}@example.org",
                "body": self.text(k, 20),
            },
        )
        with self.lock:
            self.comments[k] = comment["id"] if status // 100 == 2 and comment else None
        posted.set()
        return status

    def approve(self, k):
        """Approves the comment of the write before (k - 1), once it is posted."""
        with self.lock:
            posted = self.posted.setdefault(k - 1, threading.Event())
        posted.wait(TIMEOUT)
        with self.lock:
            comment_id = self.comments.pop(k - 1, None)
            self.posted.pop(k - 1, None)
        if comment_id is None:
            return 0
        status, _ = call(
            "PATCH",
            f"{self.api}/api/v1/comments/{comment_id}",
            {"status": "approved"},
            self.token,
        )
        return status


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: writer.py API RATE SECONDS WRITER_JSON")
    api, rate, seconds, plan_file = sys.argv[1].rstrip("/"), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    if urlsplit(api).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("writer.py only writes to a server on loopback")
    with open(plan_file, encoding="utf-8") as file:
        plan = json.load(file)
    status, answer = call(
        "POST",
        f"{api}/api/v1/auth/token",
        {"email": os.environ["NEWSDESK_ADMIN_EMAIL"], "password": os.environ["NEWSDESK_ADMIN_PASSWORD"]},
    )
    if status != 200 or not answer:
        sys.exit(f"writer.py: sign-in answered {status}")
    writer = Writer(api, answer["access_token"], plan)
    # run.sh starts the readers once this line is out.
    print("SIGNED_IN", flush=True)
    rotation = [writer.edit, writer.publish, writer.comment, writer.approve]

    slot = 1.0 / rate
    asked = int(seconds * rate)
    results = []  # (status, due, answered), in the order they finish
    results_lock = threading.Lock()

    def write(k, due):
        status = rotation[k % len(rotation)](k)
        with results_lock:
            results.append((status, due, time.monotonic()))

    start = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=IN_FLIGHT)
    for k in range(asked):
        due = start + k * slot
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        pool.submit(write, k, due)
    pool.shutdown(wait=False)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with results_lock:
            if len(results) == asked:
                break
        time.sleep(0.05)

    with results_lock:
        finished = list(results)
    acknowledged = sum(1 for status, _, _ in finished if status // 100 == 2)
    late = sum(1 for _, due, answered in finished if answered - due > slot) + (asked - len(finished))
    durations = sorted((answered - due) * 1000 for _, due, answered in finished)

    def percentile(p):
        return durations[min(len(durations) - 1, int(len(durations) * p))] if durations else 0.0

    print(f"WRITES {asked} {acknowledged} {late} {percentile(0.5):.1f} {percentile(0.99):.1f}")
    sys.stdout.flush()
    # Threads still waiting for an answer must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    main()
