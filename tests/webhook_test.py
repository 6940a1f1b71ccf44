#!/usr/bin/env python3
# webhook_test.py VIGIED SRCDIR - the webhook front end end to end: real
# HTTP (python's http.client) against a vigied started here on loopback
# ports, with the milter disabled. Every signature is computed here with
# python's hmac module, never with the daemon's code. Per platform: a valid
# signed request, a bad signature, a tampered body, a replay, the platform's
# handshake. Then: duplicates, gateway forwarding, the flood test,
# quarantine on disk before the answer, store failure, malformed requests,
# limits, /healthz and /metrics, configuration errors, SIGTERM. Prints TAP.
import base64, hashlib, hmac, http.client, http.server, json, os, re, shutil, signal
import socket, subprocess, sys, tempfile, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, ok  # noqa: E402

VIGIED, SRC = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="vigie-webhook.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root: its socket goes here






PORT, DOWN = free_ports(2)
TEAMS_KEY = bytes(range(32))
SECRETS = {"web": "generic-secret", "tw": "twilio-token", "meta": "meta-app-secret",
           "gen": "genesys-secret", "slack": "slack-signing", "zd": "zendesk-signing",
           "teams": base64.b64encode(TEAMS_KEY).decode()}
TW_URL = "https://gateway.example.net/hooks/tw"

# --- a downstream server for gateway mode -----------------------------------
received = []
down_status = [200]


