#!/usr/bin/env python3
# alerts_test.py VIGIED SRCDIR VIGIE - the traffic watch end to end: vigied with
# 1-second buckets takes steady signed chat traffic on a generic channel,
# then a burst of lures from new authors, then nothing. A surge and a flood
# must open (in /metrics and as signed POSTs to a receiver this test runs,
# the first one refused once so the retry is exercised), the surge must
# close when traffic is normal again, and a silence must open when it
# stops; the alert history and the snapshot must be written, and a restart
# must load the snapshot. `vigie incident report` then builds the report
# of it (JSON and Markdown: the alerts, counts, indicators, the operator's
# delete, the NIS2 deadlines, a hostile author name escaped). Traffic is paced on the wall clock (the buckets'
# clock); every check polls with a timeout. Prints TAP.
import hashlib, hmac, http.client, http.server, json, os, re, shutil, signal, socket, subprocess, sys
import tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, ok, vigied_start, vigied_stop  # noqa: E402
from tap import metric as tap_metric  # noqa: E402

VIGIED, SRC, VIGIE = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
T = tempfile.mkdtemp(prefix="vigie-alerts.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root
os.makedirs(f"{T}/conf")
os.symlink(f"{SRC}/signatures", f"{T}/signatures")
PORT, RECV = free_ports(2)
SECRET, ALERT_SECRET = "chan-secret", "alert-secret"

# --- the alert receiver: records every POST; answers 503 to the first --------
posts = []          # (headers, body bytes) of every attempt
answers = [503]     # statuses to give first, then 200
lock = threading.Lock()


class Recv(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with lock:
            posts.append((dict(self.headers), body))
            status = answers.pop(0) if answers else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", RECV), Recv)
threading.Thread(target=srv.serve_forever, daemon=True).start()

CONF = f"{T}/conf/vigie.conf"
with open(CONF, "w") as f:
    f.write(f"""[av]
system_database = off
[daemon]
syslog = no
user = nobody
shutdown_timeout = 5
[milter]
enabled = no
[webhook]
enabled = yes
port = {PORT}
author_rate = 0
conversation_rate = 0
[quarantine]
dir = {T}/q
[alerts]
enabled = yes
bucket = 1
retention = 600
state_dir = {T}/alerts
snapshot_interval = 0
window = 10
min_history = 4
threshold = 5
min_spread = 1
raise_after = 2
clear_after = 2
surge_min = 3
flood_min = 3
silence_min = 2
seasonal_weeks = 0
urls = http://127.0.0.1:{RECV}/alerts
secret = {ALERT_SECRET}
retries = 3
retry_interval = 1
[webhook.web]
platform = generic
secret = {SECRET}
""")

LOG = f"{T}/vigied.log"
proc = None


def start():
    global proc
    proc = vigied_start(VIGIED, CONF, LOG, PORT)
    return proc is not None


def stop():
    global proc
    rc = vigied_stop(proc)
    proc = None
    return rc


def log():
    return open(LOG, errors="replace").read()


def http_req(method, path, body=b"", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def metric(name_labels):
    return tap_metric(PORT, name_labels)


def active(kind):
    return metric(f'vigie_alert_active{{kind="{kind}",channel="web"}}')


n_sent = [0]
held = []  # quarantine ids


def send(text, author, name="A"):
    n_sent[0] += 1
    body = json.dumps({"channel": "chat", "platform": "webchat", "conversation": f"c{n_sent[0]}",
                       "message_id": f"m{n_sent[0]}", "author": {"id": author, "name": name},
                       "text": text}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    st, data = http_req("POST", "/hooks/web", body, {"X-Vigie-Timestamp": ts, "X-Vigie-Signature": sig})
    j = json.loads(data) if st == 200 else {}
    if j.get("quarantine_id"):
        held.append(j["quarantine_id"])
    return st, j.get("action")


def next_bucket():
    """pace traffic on the buckets' clock: wait for the next second to begin"""
    t = time.time()
    time.sleep(int(t) + 1.05 - t)


def alerts_received(kind=None, state=None):
    """the distinct alert documents received, signature-checked"""
    out = []
    with lock:
        got = list(posts)
    for h, body in got:
        ts, sig = h.get("X-Vigie-Timestamp", ""), h.get("X-Vigie-Signature", "")
        want = "v1=" + hmac.new(ALERT_SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, want):
            continue
        j = json.loads(body)
        if (kind is None or j["kind"] == kind) and (state is None or j["state"] == state) and j not in out:
            out.append(j)
    return out


CLEAN = "Hello, what time does the shop open tomorrow?"
LURE = ("Bonjour, votre compte sera suspendu aujourd'hui. Pour le debloquer envoyez-moi le code que vous "
        "venez de recevoir par SMS et confirmez vos identifiants ici http://secure-banque-verif.top/login")

if not ok(start(), "vigied starts with [alerts] enabled and 1-second buckets", log()):
    done()
t0 = time.time()
ok(active("surge") == 0 and active("silence") == 0 and active("flood") == 0 and active("spread") == 0,
   "/metrics: vigie_alert_active is 0 for each kind on the channel")
ok(send(LURE, "probe")[1] == "quarantine" and send(CLEAN, "a0")[1] == "release",
   "the lure is quarantined and the clean message released")

# --- steady traffic: three known authors, three messages a second ----------
for _ in range(7):
    next_bucket()
    for a in range(3):
        send(CLEAN, f"a{a}")
ok(not alerts_received(), "steady traffic raises no alert", posts)
ok(metric('vigie_traffic_expected{channel="web",series="messages"}') is not None,
   "/metrics: the messages series has a baseline")

# --- a burst of lures from new authors, until the surge is seen -------------
surge_seen = False
deadline = time.time() + 20
i = 0
while time.time() < deadline and not (surge_seen and alerts_received("surge", "firing")):
    next_bucket()
    for a in range(3):
        send(CLEAN, f"a{a}")
    for _ in range(8):
        i += 1
        send(LURE, f"new-{i}")
    surge_seen = surge_seen or active("surge") == 1
ok(surge_seen, "/metrics: vigie_alert_active{kind=surge,channel=web} 1 during the burst", log())
firing = alerts_received("surge", "firing")
ok(firing, "a signed surge alert arrives at the receiver", posts, log())
def first_again():
    with lock:
        return len(posts) > 1 and any(p[1] == posts[0][1] for p in posts[1:])


deadline = time.time() + 10
while time.time() < deadline and not first_again():
    time.sleep(0.1)
first_again = first_again()
ok(first_again, "the refused first POST was tried again, the same body", posts[:2])
if firing:
    j = [x for x in firing if x["series"] == "action.quarantine"] or firing
    j = j[0]
    ok(j["channel"] == "web" and j["end"] is None and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", j["start"])
       and j["observed"] > j["expected"]["high"] >= j["expected"]["low"] >= 0 and j["bucket_seconds"] == 1,
       "the alert names channel, series, start, band and observed value", j)
ok(alerts_received("flood", "firing") or active("flood") == 1,
   "messages from new authors open a flood alert", alerts_received())
ok(re.search(r"alert firing: kind=surge channel=web series=\S+ observed=", log()), "the log has the alert line")
_, mtext = http_req("GET", "/metrics")
rules = open(f"{SRC}/dist/prometheus-vigie-alerts.yml").read()
exprs = re.findall(r"^\s*expr: (.*)$", rules, re.M)
names = {n for e in exprs for n in re.findall(r"(vigie_[a-z_]+)", e)}
ok(len(exprs) == 5 and names and all(re.search(r"^" + n + r"\{", mtext.decode(), re.M) for n in names),
   "every metric the shipped Prometheus rules use is in /metrics", names)

# --- normal again: the surge closes -----------------------------------------
deadline = time.time() + 15
while time.time() < deadline and not alerts_received("surge", "resolved"):
    next_bucket()
    for a in range(3):
        send(CLEAN, f"a{a}")
res = alerts_received("surge", "resolved")
ok(res and res[0]["end"] and active("surge") == 0, "the surge closes once traffic is normal (resolved POST, gauge 0)",
   res)
n_surge = len([x for x in alerts_received("surge", "firing") if x["series"] == "action.quarantine"])
ok(n_surge == 1, "one firing alert for the quarantine series while it lasted (deduplicated)", n_surge)

# --- nothing at all: silence ---------------------------------------------------
deadline = time.time() + 15
while time.time() < deadline and not (alerts_received("silence", "firing") and active("silence") == 1):
    time.sleep(0.2)
sil = alerts_received("silence", "firing")
ok(sil and sil[0]["series"] == "messages" and active("silence") == 1,
   "a channel gone quiet opens a silence alert", sil, log())

hist = [json.loads(l) for l in open(f"{T}/alerts/alerts.jsonl")] if os.path.exists(f"{T}/alerts/alerts.jsonl") else []
ok(any(h["kind"] == "surge" and h["state"] == "resolved" for h in hist) and
   any(h["kind"] == "silence" and h["state"] == "firing" for h in hist),
   "the alert history (state_dir/alerts.jsonl) records them", hist)
ok(stop() == 0, "vigied stops cleanly")

# --- the incident report --------------------------------------------------------
EVIL = "<img src=x>|**boom**[x](http://e.vil/a)\n# header"
send_ok = start()
st, action = send(LURE, "evil-1", EVIL) if send_ok else (0, None)
stop()
ok(action == "quarantine", "a lure from an author with a hostile name is held")
r = subprocess.run([VIGIE, "-c", CONF, "quarantine", "delete", held[0]], capture_output=True, text=True, timeout=60)
ok(r.returncode == 0, "an operator deletes one held item", r.stdout, r.stderr)
r = subprocess.run([VIGIE, "-c", CONF, "incident", "report", "--since", "1h", "--format", "json"],
                   capture_output=True, text=True, timeout=60)
rep = json.loads(r.stdout) if r.returncode == 0 else {}
ok(rep.get("type") == "vigie.incident-report", "vigie incident report --format json", r.stderr)
if rep:
    s = rep["summary"]
    ok(s["messages"] == len(held) and rep["by_channel"] == [{"channel": "web", "count": len(held)}],
       "it counts every held item, by channel", s, len(held), rep["by_channel"])
    ok({"action": "quarantine", "count": len(held)} in rep["by_action"] and
       {"state": "deleted", "count": 1} in rep["by_state"], "by verdict and by state (one deleted)", rep["by_state"])
    kinds = {(a["kind"], a["state"]) for a in rep["alerts"]}
    ok(("surge", "resolved") in kinds and ("silence", "firing") in kinds and any(k == "flood" for k, _ in kinds),
       "the alerts of the period, merged by id (surge resolved, flood, silence)", kinds)
    ind = rep["indicators"]
    ok({"value": "http://secure-banque-verif.top/login", "count": len(held)} in ind["urls"] and
       any(h["value"] == "secure-banque-verif.top" for h in ind["hosts"]), "indicators: the lure's URL and host",
       ind["urls"], ind["hosts"])
    ok(any(a["action"] == "delete" and a["id"] == held[0] for a in rep["operator_actions"]),
       "the operator's delete is in the report", rep["operator_actions"])
    n = rep["nis2"]
    first = time.mktime(time.strptime(n.get("first_sign", "1970-01-01T00:00:00Z"), "%Y-%m-%dT%H:%M:%SZ"))
    due = lambda k: time.mktime(time.strptime(n[k], "%Y-%m-%dT%H:%M:%SZ")) - first
    ok(due("early_warning_due") == 86400 and due("notification_due") == 3 * 86400 and
       28 * 86400 <= due("final_report_due") <= 31 * 86400 and n["cross_border_impact"] == "to be completed by the operator"
       and n["suspected_malicious_act"].startswith("yes"), "NIS2: deadlines from the first sign, operator fields", n)
    ok(n["first_sign"] <= s["first_seen"] and s["first_seen"] <= s["last_seen"], "first sign, first and last seen", n, s)
r = subprocess.run([VIGIE, "-c", CONF, "incident", "report", "--since", "1h"], capture_output=True, text=True, timeout=60)
md = r.stdout
ok(r.returncode == 0 and md.startswith("# Incident report") and "early warning due (24 h)" in md and
   "*to be completed*" in md and r"hxxp://secure-banque-verif\[.\]top/login" in md,
   "the Markdown report, its links defanged", md[:2000], r.stderr)
ok("\\<img src\\=x\\>\\|\\*\\*boom\\*\\*\\[x\\]\\(" in md and not re.search(r"(?<!\\)<img", md) and "](" not in md and "http://" not in md
   and "\n# header" not in md, "a hostile author name is escaped, on one line", [l for l in md.splitlines() if "boom" in l])
r = subprocess.run([VIGIE, "-c", CONF, "incident", "report", "--channel", "elsewhere", "--format", "json"],
                   capture_output=True, text=True, timeout=60)
ok(r.returncode == 0 and json.loads(r.stdout)["summary"]["messages"] == 0 and not json.loads(r.stdout)["alerts"],
   "--channel keeps only that channel's items and alerts", r.stdout[:500])
r = subprocess.run([VIGIE, "-c", CONF, "incident", "list", "--since", "1h"], capture_output=True, text=True, timeout=60)
ok(r.returncode == 0 and re.search(r"^\S+Z  \S+Z +surge +web +action\.quarantine +peak \d+", r.stdout, re.M) and
   re.search(r"^\S+Z  open +silence +web +messages ", r.stdout, re.M), "vigie incident list: one line per alert", r.stdout,
   r.stderr)
r = subprocess.run([VIGIE, "-c", CONF, "incident", "list", "--format", "json"], capture_output=True, text=True, timeout=60)
ok(r.returncode == 0 and rep and len(json.loads(r.stdout)) == len(rep["alerts"]), "incident list --format json",
   r.stdout[:300])
ok(subprocess.run([VIGIE, "-c", CONF, "incident", "report", "--since", "yesterday"], capture_output=True,
                  timeout=60).returncode == 2, "a bad time is an error (exit 2)")
snap = open(f"{T}/alerts/series.snapshot").read() if os.path.exists(f"{T}/alerts/series.snapshot") else ""
ok(re.search(r"^S web messages \d+ ", snap, re.M) and re.search(r"^A [0-9a-f]+ \d+$", snap, re.M),
   "the snapshot holds the series and the (hashed) authors", snap[:300])
ok("a0" not in snap and "new-1" not in snap, "no author id in clear in the snapshot")

# --- a restart remembers -------------------------------------------------------
ok(start(), "vigied starts again")
ok(re.search(r"alerts: \d+ series and \d+ authors from ", log()), "the restart loads the snapshot", log())
ok(stop() == 0, "and stops")
print(f"# {time.time() - t0:.1f} s")
srv.shutdown()
shutil.rmtree(T, ignore_errors=True)
done()
