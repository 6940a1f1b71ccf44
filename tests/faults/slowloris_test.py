#!/usr/bin/env python3
# slowloris_test.py VIGIED SRCDIR - the webhook under slow and greedy
# clients (issue 11, item 5), over HTTP and HTTPS: a real vigied on a
# loopback port, attackers on 127.0.0.1 (the whole of 127/8 is loopback,
# so other addresses are other clients). One address holds no more than
# [webhook] max_connections_per_ip (the next ones get 503, then a silent
# close at accept); connections dripping bytes, headers sent forever,
# slow bodies and stalled TLS handshakes are closed by request_timeout and
# min_receive_rate, while a signed request from 127.0.0.2 keeps getting its
# verdict in time. Bounded: about 40 s. Prints TAP.
import hashlib, hmac, http.client, json, os, select, shutil, signal, socket, ssl
import subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import done, free_ports, ok  # noqa: E402

VIGIED, SRC = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="vigie-slowloris.")
PORT, = free_ports(1)
SECRET = "generic-secret"
PER_IP, HARD = 8, 12          # max_connections_per_ip, and libmicrohttpd's limit (+ max(4, n/4))
TIMEOUT, RATE, GRACE = 4, 64, 2
os.makedirs(f"{T}/conf")
os.symlink(f"{SRC}/signatures", f"{T}/signatures")
LOG = f"{T}/vigied.log"


def write_conf(name, tls=""):
    p = f"{T}/conf/{name}.conf"
    with open(p, "w") as f:
        f.write(f"""[av]
system_database = off
[daemon]
syslog = no
# as root: served as nobody, one more silent TLS connection of the 10 in
# per_ip_limit is closed early (to be understood); the limits are the same
user =
allow_root = yes
shutdown_timeout = 5
[milter]
enabled = no
[webhook]
enabled = yes
port = {PORT}
threads = 2
connection_timeout = 30
max_connections = 64
max_connections_per_ip = {PER_IP}
request_timeout = {TIMEOUT}
author_rate = 0
conversation_rate = 0
min_receive_rate = {RATE}
{tls}
[quarantine]
dir = {T}/q
[channel.chat]
tag = 5
quarantine = 12
[webhook.web]
platform = generic
secret = {SECRET}
""")
    return p


proc = None


def start(conf):
    global proc
    proc = subprocess.Popen([VIGIED, "-c", conf, "-f"], stdout=open(LOG, "a"), stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.2).close()
            return True
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    print("# vigied did not start:")
    for line in open(LOG).read().splitlines()[-20:]:
        print("# " + line)
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


CTX = None  # an ssl context once the HTTPS half runs


def conn(src, timeout=3.0):
    if CTX:
        return http.client.HTTPSConnection("127.0.0.1", PORT, context=CTX, timeout=timeout,
                                           source_address=(src, 0))
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout, source_address=(src, 0))


def signed(mid):
    body = json.dumps({"channel": "chat", "platform": "webchat", "conversation": "c1",
                       "message_id": mid, "author": {"id": "good", "name": "G"},
                       "text": "Hello, what time does the shop open tomorrow?"}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"X-Vigie-Timestamp": ts, "X-Vigie-Signature": sig, "Content-Type": "application/json"}


def verdict(src, mid, timeout=3.0):
    """(status, seconds) of one signed request from src; status None on failure"""
    t0 = time.monotonic()
    try:
        c = conn(src, timeout)
        body, hd = signed(mid)
        c.request("POST", "/v1/messages", body, hd)
        r = c.getresponse()
        data = r.read()
        c.close()
        st = r.status if json.loads(data).get("action") == "release" else -r.status
    except Exception as e:
        print(f"# {src} {mid}: {e!r}")
        st = None
    return st, time.monotonic() - t0


def metric(name):
    c = conn("127.0.0.2")
    c.request("GET", "/metrics")
    for line in c.getresponse().read().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def raw(src):
    s = socket.create_connection(("127.0.0.1", PORT), 3, source_address=(src, 0))
    return CTX.wrap_socket(s, server_hostname="localhost") if CTX else s