class Down(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append((dict(self.headers), body))
        self.send_response(down_status[0])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


down = http.server.ThreadingHTTPServer(("127.0.0.1", DOWN), Down)
threading.Thread(target=down.serve_forever, daemon=True).start()

# --- configuration: relative rule paths resolve through a symlink ----------
os.makedirs(f"{T}/conf")
os.symlink(f"{SRC}/signatures", f"{T}/signatures")


def write_conf(name, extra_webhook="", channels=True, milter="no", webhook="yes"):
    text = f"""[av]
system_database = off
risky_weight = 6
# the test texts carry signature material: let ClamAV see chat messages
scan_raw_chat = yes
[daemon]
syslog = no
user = nobody
shutdown_timeout = 5
[milter]
enabled = {milter}
listen = unix:{T}/milter.sock
[webhook]
enabled = {webhook}
port = {PORT}
connection_timeout = 2
max_body = 64K
author_rate = 60
author_burst = 5
{extra_webhook}
[quarantine]
dir = {T}/q
[channel.chat]
tag = 5
quarantine = 12
"""
    if channels:
        down = f"http://127.0.0.1:{DOWN}/in"
        text += f"""
[webhook.web]
platform = generic
secret = {SECRETS['web']}
[webhook.tw]
platform = twilio
secret = {SECRETS['tw']}
public_url = {TW_URL}
[webhook.meta]
platform = meta
secret = {SECRETS['meta']}
verify_token = tok-123
downstream_url = {down}
[webhook.gen]
platform = genesys
secret = {SECRETS['gen']}
[webhook.slack]
platform = slack
secret = {SECRETS['slack']}
downstream_url = {down}
downstream_secret = down-secret
[webhook.teams]
platform = teams
secret = {SECRETS['teams']}
[webhook.zd]
platform = zendesk
secret = {SECRETS['zd']}
downstream_url = {down}
"""
    path = f"{T}/conf/{name}.conf"
    with open(path, "w") as f:
        f.write(text)
    return path


LOG = f"{T}/vigied.log"
proc = None


def start(conf):
    global proc
    proc = subprocess.Popen([VIGIED, "-c", conf, "-f"], stdout=open(LOG, "a"),
                            stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.2).close()
            return True
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    print("# vigied did not start:")
    for l in open(LOG).read().splitlines()[-20:]:
        print("# " + l)
    return False


def stop():
    global proc
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = -1
    proc = None
    return rc


def http_req(method, path, body=b"", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def js(data):
    try:
        return json.loads(data)
    except Exception:
        return None


def metric(name_labels):
    _, _, data = http_req("GET", "/metrics")
    for line in data.decode().splitlines():
        if line.startswith(name_labels + " "):
            return float(line.split()[-1])
    return None


# --- signers, written from each platform's documentation --------------------
def hexmac(key, data, algo=hashlib.sha256):
    return hmac.new(key if isinstance(key, bytes) else key.encode(), data, algo).hexdigest()


def b64mac(key, data, algo=hashlib.sha256):
    return base64.b64encode(hmac.new(key if isinstance(key, bytes) else key.encode(), data,
                                     algo).digest()).decode()


def sign_generic(body, ts=None, secret=SECRETS["web"]):
    ts = str(int(time.time()) if ts is None else ts)
    return {"X-Vigie-Timestamp": ts,
            "X-Vigie-Signature": "v1=" + hexmac(secret, ts.encode() + b"." + body)}


def sign_twilio(params, url=TW_URL, secret=SECRETS["tw"]):
    data = url + "".join(k + v for k, v in sorted(params))
    return {"X-Twilio-Signature": b64mac(secret, data.encode(), hashlib.sha1),
            "Content-Type": "application/x-www-form-urlencoded"}


def sign_meta(body, secret=SECRETS["meta"]):
    return {"X-Hub-Signature-256": "sha256=" + hexmac(secret, body), "Content-Type": "application/json"}


def sign_genesys(body, secret=SECRETS["gen"]):
    return {"X-Hub-Signature-256": "sha256=" + b64mac(secret, body)}


def sign_slack(body, ts=None, secret=SECRETS["slack"]):
    ts = str(int(time.time()) if ts is None else ts)
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + hexmac(secret, b"v0:" + ts.encode() + b":" + body)}


def sign_teams(body, key=TEAMS_KEY):
    return {"Authorization": "HMAC " + b64mac(key, body)}


def sign_zendesk(body, ts=None, secret=SECRETS["zd"]):
    ts = ts or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {"X-Zendesk-Webhook-Signature-Timestamp": ts,
            "X-Zendesk-Webhook-Signature": b64mac(secret, ts.encode() + body)}


# Texts: RELEASE is plain; TAG matches one bundled risky signature on the
# raw message (weight 6 here: tag); QUARANTINE matches two (12: quarantine).
RELEASE = "Hello, what time does the shop open tomorrow?"
TAG = "run this: iex (New-Object Net.WebClient).DownloadString($u)"
QUARANTINE = TAG + " then open <hta:application id=x>"


def generic_body(text, mid, author="alice", conv="c1"):
    return json.dumps({"channel": "chat", "platform": "webchat", "conversation": conv,
                       "message_id": mid, "author": {"id": author, "name": "A"},
                       "text": text}).encode()


conf = write_conf("main")
if not start(conf):
    sys.exit(1)

# --- /healthz and /metrics ---------------------------------------------------
st, h, data = http_req("GET", "/healthz")
j = js(data)
ok(st == 200 and j and j["status"] == "ok" and j["version"] and "vigie" in j["engine"],
   "GET /healthz: 200, engine loaded, version", data)
ok(http_req("GET", "/nope")[0] == 404, "an unknown path is 404")
ok(http_req("DELETE", "/v1/messages")[0] == 405, "an unknown method is 405")

# --- generic -------------------------------------------------------------------
b = generic_body(RELEASE, "g-1")
st, h, data = http_req("POST", "/v1/messages", b, sign_generic(b))
j = js(data)
ok(st == 200 and j and j["action"] == "release" and j["quarantine_id"] is None and
   j["label"] is None and j["findings"] == [] and j["request_id"] == h.get("x-request-id"),
   "generic: a signed clean message is released, verdict as JSON", st, data)
b = generic_body(TAG, "g-2")
st, h, data = http_req("POST", "/v1/messages", b, sign_generic(b))
j = js(data)
ok(st == 200 and j and j["action"] == "tag" and j["score"] >= 5 and j["label"] and
   any(f["category"] for f in j["findings"]),
   "generic: a risky message is tagged, with findings and a warning label", st, data)
b = generic_body(RELEASE, "g-3")
hd = sign_generic(b)
hd["X-Vigie-Signature"] = hd["X-Vigie-Signature"][:-1] + ("0" if hd["X-Vigie-Signature"][-1] != "0" else "1")
st, _, data = http_req("POST", "/v1/messages", b, hd)
ok(st == 401 and js(data)["error"] == "signature mismatch", "generic: a bad signature is 401", st, data)
st, _, _ = http_req("POST", "/v1/messages", b.replace(b"Hello", b"Hallo"), sign_generic(b))
ok(st == 401, "generic: a tampered body is 401", st)
st, _, data = http_req("POST", "/v1/messages", b, sign_generic(b, ts=int(time.time()) - 3600))
ok(st == 401 and "replay" in js(data)["error"], "generic: a replay (old timestamp, valid signature) is 401", st, data)
st, _, _ = http_req("POST", "/v1/messages", b, {})
ok(st == 401, "generic: no signature is 401", st)
st, _, _ = http_req("POST", "/v1/messages", b, sign_generic(b, secret=SECRETS["slack"]))
ok(st == 401, "generic: another channel's secret is 401", st)
st, _, data = http_req("POST", "/hooks/web", b, sign_generic(b))
ok(st == 200 and js(data)["action"] == "release", "generic: /hooks/NAME reaches the same channel", st)

# duplicates: the first verdict, no second scan
scans = metric('vigie_webhook_messages_total{channel="web",platform="generic",action="tag"}')
b = generic_body(TAG, "g-2")
st, _, data = http_req("POST", "/v1/messages", b, sign_generic(b))
j = js(data)
ok(st == 200 and j["action"] == "tag" and j.get("duplicate") is True and
   metric('vigie_webhook_messages_total{channel="web",platform="generic",action="tag"}') == scans and
   metric('vigie_webhook_duplicates_total{channel="web"}') >= 1,
   "generic: a duplicate delivery (same message_id) gets the first verdict without a scan", data)

# quarantine on disk before the answer
b = generic_body(QUARANTINE, "g-q1", author="qa")
st, _, data = http_req("POST", "/v1/messages", b, sign_generic(b))
j = js(data) or {}
qid = j.get("quarantine_id")
ok(st == 200 and j.get("action") == "quarantine" and qid and
   os.path.exists(f"{T}/q/new/{qid}.json") and os.path.exists(f"{T}/q/new/{qid}.eml"),
   "generic: a quarantined message is on disk when the answer arrives", st, data)
if qid:
    meta = json.load(open(f"{T}/q/new/{qid}.json"))
    ok(meta["channel"] == "chat" and meta["envelope"]["platform"] == "webchat" and
       meta["envelope"]["author_id"] == "qa" and meta["envelope"]["message_id"] == "g-q1",
       "generic: the quarantine item keeps the platform metadata", json.dumps(meta)[:500])

# store failure -> 503, and the retry is scanned (not a duplicate)
os.rename(f"{T}/q/tmp", f"{T}/q/tmp.away")
open(f"{T}/q/tmp", "w").close()
b = generic_body(QUARANTINE, "g-q2", author="qb")
st, _, data = http_req("POST", "/v1/messages", b, sign_generic(b))
ok(st == 503, "generic: a quarantine store failure is 503 (the platform retries)", st, data)
os.unlink(f"{T}/q/tmp")
os.rename(f"{T}/q/tmp.away", f"{T}/q/tmp")
st, _, data = http_req("POST", "/v1/messages", b, sign_generic(b))
j = js(data) or {}
ok(st == 200 and j.get("quarantine_id") and not j.get("duplicate"),
   "generic: the retry after a 503 is scanned and stored", st, data)

# --- malformed requests ------------------------------------------------------
deep = b'{"text":"x","a":' + b"[" * 100 + b"]" * 100 + b"}"
cases = [
    ("bad JSON", b'{"text": "hi"', "invalid JSON"),
    ("wrong type", b'{"text": 5}', "field 'text' must be a string"),
    ("missing field", b'{"author": {"id": "x"}}', "missing required field 'text'"),
    ("invalid UTF-8", b'{"text": "caf\xe9"}', "not valid UTF-8"),
    ("NUL byte", b'{"text": "a\x00b"}', "NUL byte"),
    ("deep nesting", deep, "nesting deeper than 64"),
    ("not an object", b'["text"]', "must be a JSON object"),
    ("empty body", b"", "empty input"),
]
for name, body, want in cases:
    st, h, data = http_req("POST", "/v1/messages", body, sign_generic(body))
    j = js(data) or {}
    rid = j.get("request_id", "?")
    logged = any(rid in l and "400" in l for l in open(LOG).read().splitlines())
    ok(st == 400 and want in j.get("error", "") and rid == h.get("x-request-id") and logged,
       f"malformed ({name}): 400 with a clear JSON error, logged with the request id", st, data)
for name, path, body, hd in [
    ("slack bad JSON", "/hooks/slack", b'{"type":', None),
    ("meta wrong type", "/hooks/meta", b'{"object":"page","entry":{"id":1}}', None),
    ("teams deep nesting", "/hooks/teams", b'{"a":' + b"[" * 70 + b"]" * 70 + b"}", None),
]:
    signer = {"slack": sign_slack, "meta": sign_meta, "teams": sign_teams}[path.split("/")[2]]
    st, _, data = http_req("POST", path, body, signer(body))
    ok(st == 400 and js(data) and js(data)["error"], f"malformed ({name}): 400 after a valid signature", st, data)
big = generic_body("x" * 70000, "big")
st, _, _ = http_req("POST", "/v1/messages", big, sign_generic(big))
ok(st == 413, "a body over [webhook] max_body is 413", st)

# --- Twilio --------------------------------------------------------------------
def twilio(params, headers=None, url=TW_URL):
    body = urllib.parse.urlencode(params).encode()
    hd = sign_twilio(params, url)
    hd["I-Twilio-Idempotency-Token"] = headers or ""
    if not headers:
        del hd["I-Twilio-Idempotency-Token"]
    return body, hd


base = [("EventType", "onMessageAdd"), ("ConversationSid", "CH1"), ("Author", "tw-alice"),
        ("Source", "SDK"), ("RetryCount", "0")]
body, hd = twilio(base + [("Body", RELEASE + " & more+")], "idem-1")
st, _, data = http_req("POST", "/hooks/tw", body, hd)
ok(st == 200 and data == b"", "twilio: a valid signed clean message is allowed (200)", st, data)
body, hd = twilio(base + [("Body", TAG)], "idem-2")
st, _, data = http_req("POST", "/hooks/tw", body, hd)
j = js(data) or {}
ok(st == 200 and j.get("body", "").endswith(TAG) and j["body"] != TAG,
   "twilio: a risky message is modified (the body carries the warning label)", st, data)
body, hd = twilio(base + [("Body", QUARANTINE)], "idem-3")
st, _, data = http_req("POST", "/hooks/tw", body, hd)
ok(st == 403, "twilio: a quarantined message is refused (non-2xx)", st, data)
body, hd = twilio(base + [("Body", RELEASE)], "idem-4", url="https://other.example/hooks/tw")
ok(http_req("POST", "/hooks/tw", body, hd)[0] == 401, "twilio: signed for another URL is 401")
body, hd = twilio(base + [("Body", RELEASE)], "idem-5")
ok(http_req("POST", "/hooks/tw", body.replace(b"Hello", b"Hallo"), hd)[0] == 401,
   "twilio: a tampered body is 401")
hd["X-Twilio-Signature"] = "AAAA" + hd["X-Twilio-Signature"][4:]
ok(http_req("POST", "/hooks/tw", body, hd)[0] == 401, "twilio: a bad signature is 401")
body, hd = twilio(base + [("Body", TAG)], "idem-2")
scans = metric('vigie_webhook_messages_total{channel="tw",platform="twilio",action="tag"}')
st, _, data = http_req("POST", "/hooks/tw", body, hd)
ok(st == 200 and (js(data) or {}).get("body", "").endswith(TAG) and
   metric('vigie_webhook_messages_total{channel="tw",platform="twilio",action="tag"}') == scans,
   "twilio: a replayed delivery (same idempotency token) gets the first answer, no second scan", st, data)
body, hd = twilio([("EventType", "onConversationAdd"), ("ConversationSid", "CH2")])
ok(http_req("POST", "/hooks/tw", body, hd)[0:1] == (200,), "twilio: other event types are acknowledged")
ok(http_req("GET", "/hooks/tw")[0] == 405, "twilio: no GET handshake (405)")

# --- Meta ------------------------------------------------------------------------
st, _, data = http_req("GET", "/hooks/meta?hub.mode=subscribe&hub.verify_token=tok-123&hub.challenge=1158201444")
ok(st == 200 and data == b"1158201444", "meta: the GET handshake echoes hub.challenge", st, data)
st, _, _ = http_req("GET", "/hooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444")
ok(st == 403, "meta: a wrong verify_token is 403", st)


def wa(msgs):
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp",
         "contacts": [{"wa_id": "33612345678", "profile": {"name": "Client"}}],
         "messages": [{"from": "33612345678", "id": mid, "timestamp": "1", "type": "text",
                       "text": {"body": t}} for mid, t in msgs]}}]}]}).encode()


