#!/usr/bin/env python3
# update_test.py VIGIE SRCDIR - "vigie update" end to end against an HTTPS
# server started here (python's ssl module, a self-signed certificate made
# here with the openssl command, trusted through [update] ca_file): a new
# feed installed; not modified (304 from If-None-Match, file untouched, no
# reload); a changed feed replacing the file, the old one kept as FILE.prev;
# wrong format, truncated (a cut CSV line, a body shorter than its
# Content-Length), no entries, too big, HTTP 404, server down (connection refused) and
# timeout (a listener that never answers) each rejected with the current
# file kept and exit 2; one failing feed does not stop the others; and
# SIGHUP sent to the process a pidfile names, only when something changed;
# the public feeds' layouts (URLhaus text with its '#' comments, OpenPhish,
# PhishTank CSV) from the paths etc/vigie.conf shows, then matched by vigie
# scan; a missing feeds folder. Never the network. Prints TAP.
import hashlib, http.server, os, shutil, socket, ssl, subprocess, sys, tempfile, threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, ok  # noqa: E402

VIGIE, SRC = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="vigie-update.")


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)


CERT, KEY = f"{T}/server.crt", f"{T}/server.key"
r = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", KEY, "-out", CERT, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
if r.returncode != 0:
    print("# openssl failed: " + r.stderr.replace("\n", "\n# "))
    print("Bail out! cannot make a test certificate")
    sys.exit(1)

URLHAUS_LINE = ('"{n}","2026-01-01 00:00:00","http://bad{n}.example/payload.exe","online",'
                '"2026-01-02 00:00:00","malware_download","exe","https://urlhaus.abuse.ch/url/{n}/",'
                '"tester"\n')
GOOD_CSV = "# URLhaus test dump\n" + "".join(URLHAUS_LINE.format(n=i) for i in range(1, 4))

# The public feeds' own layouts (etc/vigie.conf, [update] feeds), written
# here: URLhaus's text dump (a "#" comment block, then one URL a line:
# IP hosts, ports, IPv6) and OpenPhish's feed.txt (one URL a line, queries,
# escapes, fragments, punycode), each with CRLF on some lines.
URLHAUS_TEXT = (
    "################################################################\n"
    "# abuse.ch URLhaus Database Dump (TEXT)                        #\n"
    "# Last updated: 2026-12-01 10:00:00 (UTC)                      #\n"
    "#                                                              #\n"
    "# Terms Of Use: see the provider's site                        #\n"
    "################################################################\n"
    "#\n"
    "http://198.51.100.23:40123/i\n"
    "http://203.0.113.5/bins/sora.arm7\r\n"
    "https://files.bad-host.example/payload/Invoice_2026.zip\n"
    "http://[2001:db8::5]/m.sh\n").encode()
OPENPHISH = (
    "https://secure-update.phish-bank.example/login/index.php\n"
    "https://pages.phish.example/verify?user=a%40b.example&step=2\r\n"
    "http://192.0.2.44/~user/paypal/\n"
    "https://xn--pypal-4ve.example/signin\n"
    "https://phish.example/a.html#top\n").encode()
PHISHTANK_CSV = (
    "phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n"
    "9000001,https://bank-check.phish.example/log.php,https://www.phishtank.com/phish_detail.php?"
    "phish_id=9000001,2026-12-01T08:00:00+00:00,yes,2026-12-01T09:00:00+00:00,yes,Other\n").encode()

# path -> body served with 200 (bytes); changed by the test between runs
BODIES = {
    "/downloads/text_online/": URLHAUS_TEXT,
    "/feed.txt": OPENPHISH,
    "/data/KEY/online-valid.csv": PHISHTANK_CSV,
    "/a.urls": b"https://phish-one.example/login\n",
    "/b.csv": GOOD_CSV.encode(),
    "/empty": b"# an empty dump\n",
    "/bad": b"this is not a feed\n<html>oops</html>\n",
    "/trunc.csv": GOOD_CSV.encode()[:-40],
    "/big": b"".join(b"https://big%d.example/x\n" % i for i in range(400)),
}
SEEN = []  # (path, If-None-Match, If-Modified-Since)
LAST_MODIFIED = "Tue, 01 Dec 2026 10:00:00 GMT"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        SEEN.append((self.path, self.headers.get("If-None-Match"),
                     self.headers.get("If-Modified-Since")))
        if self.path == "/short":  # says 1000 bytes, sends 20, closes
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"https://a.example/x\n")
            self.wfile.flush()
            self.close_connection = True
            return
        body = BODIES.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


PORT, DOWN, SILENT = free_ports(3)
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
threading.Thread(target=httpd.serve_forever, daemon=True).start()

