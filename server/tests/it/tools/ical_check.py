"""Reads an iCalendar feed on stdin with the `icalendar` package (an
independent parser, from PyPI) and prints what it understood as JSON, for
`it/calendar.rs`. Fails (exit 1) on any content line the parser could not
read, on lines longer than 75 octets or not ended by CRLF (RFC 5545 §3.1)."""
import datetime
import json
import sys

import icalendar

raw = sys.stdin.buffer.read()
problems = []
if raw and not raw.endswith(b"\r\n"):
    problems.append("the feed does not end with CRLF")
for number, line in enumerate(raw.split(b"\r\n")[:-1], 1):
    if b"\n" in line or b"\r" in line:
        problems.append(f"line {number}: a bare CR or LF")
    if len(line) > 75:
        problems.append(f"line {number}: {len(line)} octets")
text = raw.decode("utf-8")

for name in ("VERSION", "PRODID", "CALSCALE"):
    count = sum(1 for line in text.split("\r\n") if line.startswith(name + ":"))
    if count != 1:
        problems.append(f"{name} appears {count} times")

calendar = icalendar.Calendar.from_ical(text)
for component in calendar.walk():
    for error in getattr(component, "errors", []):
        problems.append(f"{component.name}: {error}")


def when(value):
    value = value.dt
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    return {"date": value.isoformat()}


events = []
for event in calendar.walk("VEVENT"):
    alarms = []
    for alarm in event.walk("VALARM"):
        trigger = alarm.get("TRIGGER").dt
        alarms.append({
            "seconds_before": -int(trigger.total_seconds()),
            "action": str(alarm.get("ACTION")),
            "description": str(alarm.get("DESCRIPTION")),
        })
    events.append({
        "uid": str(event.get("UID")),
        "sequence": int(event.get("SEQUENCE", -1)),
        "start": when(event.get("DTSTART")),
        "end": when(event.get("DTEND")) if event.get("DTEND") else None,
        "summary": str(event.get("SUMMARY")),
        "description": str(event.get("DESCRIPTION")),
        "url": str(event.get("URL")),
        "dtstamp": when(event.get("DTSTAMP")),
        "alarms": alarms,
    })

zones = {}
for zone in calendar.walk("VTIMEZONE"):
    tz = zone.to_tz()
    offsets = {}
    year = datetime.date.today().year
    for day in (f"{year}-01-15", f"{year}-07-15", f"{year + 1}-01-15", f"{year + 1}-07-15"):
        at = datetime.datetime.fromisoformat(day + "T12:00:00")
        offsets[day[5:]] = offsets.get(day[5:], []) + [int(tz.utcoffset(at).total_seconds())]
    zones[str(zone.get("TZID"))] = offsets

print(json.dumps({
    "problems": problems,
    "name": str(calendar.get("X-WR-CALNAME", "")),
    "timezone": str(calendar.get("X-WR-TIMEZONE", "")),
    "version": str(calendar.get("VERSION", "")),
    "prodid": str(calendar.get("PRODID", "")),
    "zones": zones,
    "events": events,
}))
