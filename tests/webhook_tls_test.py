#!/usr/bin/env python3
# webhook_tls_test.py VIGIED SRCDIR - the webhook's own TLS ([webhook]
# tls_cert, tls_key) end to end: a self-signed certificate made here with
# the openssl command, a vigied started on a loopback port with it, and
# python's ssl module as the client, trusting only that certificate. A
# signed request over HTTPS gets its verdict; plain HTTP to the TLS port
# gets no answer; missing or broken certificate and key files stop the
# start with an error that names the file. Prints TAP.
import hashlib, hmac, http.client, json, os, shutil, signal, socket, ssl, subprocess, sys
import tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, ok  # noqa: E402

VIGIED, SRC = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="vigie-webhook-tls.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root: its socket goes here
SECRET = "tls-generic-secret"






def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)


def make_pair(name):
    """a self-signed P-256 certificate for localhost and 127.0.0.1, and its key"""
    cert, key = f"{T}/{name}.crt", f"{T}/{name}.key"
    r = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    if r.returncode != 0:
        print("# openssl failed: " + r.stderr.replace("\n", "\n# "))
        print("Bail out! cannot make a test certificate")
        sys.exit(1)
    return cert, key


PORT, = free_ports(1)
os.makedirs(f"{T}/conf")
os.symlink(f"{SRC}/signatures", f"{T}/signatures")
CERT, KEY = make_pair("server")
OTHER_CERT, OTHER_KEY = make_pair("other")