def read_all(s, limit):
    """what the server sends until it closes or limit seconds pass; and
    whether it closed"""
    s.settimeout(0.2)
    out, end = b"", time.monotonic() + limit
    while time.monotonic() < end:
        try:
            d = s.recv(4096)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except OSError:
            return out, True
        if not d:
            return out, True
        out += d
    return out, False


def wait_connections(done_when, limit=10.0):
    """poll the server's count of open connections (/metrics, from
    127.0.0.2) until done_when(count) or limit seconds; the last count"""
    end, n = time.monotonic() + limit, None
    while True:
        try:
            c = conn("127.0.0.2")
            c.request("GET", "/metrics")
            for line in c.getresponse().read().decode().splitlines():
                if line.startswith("vigie_webhook_connections "):
                    n = int(line.split()[-1])
            c.close()
        except Exception as e:
            print(f"# /metrics: {e!r}")
        if (n is not None and done_when(n)) or time.monotonic() >= end:
            return n
        time.sleep(0.05)


def closed_within(socks, done_when, limit):
    """poll plain sockets until done_when(how many the server closed) or
    limit seconds; that count at that moment, and the sockets still open"""
    open_, shut, end = list(socks), 0, time.monotonic() + limit
    while open_ and not done_when(shut) and time.monotonic() < end:
        readable, _, _ = select.select(open_, [], [], 0.05)
        for s in readable:
            try:
                gone = not s.recv(4096)
            except BlockingIOError:
                gone = False
            except OSError:
                gone = True
            if gone:
                open_.remove(s)
                shut += 1
    return shut, open_


def per_ip_limit(tag):
    """PER_IP kept-alive connections from one address; the next ones: 503
    (each then closed); more at once than libmicrohttpd's margin: refused at
    accept"""
    held, answers = [], []
    for i in range(PER_IP + 6):
        c = conn("127.0.0.1")
        try:
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            answers.append((r.status, r.getheader("Retry-After")))
        except Exception:
            answers.append(("closed", None))
        held.append(c)
    got = [a[0] for a in answers]
    ok(got[:PER_IP] == [200] * PER_IP and all(a == (503, "5") for a in answers[PER_IP:]),
       f"{tag}: one address holds {PER_IP} connections; the next get 503 with Retry-After", got)
    # the 503 ones are closed by the server: once it no longer counts them,
    # 127.0.0.1 holds PER_IP (the gauge also counts the /metrics request)
    gauge = wait_connections(lambda n: n <= PER_IP + 1)
    idle = [socket.create_connection(("127.0.0.1", PORT), 3) for _ in range(10)]
    # those beyond libmicrohttpd's margin are closed at their accept, the
    # others GRACE s after theirs: the accepts come one after the other, so
    # whenever the first closes are seen (a loaded machine may accept late)
    # they are the refused ones, and the waiting ones are still open
    refused = 10 - (HARD - PER_IP)
    shut, rest = closed_within(idle, lambda n: n >= refused, GRACE + 3)
    # and no more for a second: the waiting ones were accepted before
    # those, so they stay open until GRACE s after that
    shut += closed_within(rest, lambda n: False, 1.0)[0]
    ok(shut == refused, f"{tag}: with {PER_IP} held, {HARD - PER_IP} more silent "
       f"connections wait for their 503, the other {refused} are refused at accept", shut,
       f"server count before: {gauge}")
    t0 = time.monotonic()
    shut = [read_all(s, GRACE + 1.5)[1] for s in idle]
    ok(all(shut), f"{tag}: the waiting ones are closed within {GRACE} s", shut, time.monotonic() - t0)
    for s in idle:
        s.close()
    st, dt = verdict("127.0.0.2", f"{tag}-ip")
    ok(st == 200, f"{tag}: meanwhile another address gets its verdict", st, dt)
    for c in held:
        c.close()
    wait_connections(lambda n: n <= 1)