received.clear()
body = wa([("wamid.1", RELEASE), ("wamid.2", QUARANTINE)])
st, _, data = http_req("POST", "/hooks/meta", body, sign_meta(body))
j = js(data) or {}
acts = [m["action"] for m in j.get("messages", [])]
fwd = [json.loads(b)["message"] for _, b in received]
ok(st == 200 and acts == ["release", "quarantine"],
   "meta: a WhatsApp batch is scanned message by message", st, data)
ok(len(fwd) == 1 and fwd[0]["message_id"] == "wamid.1" and fwd[0]["author"]["name"] == "Client",
   "meta: gateway mode forwards the released message and holds the quarantined one", received)
ok(http_req("POST", "/hooks/meta", body, sign_meta(body + b" "))[0] == 401, "meta: a bad signature is 401")
ok(http_req("POST", "/hooks/meta", body.replace(b"Hello", b"Hallo"), sign_meta(body))[0] == 401,
   "meta: a tampered body is 401")
received.clear()
st, _, data = http_req("POST", "/hooks/meta", body, sign_meta(body))
ok(st == 200 and all(m.get("duplicate") for m in js(data)["messages"]) and received == [],
   "meta: a replayed delivery is answered from the first verdicts, not forwarded again", data)
msgr = json.dumps({"object": "page", "entry": [{"id": "P", "time": 1, "messaging": [
    {"sender": {"id": "PSID1"}, "recipient": {"id": "P"}, "timestamp": 1,
     "message": {"mid": "m_1", "text": TAG}}]}]}).encode()