def write_conf(name, cert, key):
    path = f"{T}/conf/{name}.conf"
    with open(path, "w") as f:
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
connection_timeout = 2
tls_cert = {cert}
tls_key = {key}
[webhook.web]
platform = generic
secret = {SECRET}
[quarantine]
dir = {T}/q
""")
    return path


LOG = f"{T}/vigied.log"


def run_to_exit(conf):
    """vigied that should refuse to start: (exit code, output)"""
    try:
        r = subprocess.run([VIGIED, "-c", conf, "-f"], capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return None, f"still running after 60 s: {e}"


def generic_body(text, mid):
    return json.dumps({"channel": "chat", "platform": "webchat", "conversation": "c1",
                       "message_id": mid, "author": {"id": "alice"}, "text": text}).encode()


def sign(body):
    ts = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Vigie-Timestamp": ts, "X-Vigie-Signature": "v1=" + mac,
            "Content-Type": "application/json"}


def https(method, path, body=b"", headers=None, host="127.0.0.1", cafile=CERT):
    ctx = ssl.create_default_context(cafile=cafile)
    c = http.client.HTTPSConnection(host, PORT, timeout=10, context=ctx)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        der = c.sock.getpeercert(binary_form=True)
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data, der
    finally:
        c.close()


# --- a daemon with TLS ----------------------------------------------------------
proc = subprocess.Popen([VIGIED, "-c", write_conf("tls", CERT, KEY), "-f"], stdout=open(LOG, "w"),
                        stderr=subprocess.STDOUT)
up = False
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", PORT), 0.2).close()
        up = True
        break
    except OSError:
        if proc.poll() is not None:
            break
        time.sleep(0.1)
if not ok(up, "vigied starts with [webhook] tls_cert and tls_key", open(LOG).read()):
    print("Bail out! vigied did not start with TLS")
    sys.exit(1)

st, h, data, der = https("GET", "/healthz")
mine = ssl.PEM_cert_to_DER_cert(open(CERT).read())
ok(st == 200 and json.loads(data)["status"] == "ok" and der == mine,
   "GET /healthz over HTTPS: 200, and the server shows the configured certificate", st, data)

b = generic_body("Hello, what time does the shop open tomorrow?", "tls-1")
st, h, data, _ = https("POST", "/v1/messages", b, sign(b))
j = json.loads(data) if data.startswith(b"{") else {}
ok(st == 200 and j.get("action") == "release" and j.get("request_id") == h.get("x-request-id"),
   "a signed message over HTTPS is scanned: 200 with the verdict (release)", st, data)

b = generic_body("Hello again", "tls-2")
hd = sign(b)
hd["X-Vigie-Signature"] = "v1=" + "0" * 64
st, _, data, _ = https("POST", "/v1/messages", b, hd)
ok(st == 401, "a bad signature over HTTPS is still 401", st, data)

st, _, data, _ = https("GET", "/healthz", host="localhost")
ok(st == 200, "the certificate's name (localhost) verifies too", st)

try:
    https("GET", "/healthz", cafile=OTHER_CERT)
    refused = False
except ssl.SSLCertVerificationError:
    refused = True
ok(refused, "a client that trusts another certificate refuses the server")

# plain HTTP to the TLS port: no HTTP answer, and the server keeps serving
plain_answer = None
try:
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    c.request("GET", "/healthz")
    plain_answer = c.getresponse().status
    c.close()
except (OSError, http.client.HTTPException) as e:
    plain_error = e
ok(plain_answer is None, "plain HTTP to the TLS port fails (no HTTP answer)", plain_answer)
s = socket.create_connection(("127.0.0.1", PORT), 5)
s.settimeout(5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
try:
    reply = s.recv(100)
except OSError:
    reply = b""
s.close()
ok(not reply.startswith(b"HTTP/"), "a raw plain-text request gets no HTTP response", reply)
st, _, _, _ = https("GET", "/healthz")
ok(st == 200, "HTTPS still works after the plain-text attempts", st)

proc.send_signal(signal.SIGTERM)
try:
    rc = proc.wait(15)
except subprocess.TimeoutExpired:
    proc.kill()
    rc = -1
ok(rc == 0, "SIGTERM stops the TLS daemon cleanly", rc, open(LOG).read())

# --- start-up errors name the file ------------------------------------------------
missing = f"{T}/nowhere/cert.pem"
rc, out = run_to_exit(write_conf("nocert", missing, KEY))
ok(rc not in (0, None) and missing in out and "tls_cert" in out,
   "a missing tls_cert stops the start; the error names the file", rc, out)

missing = f"{T}/nowhere/key.pem"
rc, out = run_to_exit(write_conf("nokey", CERT, missing))
ok(rc not in (0, None) and missing in out and "tls_key" in out,
   "a missing tls_key stops the start; the error names the file", rc, out)

garbage = f"{T}/garbage.pem"
with open(garbage, "w") as f:
    f.write("this is not a certificate\n")
rc, out = run_to_exit(write_conf("badcert", garbage, KEY))
ok(rc not in (0, None) and garbage in out and "tls_cert" in out,
   "a tls_cert that is not PEM stops the start; the error names the file", rc, out)
rc, out = run_to_exit(write_conf("badkey", CERT, garbage))
ok(rc not in (0, None) and garbage in out and "tls_key" in out,
   "a tls_key that is not PEM stops the start; the error names the file", rc, out)

unreadable = f"{T}/unreadable.key"
shutil.copy(KEY, unreadable)
os.chmod(unreadable, 0)
if os.access(unreadable, os.R_OK):  # root reads anything: use a directory instead
    unreadable = f"{T}/conf"
rc, out = run_to_exit(write_conf("unreadable", CERT, unreadable))
ok(rc not in (0, None) and unreadable in out and "tls_key" in out,
   "an unreadable tls_key stops the start; the error names the file", rc, out)

rc, out = run_to_exit(write_conf("mismatch", CERT, OTHER_KEY))
ok(rc not in (0, None) and f"tls_cert = {CERT}" in out and f"tls_key = {OTHER_KEY}" in out,
   "a key that does not match the certificate stops the start, naming both files", rc, out)

path = write_conf("half", CERT, "")
rc, out = run_to_exit(path)
ok(rc == 78 and "tls_cert and tls_key go together" in out, "tls_cert without tls_key is refused", rc, out)

shutil.rmtree(T, ignore_errors=True)
done()
