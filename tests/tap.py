# tap.py - what the python integration tests share: their TAP lines, free
# loopback ports, and a vigied started, polled until it serves and stopped.
# Import it with the test's own folder on sys.path.
import http.client
import json
import signal
import socket
import subprocess
import sys
import time

count = failed = 0


def ok(cond, name, *info):
    """one TAP line; info (the last lines of each) is printed on failure"""
    global count, failed
    count += 1
    if cond:
        print(f"ok {count} - {name}")
    else:
        failed += 1
        print(f"not ok {count} - {name}")
        for line in info:
            for l in str(line).splitlines()[-15:]:
                print(f"# {l}")
    sys.stdout.flush()
    return cond


def done():
    """the plan line, then exit 1 if anything failed"""
    print(f"1..{count}")
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


def free_ports(k):
    """k distinct free loopback ports (all held open while choosing, so the
    kernel cannot hand out the same one twice)"""
    socks = []
    for _ in range(k):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def vigied_start(vigied, conf, log, port, ready_timeout=60):
    """vigied -f on conf, its output appended to log; polls GET /healthz on
    the loopback port until the engine is loaded. The process, or None (the
    log's last lines printed) when it exits or never serves"""
    p = subprocess.Popen([vigied, "-c", conf, "-f"], stdout=open(log, "a"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline and p.poll() is None:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            ready = json.loads(c.getresponse().read()).get("status") == "ok"
            c.close()
            if ready:
                return p
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    for line in open(log, errors="replace").read().splitlines()[-20:]:
        print("# " + line)
    if p.poll() is None:
        p.kill()
        p.wait()
    return None


def vigied_stop(p, timeout=20):
    """SIGTERM, then SIGKILL after timeout seconds; the exit code (-1 killed)"""
    if p is None:
        return None
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return -1


def metric(port, name_labels):
    """the value of one series of the webhook's /metrics, or None"""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    for line in text.splitlines():
        if line.startswith(name_labels + " "):
            return float(line.split()[-1])
    return None


def generic_chat(port, secret, text, mid, author, name="A", conversation=None):
    """a chat message POSTed to the generic platform's /v1/messages, signed
    as it signs (v1=HMAC-SHA256 of "TIMESTAMP.BODY"); (status, the JSON
    answer, or {"raw": text} when it is not JSON)"""
    import hashlib
    import hmac
    body = json.dumps({"channel": "chat", "platform": "whatsapp",
                       "conversation": conversation or "c-" + mid, "message_id": mid,
                       "author": {"id": author, "name": name}, "text": text}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/v1/messages", body=body, headers={"X-Vigie-Timestamp": ts, "X-Vigie-Signature": sig})
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, {"raw": data.decode(errors="replace")}


def redis_start(port, password, workdir):
    """a redis-server on the loopback port, without persistence, polled
    until it accepts connections (at most 5 s); the process"""
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password,
                          "--save", "", "--appendonly", "no", "--dir", workdir],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    return p