st, _, data = http_req("POST", "/hooks/meta", msgr, sign_meta(msgr))
ok(st == 200 and js(data)["messages"][0]["action"] == "tag", "meta: a Messenger message is scanned (tag)", data)
down_status[0] = 500
body = wa([("wamid.9", RELEASE)])
st, _, _ = http_req("POST", "/hooks/meta", body, sign_meta(body))
down_status[0] = 200
ok(st == 503, "meta: a downstream failure is 503 (Meta delivers again)", st)
st, _, _ = http_req("POST", "/hooks/meta", body, sign_meta(body))
ok(st == 200 and len(received) >= 1, "meta: the redelivery is forwarded", st)

# --- Genesys ---------------------------------------------------------------------
def gen(mid, text, typ="Text"):
    return json.dumps({"id": mid, "type": typ, "text": text, "direction": "Outbound",
                       "channel": {"id": "ch", "platform": "Open", "type": "Private",
                                   "from": {"id": "agent-1", "nickname": "Agent"},
                                   "to": {"id": "cust-1"}, "time": "2026-01-01T00:00:00Z"}}).encode()


body = gen("gm-1", QUARANTINE)
st, _, data = http_req("POST", "/hooks/gen", body, sign_genesys(body))
ok(st == 200 and js(data)["messages"][0]["action"] == "quarantine", "genesys: a valid signed message is scanned", st, data)
ok(http_req("POST", "/hooks/gen", body, sign_genesys(body + b"x"))[0] == 401, "genesys: a bad signature is 401")
ok(http_req("POST", "/hooks/gen", body.replace(b"iex", b"IEX"), sign_genesys(body))[0] == 401,
   "genesys: a tampered body is 401")