# accepts connections (the kernel does, from the backlog) and never answers
silent = socket.socket()
silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
silent.bind(("127.0.0.1", SILENT))
silent.listen(16)

# a stand-in for vigied: records each SIGHUP in a file
PIDFILE, HUPS = f"{T}/vigied.pid", f"{T}/hups"
child = subprocess.Popen([sys.executable, "-c", f"""
import os, signal, time
def hup(*a):
    with open({HUPS!r}, "a") as f:
        f.write("HUP\\n")
signal.signal(signal.SIGHUP, hup)
with open({PIDFILE!r} + ".tmp", "w") as f:
    f.write(str(os.getpid()) + "\\n")
os.rename({PIDFILE!r} + ".tmp", {PIDFILE!r})
while True:
    time.sleep(1)
"""])
for _ in range(100):
    if os.path.exists(PIDFILE):
        break
    time.sleep(0.05)


def hups():
    try:
        with open(HUPS) as f:
            return f.read().count("HUP")
    except FileNotFoundError:
        return 0


FEEDS = f"{T}/feeds"
os.makedirs(FEEDS)
U = f"https://127.0.0.1:{PORT}"


def run(feeds, timeout=10, max_size="1M", pidfile=PIDFILE, ca=CERT, folder=None):
    """vigie update with that [update] feeds: (exit code, output)"""
    conf = f"{T}/vigie.conf"
    with open(conf, "w") as f:
        f.write(f"""[core]
signatures = {SRC}/signatures
[av]
system_database = off
[daemon]
pidfile = {pidfile}
[urls]
feeds = {folder or FEEDS}
[update]
feeds = {feeds}
timeout = {timeout}
max_size = {max_size}
ca_file = {ca}
""")
    r = subprocess.run([VIGIE, "-c", conf, "update"], capture_output=True, text=True,
                       timeout=120)
    if os.environ.get("UPDATE_TEST_VERBOSE"):
        print("# " + (r.stdout + r.stderr).strip().replace("\n", "\n# "))
    return r.returncode, r.stdout + r.stderr


