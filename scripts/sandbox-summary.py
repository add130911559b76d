"""Prints what a running dinero-sandbox saw (GET /_sandbox/stats), for `make demo`."""
import json
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1].rstrip("/") + "/_sandbox/stats") as answer:
    stats = json.load(answer)
print(
    f"token requests: {stats['token_requests']}   API requests: {stats['api_requests']}"
    f"   TCP connections: {stats['connections']}"
)
print("answers by status:", ", ".join(f"{k}: {v}" for k, v in sorted(stats["responses"].items())))
for route, count in sorted(stats["routes"].items()):
    print(f"  {count:4d}  {route}")