st, _, data = http_req("POST", "/hooks/gen", body, sign_genesys(body))
ok(st == 200 and js(data)["messages"][0].get("duplicate"), "genesys: a replay gets the first verdict", data)
body = gen("gm-2", "", "Receipt")
ok(http_req("POST", "/hooks/gen", body, sign_genesys(body))[0] == 200, "genesys: receipts are acknowledged")

# --- Slack -----------------------------------------------------------------------
body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                   "type": "url_verification"}).encode()
st, _, data = http_req("POST", "/hooks/slack", body, sign_slack(body))
ok(st == 200 and js(data) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
   "slack: url_verification is answered with its challenge", st, data)
ok(http_req("POST", "/hooks/slack", body, {})[0] == 401, "slack: an unsigned url_verification is 401")


def slack_ev(eid, text, user="U1"):
    return json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": eid, "event_time": 1, "event": {
                           "type": "message", "user": user, "text": text, "ts": "1.0",
                           "channel": "C1", "channel_type": "channel"}}).encode()


received.clear()
body = slack_ev("Ev1", RELEASE)
st, _, data = http_req("POST", "/hooks/slack", body, sign_slack(body))
ok(st == 200 and js(data)["messages"][0]["action"] == "release", "slack: a valid signed message is scanned", st, data)
ok(len(received) == 1 and received[0][0].get("X-Vigie-Signature", "").startswith("v1=") and
   hmac.compare_digest(received[0][0]["X-Vigie-Signature"][3:],
                       hexmac("down-secret", received[0][0]["X-Vigie-Timestamp"].encode() + b"." + received[0][1])),
   "slack: the released message is forwarded downstream, signed with downstream_secret", received)
