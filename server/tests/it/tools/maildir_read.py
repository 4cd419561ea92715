"""Reads the maildir that aiosmtpd's Mailbox handler wrote (argument: its
directory) and prints every message as JSON, decoded by Python's own
e-mail package (an independent MIME reader): envelope and headers, the
plain-text and HTML parts. Messages in the order they arrived."""
import email
import email.policy
import json
import os
import sys

directory = os.path.join(sys.argv[1], "new")
names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
out = []
for name in names:
    path = os.path.join(directory, name)
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    out.append({
        "mtime": os.stat(path).st_mtime_ns,
        "rcpt": msg.get("X-RcptTo", ""),
        "to": str(msg.get("To", "")),
        "from": str(msg.get("From", "")),
        "subject": str(msg.get("Subject", "")),
        "content_type": msg.get_content_type(),
        "list_unsubscribe": str(msg.get("List-Unsubscribe", "")),
        "list_unsubscribe_post": str(msg.get("List-Unsubscribe-Post", "")),
        "auto_submitted": str(msg.get("Auto-Submitted", "")),
        "text": plain.get_content() if plain is not None else None,
        "html": html.get_content() if html is not None else None,
        "defects": [str(d) for d in msg.defects],
    })
out.sort(key=lambda m: m["mtime"])
json.dump(out, sys.stdout)
