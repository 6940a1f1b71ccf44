#!/usr/bin/env python3
# two_nodes_test.py VIGIE VIGIED SRCDIR - two vigied nodes on one real
# redis-server (started here on a loopback port, and stopped), as behind a
# load balancer: a flood from one author split across both nodes is limited
# as one ([webhook] shared_limits), and a chat lure quarantined by node A is
# recognised by node B (campaign memory in the shared store), and its
# delivery retried to node B gets node A's verdict (shared_dedup); with
# redis killed each node keeps its own limits, and shares again when redis
# is back. Then the same
# flood with shared_limits = no: each node lets its own burst through, so
# the first check could fail. Prints TAP.
import os, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, generic_chat, metric, ok, redis_start, vigied_start, vigied_stop  # noqa: E402

VIGIE, VIGIED, SRC = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
T = tempfile.mkdtemp(prefix="vigie-two-nodes.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root
SECRET = "two-nodes-secret"
PW = "pw-two-nodes"
LURE = ("Bonjour, votre compte sera suspendu sous 24h. Confirmez vos identifiants et votre mot de "
        "passe ici : https://secure-verify-account.top/login/confirm?id=4410 Le service client")
procs = {}


def write_conf(node, port, rport, shared):
    text = f"""[core]
signatures = {SRC}/signatures
[av]
system_database = off
[daemon]
syslog = no
user = nobody
shutdown_timeout = 5
[milter]
enabled = no
[webhook]
enabled = yes
port = {port}
author_rate = 1
author_burst = 5
shared_limits = {shared}
shared_dedup = {shared}
[webhook.web]
platform = generic
secret = {SECRET}
[quarantine]
dir = {T}/q-{node}
[store]
enabled = yes
backend = redis
redis_port = {rport}
redis_password = {PW}
redis_prefix = two:
key_file = {T}/store.key
timeout = 200
retry = 1
"""
    path = f"{T}/{node}.conf"
    with open(path, "w") as f:
        f.write(text)
    return path


def start(node, conf, port):
    p = vigied_start(VIGIED, conf, f"{T}/{node}.log", port)
    if p:
        procs[node] = p
    return p is not None


def stop_all():
    for p in procs.values():
        vigied_stop(p, 15)
    procs.clear()


def chat(port, text, mid, author):
    return generic_chat(port, SECRET, text, mid, author)


def flood(ports, tag):
    """20 messages of one author, in turn to each node, within one minute
    of the wall clock (the shared window); statuses, or None if the minute
    turned three times"""
    for attempt in range(3):
        minute = int(time.time()) // 60
        statuses = [chat(ports[i % 2], f"bonjour, message {i}", f"{tag}-{attempt}-{i}",
                         f"flooder-{tag}-{attempt}")[0] for i in range(20)]
        if int(time.time()) // 60 == minute:
            return statuses
    return None


def start_redis(port):
    return redis_start(port, PW, T)


PA, PB, RPORT = free_ports(3)
redis = start_redis(RPORT)
try:
    a = write_conf("a", PA, RPORT, "yes")
    b = write_conf("b", PB, RPORT, "yes")
    if ok(start("a", a, PA) and start("b", b, PB), "two vigied nodes start on one redis-server"):
        st = flood([PA, PB], "shared")
        ok(st is not None and st.count(200) == 6 and st.count(429) == 14,
           "shared limits: one author's 20 messages over two nodes, 6 accepted (rate 1 + burst 5), 14 refused",
           st)
        st, j = chat(PA, LURE, "lure-a", "mallory")
        qid_a = j.get("quarantine_id")
        ok(st == 200 and j.get("action") == "quarantine" and qid_a, "node A quarantines a chat lure", j)
        st, j = chat(PB, "Votre acces : https://secure-verify-account.top/login/confirm?id=4410", "lure-b",
                     "trent")
        ok(st == 200 and any(f["rule"].startswith("memory.campaign") for f in j.get("findings", [])),
           "node B recognises its link from the shared store's campaign memory", j)
        # a platform's retry reaching the other node: the first verdict, not a second scan
        def items(node):
            d = f"{T}/q-{node}/new"
            return sorted(x for x in os.listdir(d) if x.endswith(".json")) if os.path.isdir(d) else []
        before = items("a") + items("b")
        st2, j2 = chat(PB, LURE, "lure-a", "mallory")
        items_b = items("a") + items("b")
        ok(st2 == 200 and j2.get("action") == "quarantine" and j2.get("duplicate") is True and
           j2.get("quarantine_id") == qid_a and items_b == before,
           "a delivery retried to node B gets node A's verdict and item, not a second quarantine", j2, items_b)
        ok(metric(PB, 'vigie_webhook_duplicates_total{channel="web"}') == 1, "node B counts it as a duplicate")
        # redis killed mid-run: both nodes go on at once with their own limits,
        # then share again when it is back (the store reconnects by itself)
        redis.kill()
        redis.wait()
        t0 = time.monotonic()
        st = flood([PA, PB], "down")
        took = time.monotonic() - t0
        ok(st is not None and st.count(200) == 10 and took < 10,
           f"redis down: each node keeps its own limits (10 accepted), no hang ({took:.1f} s for 20)", st)
        redis = start_redis(RPORT)
        time.sleep(2)  # past the store's retry delay ([store] retry = 1)
        st = flood([PA, PB], "back")
        ok(st is not None and st.count(200) == 6, "redis back: the nodes limit as one again (6 accepted)", st)
    stop_all()
    a = write_conf("a", PA, RPORT, "no")
    b = write_conf("b", PB, RPORT, "no")
    if ok(start("a", a, PA) and start("b", b, PB), "the nodes restart with shared_limits and shared_dedup = no"):
        st = flood([PA, PB], "own")
        ok(st is not None and st.count(200) == 10,
           "own limits only: each node lets its burst of 5 through (10 accepted): the shared count is what held",
           st)
        st, j = chat(PA, LURE, "lure-c", "mallory")
        st2, j2 = chat(PB, LURE, "lure-c", "mallory")
        ok(st == 200 and st2 == 200 and "duplicate" not in j2 and j2.get("quarantine_id") != j.get("quarantine_id"),
           "shared_dedup = no: the retry on node B is scanned and quarantined again", j, j2)
finally:
    stop_all()
    redis.kill()
    redis.wait()
done()