ok(http_req("POST", "/hooks/slack", body, sign_slack(body, ts=int(time.time()) - 400))[0] == 401,
   "slack: a timestamp older than 5 minutes is 401 (replay)")
hd = sign_slack(body)
hd["X-Slack-Signature"] = "v0=" + "0" * 64
ok(http_req("POST", "/hooks/slack", body, hd)[0] == 401, "slack: a bad signature is 401")
ok(http_req("POST", "/hooks/slack", body.replace(b"Hello", b"Hallo"), sign_slack(body))[0] == 401,
   "slack: a tampered body is 401")
received.clear()
hd = sign_slack(body)
hd["X-Slack-Retry-Num"] = "1"
hd["X-Slack-Retry-Reason"] = "http_timeout"
st, _, data = http_req("POST", "/hooks/slack", body, hd)
ok(st == 200 and js(data)["messages"][0].get("duplicate") and received == [],
   "slack: a retry (X-Slack-Retry-Num, same event_id) is a duplicate, not forwarded twice", data)

# --- Teams -----------------------------------------------------------------------
def teams_act(aid, text):
    return json.dumps({"type": "message", "id": aid, "timestamp": "2026-01-01T00:00:00Z",
                       "channelId": "msteams", "serviceUrl": "https://smba.example/",
                       "from": {"id": "29:1", "name": "Agent"}, "conversation": {"id": "19:c"},
                       "text": "<at>Vigie</at> " + text, "textFormat": "plain"}).encode()


body = teams_act("t-1", TAG)
st, _, data = http_req("POST", "/hooks/teams", body, sign_teams(body))
j = js(data) or {}
ok(st == 200 and j.get("type") == "message" and "fraudulent" in j.get("text", ""),
   "teams: a valid signed message gets a reply with the warning", st, data)
