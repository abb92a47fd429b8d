#!/usr/bin/env python3
"""A webhook receiver for benches/webhooks.sh: answers every POST 204 and
appends one line per delivery to LOG,

    <webhook-id> <type> <latency_ms>

where the latency runs from the event's `created_at` (stamped by the
server in the transaction of the write) to the moment the body has
arrived here: commit, claim, signing and the request itself. Both clocks
are this machine's.

    python3 benches/receiver.py PORT LOG
"""

import json
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        arrived = time.time()
        event = json.loads(body)
        created = datetime.fromisoformat(event["created_at"].replace("Z", "+00:00")).timestamp()
        with LOCK, open(sys.argv[2], "a", encoding="utf-8") as log:
            log.write(f"{self.headers['webhook-id']} {event['type']} {(arrived - created) * 1000:.1f}\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
