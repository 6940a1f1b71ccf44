#!/usr/bin/env python3
# quarantine_chat_test.py VIGIE VIGIED SRCDIR - releasing quarantined chat
# messages to their channel's downstream, end to end: a vigied started here
# on loopback quarantines signed chat messages posted over real HTTP; then
# "vigie quarantine release" delivers them to a downstream HTTP server run by
# this test, which checks the X-Vigie-Signature with python's hmac module
# (never the daemon's code). A refusal (HTTP 500), an unreachable
# downstream, a channel without downstream_url and --to on a chat item leave
# the item quarantined with a clear message; two concurrent releases deliver
# once; the audit log records each attempt. Prints TAP.
import hashlib, hmac, http.client, http.server, json, os, shutil, signal, socket
import subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, ok  # noqa: E402

VIGIE, VIGIED, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
T = tempfile.mkdtemp(prefix="vigie-qchat.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root: its socket goes here






PORT, DOWN, CLOSED = free_ports(3)
SECRET, DOWN_SECRET = "web-secret", "downstream-secret"

# --- the downstream: records what it receives, answers down_status ---------
received = []
down_status = [200]
down_delay = [0.0]
lock = threading.Lock()


class Down(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(down_delay[0])
        with lock:
            received.append((self.path, dict(self.headers), body))
        self.send_response(down_status[0])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


down = http.server.ThreadingHTTPServer(("127.0.0.1", DOWN), Down)
threading.Thread(target=down.serve_forever, daemon=True).start()

os.symlink(f"{SRC}/signatures", f"{T}/signatures")
os.makedirs(f"{T}/conf")
CONF = f"{T}/conf/vigie.conf"
with open(CONF, "w") as f:
    f.write(f"""[av]
system_database = off
risky_weight = 6
# the test texts carry signature material: let ClamAV see chat messages
scan_raw_chat = yes
[daemon]
syslog = no
user = nobody
shutdown_timeout = 5
[milter]
enabled = no
[webhook]
enabled = yes
port = {PORT}
forward_timeout = 3
[quarantine]
dir = {T}/q
[channel.chat]
tag = 5
quarantine = 12
[webhook.web]
platform = generic
secret = {SECRET}
downstream_url = http://127.0.0.1:{DOWN}/release
downstream_secret = {DOWN_SECRET}
[webhook.nodown]
platform = generic
secret = {SECRET}
[webhook.gone]
platform = generic
secret = {SECRET}
downstream_url = http://127.0.0.1:{CLOSED}/nobody-listens
""")

LOG = f"{T}/vigied.log"
proc = subprocess.Popen([VIGIED, "-c", CONF, "-f"], stdout=open(LOG, "w"), stderr=subprocess.STDOUT)


def cleanup():
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    down.shutdown()
    if not os.environ.get("KEEP"):
        shutil.rmtree(T, ignore_errors=True)


for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", PORT), 0.2).close()
        break
    except OSError:
        if proc.poll() is not None:
            break
        time.sleep(0.1)
try:  # the daemon, not something else, answers on PORT
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    c.request("GET", "/healthz")
    healthy = json.loads(c.getresponse().read()).get("status") == "ok"
except (OSError, ValueError, AttributeError):
    healthy = False
if proc.poll() is not None or not healthy:
    print("1..1\nnot ok 1 - vigied starts")
    for l in open(LOG).read().splitlines()[-20:]:
        print("# " + l)
    cleanup()
    sys.exit(1)

# Matches two bundled risky signatures on the raw message: 12, quarantine.
QUARANTINE = ("run this: iex (New-Object Net.WebClient).DownloadString($u)"
              " then open <hta:application id=x>")


def post(channel, mid, text=QUARANTINE):
    body = json.dumps({"channel": "chat", "platform": "webchat", "conversation": "conv-9",
                       "message_id": mid, "author": {"id": "cust-" + mid, "name": "Client"},
                       "text": text}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request("POST", f"/hooks/{channel}", body=body,
              headers={"X-Vigie-Timestamp": ts, "X-Vigie-Signature": sig})
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, {"raw": data[:300].decode("latin-1")}


def vigie(*args):
    p = subprocess.run([VIGIE, "-c", CONF, "quarantine", *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def state(qid):
    for folder in ("new", "released", "deleted"):
        if os.path.exists(f"{T}/q/{folder}/{qid}.json"):
            return folder
    return None


ids = {}
for name, channel in (("a", "web"), ("b", "web"), ("c", "web"), ("d", "nodown"), ("e", "gone")):
    st, j = post(channel, "m-" + name)
    ids[name] = j.get("quarantine_id")
    ok(st == 200 and j.get("action") == "quarantine" and ids[name],
       f"a message posted to channel {channel} is quarantined", st, j)
if not all(ids.values()):
    cleanup()
    done()

rc, out, err = vigie("list", "--json", "--channel", "chat")
items = {i["id"]: i for i in json.loads(out)} if rc == 0 else {}
ok(rc == 0 and items.get(ids["a"], {}).get("envelope", {}).get("source") == "web",
   "the item records the webhook channel it came from (envelope.source)", rc, out[:800], err)

# --- a release: signed POST, 2xx, released ------------------------------------
rc, out, err = vigie("release", ids["a"])
ok(rc == 0 and "released to channel web" in out and "HTTP 200" in out,
   "release of a chat item answers released, naming the channel and the downstream's status", rc, out, err)
ok(len(received) == 1 and received[0][0] == "/release",
   "the downstream received exactly one POST", received)
path, hdrs, body = received[0] if received else ("", {}, b"{}")
ts = hdrs.get("X-Vigie-Timestamp", "")
want = "v1=" + hmac.new(DOWN_SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
ok(ts and hmac.compare_digest(hdrs.get("X-Vigie-Signature", ""), want) and abs(int(ts) - time.time()) < 60,
   "the release is signed with the channel's downstream_secret over timestamp.body", hdrs)
doc = json.loads(body)
ok(doc["vigie"]["action"] == "release" and doc["vigie"]["quarantine_id"] == ids["a"] and
   doc["vigie"]["channel"] == "web" and doc["vigie"]["platform"] == "webchat" and doc["vigie"]["released_by"],
   "the release names the action, item, channel, platform and who released it", doc.get("vigie"))
ok(doc["message"]["text"] == QUARANTINE and doc["message"]["message_id"] == "m-a" and
   doc["message"]["author"]["id"] == "cust-m-a",
   "the original chat message is delivered unchanged", doc.get("message"))
ok(state(ids["a"]) == "released", "the released item moves to released/", state(ids["a"]))

# --- refusals leave the item quarantined --------------------------------------
received.clear()
down_status[0] = 500
rc, out, err = vigie("release", ids["b"])
ok(rc == 2 and "stays quarantined" in err and "HTTP 500" in err and state(ids["b"]) == "new",
   "a downstream answering 500 leaves the item quarantined and says so", rc, out, err, state(ids["b"]))
down_status[0] = 200
rc, out, err = vigie("release", ids["e"])
ok(rc == 2 and "stays quarantined" in err and "channel gone" in err and state(ids["e"]) == "new",
   "an unreachable downstream leaves the item quarantined and says so", rc, out, err)
rc, out, err = vigie("release", ids["d"])
ok(rc == 2 and "no downstream_url" in err and "nodown" in err and state(ids["d"]) == "new",
   "a channel without downstream_url is a clear error; the item stays", rc, out, err)
received.clear()
rc, out, err = vigie("release", "--to", "analyst@example.net", ids["c"])
ok(rc == 2 and "--to applies to mail" in err and state(ids["c"]) == "new" and not received,
   "--to on a chat item is refused before anything is sent", rc, out, err)

# --- two concurrent releases deliver once ---------------------------------------
received.clear()
down_delay[0] = 0.5
procs = [subprocess.Popen([VIGIE, "-c", CONF, "quarantine", "release", ids["b"]],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
rcs = sorted(p.wait(60) for p in procs)
down_delay[0] = 0.0
ok(rcs == [0, 2] and len(received) == 1 and state(ids["b"]) == "released",
   "two concurrent releases of one chat item deliver it once", rcs, received)

audit = open(f"{T}/q/audit.log").read()
ok(f"release\t{ids['a']}\treleased to channel web" in audit and
   f"release\t{ids['d']}\t" in audit and "HTTP 500" in audit,
   "every release attempt is in the audit log, with its result", audit[-1500:])

proc.send_signal(signal.SIGTERM)
ok(proc.wait(15) == 0, "vigied stops cleanly")
cleanup()
done()