body = teams_act("t-2", RELEASE)
st, _, data = http_req("POST", "/hooks/teams", body, sign_teams(body))
ok(st == 200 and js(data) == {"type": "message", "text": ""}, "teams: a clean message gets an empty reply", data)
ok(http_req("POST", "/hooks/teams", body, sign_teams(body, key=SECRETS["teams"].encode()))[0] == 401,
   "teams: HMAC keyed with the undecoded secret is 401")
ok(http_req("POST", "/hooks/teams", body.replace(b"Hello", b"Hallo"), sign_teams(body))[0] == 401,
   "teams: a tampered body is 401")
scans = metric('vigie_webhook_messages_total{channel="teams",platform="teams",action="release"}')
st, _, data = http_req("POST", "/hooks/teams", body, sign_teams(body))
ok(st == 200 and metric('vigie_webhook_messages_total{channel="teams",platform="teams",action="release"}') == scans,
   "teams: a replayed activity is not scanned twice", data)

# --- Zendesk ---------------------------------------------------------------------
def zd_ev(cid, text):
    return json.dumps({"type": "zen:event-type:ticket.comment_added", "id": "ev-" + cid,
                       "account_id": 1, "detail": {"id": "4242"}, "event": {"comment": {
                           "id": cid, "body": text, "author": {"id": "zu1", "name": "Requester"}}}}).encode()


received.clear()
body = zd_ev("zc-1", RELEASE)
st, _, data = http_req("POST", "/hooks/zd", body, sign_zendesk(body))
ok(st == 200 and js(data)["messages"][0]["action"] == "release" and len(received) == 1,
   "zendesk: a valid signed comment is scanned and forwarded", st, data)
old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
ok(http_req("POST", "/hooks/zd", body, sign_zendesk(body, ts=old))[0] == 401, "zendesk: an old timestamp is 401 (replay)")
hd = sign_zendesk(body)
hd["X-Zendesk-Webhook-Signature"] = b64mac("wrong", b"x")
ok(http_req("POST", "/hooks/zd", body, hd)[0] == 401, "zendesk: a bad signature is 401")
ok(http_req("POST", "/hooks/zd", body.replace(b"Hello", b"Hallo"), sign_zendesk(body))[0] == 401,
   "zendesk: a tampered body is 401")
body = generic_body(QUARANTINE, "zd-chat-1", author="zq")
received.clear()
st, _, data = http_req("POST", "/hooks/zd", body, sign_zendesk(body))
ok(st == 200 and js(data)["messages"][0]["action"] == "quarantine" and received == [],
   "zendesk: a trigger payload in chat JSON is read; the quarantined message is held", st, data)

# --- flood: one author throttled, another served ---------------------------------
results = {}


def flood(author, count, out):
    codes = []
    for i in range(count):
        b = generic_body(RELEASE, f"flood-{author}-{i}", author=author, conv="conv-" + author)
        codes.append(http_req("POST", "/v1/messages", b, sign_generic(b))[0])
    out[author] = codes


th = threading.Thread(target=flood, args=("flooder", 40, results))
th.start()
time.sleep(0.05)
flood("quiet", 3, results)
th.join()
fl = results["flooder"]
ok(fl.count(429) >= 30 and fl.count(200) >= 5 and results["quiet"] == [200, 200, 200],
   "flood: the flooding author gets 429 while another author is served", fl, results["quiet"])
b = generic_body(RELEASE, "flood-x", author="flooder", conv="conv-flooder")
st, h, data = http_req("POST", "/v1/messages", b, sign_generic(b))
ok(st == 429 and int(h.get("retry-after", "0")) >= 1 and "author" in js(data)["error"],
   "flood: 429 says which limit and when to retry", st, h, data)
ok(metric('vigie_webhook_rate_limited_total{channel="web",scope="author"}') >= 30,
   "flood: refusals are counted in /metrics")

# --- slow clients are dropped; others are served meanwhile ------------------------
slow = socket.create_connection(("127.0.0.1", PORT))
slow.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
st, _, _ = http_req("GET", "/healthz")
t0 = time.time()
slow.settimeout(6)
try:
    closed = slow.recv(100) is not None
except socket.timeout:
    closed = False
ok(st == 200 and closed and time.time() - t0 < 5,
   "a slow client is cut after [webhook] connection_timeout; others are served meanwhile")