def keepalive(tag):
    """idle time between requests is not judged by the rate"""
    c = conn("127.0.0.2", 5)
    try:
        c.request("GET", "/healthz")
        r = c.getresponse()
        r.read()
        a = r.status
        time.sleep(GRACE + 1.2)
        c.request("GET", "/healthz")
        r = c.getresponse()
        r.read()
        b = r.status
    except Exception as e:
        a = b = repr(e)
    ok(a == 200 and b == 200, f"{tag}: a kept-alive connection idle {GRACE + 1.2:.1f} s serves its "
       "next request", a, b)
    c.close()


def drip_headers(src, every, out):
    """headers sent forever, one line every `every` seconds (fast enough for
    the rate when every is small): (seconds until closed, answer)"""
    s = raw(src)
    t0 = time.monotonic()
    s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\n")
    try:
        while time.monotonic() - t0 < TIMEOUT + 4:
            s.sendall(b"X-Pad: " + b"a" * 40 + b"\r\n")
            d, closed = read_all(s, every)
            if closed or d:
                out.append((time.monotonic() - t0, d))
                return
    except OSError:
        out.append((time.monotonic() - t0, b""))
        return
    out.append((None, b""))


def drip_body(src, out):
    s = raw(src)
    t0 = time.monotonic()
    s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
    try:
        while time.monotonic() - t0 < TIMEOUT + 4:
            s.sendall(b" ")
            d, closed = read_all(s, 1.0)
            if closed or d:
                out.append((time.monotonic() - t0, d))
                return
    except OSError:
        out.append((time.monotonic() - t0, b""))
        return
    out.append((None, b""))


def slow_honest(src, out):
    """a signed request sent at about 150 bytes a second: served"""
    body, hd = signed("slow-honest-" + CTXNAME)
    head = "POST /v1/messages HTTP/1.1\r\nHost: x\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hd.items())
    req = (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    s = raw(src)
    for i in range(0, len(req), 15):
        s.sendall(req[i:i + 15])
        time.sleep(0.1)
    d, _ = read_all(s, 5)
    out.append(d)


def slow_clients(tag):
    res = {"hdr": [], "fast_hdr": [], "body": [], "honest": []}
    th = [threading.Thread(target=drip_headers, args=("127.0.0.3", 1.0, res["hdr"])),
          threading.Thread(target=drip_headers, args=("127.0.0.4", 0.2, res["fast_hdr"])),
          threading.Thread(target=drip_body, args=("127.0.0.5", res["body"])),
          threading.Thread(target=slow_honest, args=("127.0.0.6", res["honest"]))]
    for t in th:
        t.start()
    for t in th:
        t.join(TIMEOUT + 10)
    answer = b"" if CTX else b"408"
    (t, d), = res["hdr"] or [(None, b"")]
    # over TLS the handshake's bytes count for the rate: request_timeout ends them
    end = TIMEOUT if CTX else GRACE
    ok(t is not None and end - 0.1 <= t <= end + 1.5 and answer in d,
       f"{tag}: headers dripping below min_receive_rate are closed after {end} s"
       + ("" if CTX else " with 408"), t, d[:80])
    (t, d), = res["fast_hdr"] or [(None, b"")]
    ok(t is not None and TIMEOUT - 0.1 <= t <= TIMEOUT + 1.5 and answer in d,
       f"{tag}: headers sent fast enough but for ever are closed at request_timeout ({TIMEOUT} s)",
       t, d[:80])
    (t, d), = res["body"] or [(None, b"")]
    ok(t is not None and t <= end + 1.5 and answer in d,
       f"{tag}: a body dripping below min_receive_rate is closed", t, d[:80])
    d = res["honest"][0] if res["honest"] else b""
    ok(d.startswith(b"HTTP/1.1 200") and b'"release"' in d,
       f"{tag}: a slow but steady client (150 B/s, 2 s) is served", d[:200])


def stalled(s):
    """a connection that starts its request (or TLS handshake) and stalls"""
    if CTX:
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # half a ClientHello
    else:
        s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\n")


def slowloris(tag, n=300, seconds=8):
    """n connections from 127.0.0.1 stalling or dripping a byte a second,
    reopened as soon as closed; a good client on 127.0.0.2 every 0.5 s"""
    socks, stop_at = [], time.monotonic() + seconds
    oldest, max_alive, opened = 0.0, 0, 0

    def attacker():
        nonlocal oldest, max_alive, opened
        while time.monotonic() < stop_at:
            now, alive = time.monotonic(), 0
            for i in range(n):
                if i < len(socks):
                    s, born = socks[i]
                    try:
                        s.recv(4096)
                        closed = True  # data (a 408 or 503) or the end of the stream
                    except BlockingIOError:
                        closed = False
                    except OSError:
                        closed = True
                    if not closed:
                        try:
                            if not CTX:
                                s.send(b"X")
                            if now - born >= 1.0:
                                alive += 1
                            oldest = max(oldest, now - born)
                            continue
                        except OSError:
                            pass
                    s.close()
                try:
                    s = socket.create_connection(("127.0.0.1", PORT), 1, source_address=("127.0.0.1", 0))
                    stalled(s)
                    s.setblocking(False)
                    opened += 1
                except OSError:
                    s = socket.socket()
                if i < len(socks):
                    socks[i] = (s, time.monotonic())
                else:
                    socks.append((s, time.monotonic()))
            max_alive = max(max_alive, alive)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))

    at = threading.Thread(target=attacker)
    at.start()
    time.sleep(1.5)
    results = []
    k = 0
    while time.monotonic() < stop_at - 0.5:
        results.append(verdict("127.0.0.2", f"{tag}-{k}"))
        k += 1
        time.sleep(0.4)
    at.join(seconds + 10)
    for s, _ in socks:
        s.close()
    bad = [r for r in results if r[0] != 200 or r[1] > 2.0]
    ok(results and not bad, f"{tag}: during {n} slow connections from 127.0.0.1 ({opened} opened "
       f"in {seconds} s), every signed request from 127.0.0.2 gets its verdict within 2 s "
       f"({len(results)} requests, slowest {max(r[1] for r in results) if results else 0:.2f} s)", bad)
    ok(max_alive <= HARD, f"{tag}: 127.0.0.1 never holds more than {HARD} connections for a second "
       f"(max_connections_per_ip {PER_IP}, the rest answered 503 then refused) - held {max_alive}", max_alive)
    ok(oldest <= GRACE + 1.5, f"{tag}: no stalled connection lives past {GRACE} s plus a tick "
       f"(oldest {oldest:.1f} s)", oldest)