def content(name):
    try:
        with open(f"{FEEDS}/{name}", "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def no_leftovers():
    return not [n for n in os.listdir(FEEDS) if n.startswith(".part.")]


# 1. a new feed is installed, with its meta file, and vigied reloads
rc, out = run(f"a.urls={U}/a.urls")
ok(rc == 0 and content("a.urls") == BODIES["/a.urls"], "new feed installed", rc, out)
ok(os.path.exists(f"{FEEDS}/a.urls.meta") and no_leftovers(), "meta kept, no part file left",
   os.listdir(FEEDS))
time.sleep(0.3)
ok(hups() == 1, "vigied (pidfile) got SIGHUP after the change", hups(), out)

# 2. not modified: conditional headers sent, 304, file untouched, no reload
st = os.stat(f"{FEEDS}/a.urls")
SEEN.clear()
rc, out = run(f"a.urls={U}/a.urls")
ok(rc == 0 and "not modified" in out, "304 is success", rc, out)
ok(SEEN and SEEN[-1][1] and SEEN[-1][2] == LAST_MODIFIED,
   "If-None-Match and If-Modified-Since sent", SEEN)
st2 = os.stat(f"{FEEDS}/a.urls")
ok((st.st_ino, st.st_mtime_ns) == (st2.st_ino, st2.st_mtime_ns) and
   not os.path.exists(f"{FEEDS}/a.urls.prev"), "304 leaves the file untouched", out)
time.sleep(0.3)
ok(hups() == 1, "no reload when nothing changed", hups())

# 3. a changed feed replaces the file; the old one is kept as FILE.prev
old = BODIES["/a.urls"]
BODIES["/a.urls"] = b"https://phish-one.example/login\nhttps://phish-two.example/verify\n"
rc, out = run(f"a.urls={U}/a.urls")
ok(rc == 0 and content("a.urls") == BODIES["/a.urls"] and content("a.urls.prev") == old,
   "changed feed replaced, last good copy kept", rc, out)
time.sleep(0.3)
ok(hups() == 2, "reload after the second change", hups())
good = content("a.urls")

# 4. failures: each changes nothing, names the feed, exits 2, no reload
rc, out = run(f"b.urlhaus.csv={U}/b.csv")
ok(rc == 0 and content("b.urlhaus.csv") == BODIES["/b.csv"], "URLhaus CSV installed", rc, out)
time.sleep(0.3)
base_hups = hups()
cases = [
    ("wrong format", f"a.urls={U}/bad", "a.urls", good, 10, "1M"),
    ("truncated CSV line", f"b.urlhaus.csv={U}/trunc.csv", "b.urlhaus.csv", BODIES["/b.csv"],
     10, "1M"),
    ("truncated body (short of Content-Length)", f"a.urls={U}/short", "a.urls", good, 10, "1M"),
    ("no entries (an empty dump)", f"a.urls={U}/empty", "a.urls", good, 10, "1M"),
    ("too big", f"a.urls={U}/big", "a.urls", good, 10, "1K"),
    ("HTTP 404", f"a.urls={U}/missing", "a.urls", good, 10, "1M"),
    ("server down", f"a.urls=https://127.0.0.1:{DOWN}/a.urls", "a.urls", good, 10, "1M"),
]
for what, feeds, name, keep, tmo, size in cases:
    rc, out = run(feeds, timeout=tmo, max_size=size)
    ok(rc == 2 and content(name) == keep and no_leftovers() and name in out,
       f"{what}: rejected, file kept, feed named, exit 2", rc, out)
t0 = time.monotonic()
rc, out = run(f"a.urls=https://127.0.0.1:{SILENT}/a.urls", timeout=1)
took = time.monotonic() - t0
ok(rc == 2 and content("a.urls") == good and took < 8 and "a.urls" in out,
   f"timeout: rejected within the bound ({took:.1f}s), file kept", rc, out)
time.sleep(0.3)
ok(hups() == base_hups, "no reload after failures", hups(), base_hups)

# 5. one failing feed does not stop the others; still exit 2
BODIES["/c.urls"] = b"https://phish-three.example/\n"
rc, out = run(f"a.urls={U}/bad, c.urls={U}/c.urls")
ok(rc == 2 and content("c.urls") == BODIES["/c.urls"] and content("a.urls") == good,
   "a failure does not stop the next feed", rc, out)

# 6. what the configuration may not ask
rc, out = run(f"a.urls=http://127.0.0.1:{PORT}/a.urls")
ok(rc == 2 and "https" in out and content("a.urls") == good, "plain http refused", rc, out)
rc, out = run(f"../escape.urls={U}/a.urls")
ok(rc == 2 and not os.path.exists(f"{T}/escape.urls"), "a FILE with '/' refused", rc, out)
rc, out = run(f"a.urls={U}/a.urls", ca="")
ok(rc == 2 and content("a.urls") == good, "an untrusted certificate is refused", rc, out)

# 7. the public feeds' formats, as etc/vigie.conf's commented [update] feeds
# lines name them (the same paths, on this server), then found by vigie scan
PUBLIC = [("urlhaus.urls", "/downloads/text_online/", "http://203.0.113.5/bins/sora.arm7"),
          ("openphish.urls", "/feed.txt", "https://pages.phish.example/verify?user=a%40b.example&step=2"),
          ("phishtank.phishtank.csv", "/data/KEY/online-valid.csv",
           "https://bank-check.phish.example/log.php")]
with open(f"{SRC}/etc/vigie.conf") as f:
    sample = f.read()
for name, path, _ in PUBLIC:
    ok(f"#feeds = {name}=https://" in sample and path in sample,
       f"etc/vigie.conf shows {name} with the provider's path {path}")
rc, out = run(", ".join(f"{name}={U}{path}" for name, path, _ in PUBLIC))
ok(rc == 0 and all(content(name) == BODIES[path] for name, path, _ in PUBLIC),
   "URLhaus text ('#' comments), OpenPhish (a URL a line) and PhishTank CSV installed", rc, out)
for name, _, url in PUBLIC:
    mail = f"{T}/{name}.eml"
    with open(mail, "w") as f:
        f.write(f"From: a@example.org\nTo: b@example.net\nSubject: hi\n\nPlease open {url} now\n")
    r = subprocess.run([VIGIE, "-c", f"{T}/vigie.conf", "scan", mail], capture_output=True,
                       text=True, timeout=120)
    ok("url.blocklist" in r.stdout and name in r.stdout,
       f"vigie scan finds a URL of {name} (url.blocklist)", r.stdout, r.stderr)

# 8. a missing feeds folder: named, nothing written, exit 2
rc, out = run(f"a.urls={U}/a.urls", folder=f"{T}/no-feeds")
ok(rc == 2 and f"{T}/no-feeds ([urls] feeds)" in out and not os.path.exists(f"{T}/no-feeds"),
   "a missing feeds folder is named, exit 2", rc, out)

# 9. the command line
rc = subprocess.run([VIGIE, "-c", f"{T}/vigie.conf", "update", "--bogus"],
                    capture_output=True, text=True).returncode
ok(rc == 2, "unknown argument is an error", rc)

child.terminate()
child.wait()
httpd.shutdown()
shutil.rmtree(T, ignore_errors=True)
done()