slow.close()

# --- /metrics ------------------------------------------------------------------
st, h, data = http_req("GET", "/metrics")
text = data.decode()
want = ["# TYPE vigie_webhook_messages_total counter",
        'vigie_webhook_messages_total{channel="web",platform="generic",action="quarantine"}',
        'vigie_webhook_messages_total{channel="meta",platform="meta",action="release"}',
        "# TYPE vigie_webhook_scan_seconds histogram", 'vigie_webhook_scan_seconds_bucket{le="+Inf"}',
        "vigie_webhook_findings_total{category=", 'vigie_webhook_signature_failures_total{channel="slack"}',
        "vigie_quarantine_items ", "vigie_engine_loaded 1"]
missing = [w for w in want if w not in text]
ok(st == 200 and h["content-type"].startswith("text/plain") and not missing,
   "GET /metrics: Prometheus text with messages, findings, latency, failures, quarantine", missing)
sig_fail = metric('vigie_webhook_signature_failures_total{channel="web"}')
ok(sig_fail is not None and sig_fail >= 5, "metrics: signature failures counted", sig_fail)
items = metric("vigie_quarantine_items")
ok(items == len([f for f in os.listdir(f"{T}/q/new") if f.endswith(".json")]),
   "metrics: the quarantine size matches the folder", items)

log = open(LOG).read()
ok(not any(s in log for s in SECRETS.values()) and "down-secret" not in log and "tok-123" not in log,
   "no secret appears in the log")
rc = stop()
ok(rc == 0 and "stopped" in open(LOG).read(), "SIGTERM stops the webhook-only daemon cleanly", rc)

# --- both front ends in one process ----------------------------------------------
conf = write_conf("both", milter="yes")
if start(conf):
    ok(os.path.exists(f"{T}/milter.sock"), "milter and webhook run in one process (milter socket present)")
    b = generic_body(RELEASE, "both-1", author="both")
    st, _, _ = http_req("POST", "/v1/messages", b, sign_generic(b))
    ok(st == 200 and 'vigie_milter_messages_total{action="release"}' in http_req("GET", "/metrics")[2].decode(),
       "with the milter on, /metrics has the milter's counters too")
    ok(stop() == 0 and not os.path.exists(f"{T}/milter.sock"), "SIGTERM stops both front ends")

# --- configuration -----------------------------------------------------------------
def check_conf(name, text):
    p = f"{T}/conf/{name}.conf"
    open(p, "w").write(text)
    r = subprocess.run([VIGIED, "-c", p, "-f"], capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


rc, out = check_conf("none", f"[milter]\nenabled = no\n[webhook]\nenabled = no\n[quarantine]\ndir = {T}/q\n")
ok(rc == 78 and "enable at least one front end" in out, "both front ends disabled: exit 78", rc, out)
rc, out = check_conf("nosecret", "[webhook]\nenabled = yes\n[webhook.x]\nplatform = slack\n")
ok(rc == 78 and "[webhook.x] secret is required" in out, "a channel without secret is refused", out)
rc, out = check_conf("badplat", "[webhook.x]\nplatform = myspace\nsecret = s\n")
ok(rc == 78 and "platform" in out and "myspace" in out, "an unknown platform is refused, with the choices", out)
rc, out = check_conf("badkey", "[webhook.x]\nplatform = slack\nsecret = s\nsecrt = t\n")
ok(rc == 78 and "unknown key 'secrt' in [webhook.x]" in out, "an unknown key in a channel is refused", out)
rc, out = check_conf("twnourl", "[webhook.x]\nplatform = twilio\nsecret = s\n")
p = f"{T}/conf/twnourl.conf"
r = subprocess.run([VIGIED, "-c", p, "--check-config"], capture_output=True, text=True, timeout=60)
ok(r.returncode == 78 and "public_url is required" in r.stderr and " s\n" not in r.stderr,
   "--check-config: twilio without public_url is refused, the secret is not printed", r.stderr)

shutil.rmtree(T, ignore_errors=True)
done()