# --- HTTP --------------------------------------------------------------------
CTXNAME = "http"
if not start(write_conf("http")):
    sys.exit(1)
st, dt = verdict("127.0.0.2", "warm")
ok(st == 200, "http: a signed request gets its verdict", st)
keepalive("http")
per_ip_limit("http")
slow_clients("http")
slowloris("http")
ok((metric('vigie_webhook_connections_closed_total{reason="min_receive_rate"}') or 0) > 0 and
   (metric('vigie_webhook_connections_closed_total{reason="per_ip_limit"}') or 0) > 0 and
   (metric('vigie_webhook_connections_closed_total{reason="request_timeout"}') or 0) > 0,
   "http: /metrics counts the connections closed, by reason")
ok(stop() == 0, "http: vigied stops cleanly after the attack", open(LOG).read()[-2000:])

# --- HTTPS: stalled handshakes -------------------------------------------------
cert, key = f"{T}/c.crt", f"{T}/c.key"
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   capture_output=True, text=True, timeout=60)
if ok(r.returncode == 0, "https: a test certificate", r.stderr) and \
        start(write_conf("https", f"tls_cert = {cert}\ntls_key = {key}")):
    CTX = ssl.create_default_context(cafile=cert)
    CTXNAME = "https"
    st, dt = verdict("127.0.0.2", "tls-warm")
    ok(st == 200, "https: a signed request gets its verdict", st)
    per_ip_limit("https")
    slow_clients("https")
    slowloris("https", seconds=7)
    ok(stop() == 0, "https: vigied stops cleanly after the attack", open(LOG).read()[-2000:])
if proc:
    proc.kill()
shutil.rmtree(T, ignore_errors=True)
done()
