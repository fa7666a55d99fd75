#!/usr/bin/env python3
"""dav_times.py URL USER PASS: time one CardDAV server alone (stdlib only).

Prints "list getall nochange" in seconds: PROPFIND Depth 1 of getetag,
one addressbook-multiget of every card with address-data, and a
sync-collection with the token a first sync-collection gave (which must
list nothing). Used by bench/carddav.sh for kith and Radicale alike."""
import base64, sys, time, urllib.request
import xml.etree.ElementTree as E

url, user, pw = sys.argv[1:4]
auth = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()


def call(method, body, depth=None):
    req = urllib.request.Request(url, data=body.encode(), method=method)
    req.add_header("Authorization", auth)
    req.add_header("Content-Type", "application/xml; charset=utf-8")
    if depth is not None:
        req.add_header("Depth", depth)
    t = time.monotonic()
    with urllib.request.urlopen(req) as r:
        data = r.read()
    return time.monotonic() - t, E.fromstring(data)


D = 'xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"'
call("PROPFIND", f"<d:propfind {D}><d:prop><d:getetag/></d:prop></d:propfind>", "0")
t_list, x = call("PROPFIND", f"<d:propfind {D}><d:prop><d:getetag/></d:prop></d:propfind>", "1")
hrefs = [h.text for h in x.iter("{DAV:}href") if h.text.endswith(".vcf")]
body = "".join(f"<d:href>{h}</d:href>" for h in hrefs)
t_get, x = call("REPORT", f"<c:addressbook-multiget {D}><d:prop><d:getetag/><c:address-data/></d:prop>{body}</c:addressbook-multiget>")
got = sum(1 for _ in x.iter("{urn:ietf:params:xml:ns:carddav}address-data"))
if got != len(hrefs):
    sys.exit(f"dav_times.py: multiget gave {got} of {len(hrefs)} cards")
sync = "<d:sync-collection %s><d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
_, x = call("REPORT", sync % (D, ""))
tok = x.find("{DAV:}sync-token").text
t_sync, x = call("REPORT", sync % (D, tok))
if x.find("{DAV:}response") is not None:
    sys.exit("dav_times.py: a sync with nothing changed listed cards")
print(f"{t_list:.3f} {t_get:.3f} {t_sync:.3f}")
