#!/usr/bin/env python3
"""Plays the user's browser for a Visma Connect example, so the demo runs without one.

    play-browser.py [--post] PROGRAM [ARGS...]

Runs PROGRAM, waits for the authorize URL it prints (a line starting with DINERO_CONNECT_URL),
opens it as a browser would (the sandbox consents at once and answers a self-submitting form),
and types the form's fields, form-encoded, into the program's standard input: what a web
application receives at its redirect URI. With --post, submits the form to its action instead,
as the browser would: for a program that listens for the redirect itself. Exits with the
program's status.
"""

import html.parser
import os
import subprocess
import sys
import urllib.parse
import urllib.request


class Form(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields = []
        self.action = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.action = attributes.get("action") or ""
        if tag == "input" and "name" in attributes:
            self.fields.append((attributes["name"], attributes.get("value") or ""))


def main() -> int:
    connect_url = os.environ["DINERO_CONNECT_URL"]
    post = sys.argv[1] == "--post"
    command = sys.argv[2:] if post else sys.argv[1:]
    program = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for line in program.stdout:
        print(line, end="", flush=True)
        if line.startswith(connect_url):
            form = Form()
            with urllib.request.urlopen(line.strip(), timeout=10) as page:
                form.feed(page.read().decode("utf-8"))
            answer = urllib.parse.urlencode(form.fields)
            if post:
                urllib.request.urlopen(form.action, data=answer.encode(), timeout=10).close()
            else:
                program.stdin.write(answer + "\n")
            program.stdin.close()
    return program.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
