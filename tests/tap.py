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
