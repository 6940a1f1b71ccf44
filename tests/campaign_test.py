#!/usr/bin/env python3
# campaign_test.py VIGIE VIGIED SRCDIR - campaign memory across channels, end
# to end, on each store backend: the embedded LMDB folder, then a real
# redis-server started here on a loopback port (and stopped). A lure mail
# goes through the milter (miltertest, tests/milter/lure.lua) and is
# quarantined; then signed webhook chat messages carrying its link, its
# phone number or its text are flagged with a finding that names the
# quarantine item; an unrelated one is not. `vigie quarantine confirm` keeps
# the item and writes its audit line; `vigie learn` teaches a chat lure;
# `vigie store stats` counts the keys; the store holds no text in clear.
# Then the store fails (redis killed): chat is still scanned, with a
# store.unavailable finding, and memory returns when redis does. Prints TAP.
import http.client, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, generic_chat, ok, redis_start  # noqa: E402

VIGIE, VIGIED, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
T = tempfile.mkdtemp(prefix="vigie-campaign.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root
LOG = f"{T}/vigied.log"
SECRET = "campaign-secret"
LINK = "https://secure-verify-account.top/login/confirm?id=9931"  # the lure's, another query
proc = None
redis = None


def write_conf(name, backend, store_dir, redis_port=0):
    text = f"""[core]
signatures = {SRC}/signatures
[av]
system_database = off
[daemon]
syslog = no
user = nobody
shutdown_timeout = 5
[milter]
listen = unix:{T}/milter.sock
[webhook]
enabled = yes
port = {PORT}
[webhook.web]
platform = generic
secret = {SECRET}
[quarantine]
dir = {T}/q-{name}
[store]
enabled = yes
backend = {backend}
path = {store_dir}
redis_port = {redis_port}
redis_password = pw-campaign
redis_prefix = campaign:
timeout = 100
retry = 1
"""
    path = f"{T}/{name}.conf"
    with open(path, "w") as f:
        f.write(text)
    return path


def start(conf):
    global proc
    proc = subprocess.Popen([VIGIED, "-c", conf, "-f"], stdout=open(LOG, "a"), stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.2).close()
            if os.path.exists(f"{T}/milter.sock"):
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
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc = None
    if os.path.exists(f"{T}/milter.sock"):
        os.unlink(f"{T}/milter.sock")


def chat(text, mid, author="bob"):
    return generic_chat(PORT, SECRET, text, mid, author, name="B")


def rules(j):
    return {f["rule"]: f for f in j.get("findings", [])}


def evidence(conf, text, rule):
    """the evidence of rule when `vigie scan` (same store) reads this chat
    message: the webhook's answer names rules, not evidence"""
    path = f"{T}/scan.json"
    with open(path, "w") as fh:
        json.dump({"channel": "chat", "platform": "whatsapp", "conversation": "cx", "message_id": "x",
                   "author": {"id": "bob", "name": "B"}, "text": text}, fh)
    r = subprocess.run([VIGIE, "-c", conf, "scan", "--channel", "chat", "--json", path],
                       capture_output=True, text=True, timeout=120)
    try:
        for f in json.loads(r.stdout.splitlines()[0])["findings"]:
            if f["rule"] == rule:
                return f["evidence"]
    except (ValueError, IndexError, KeyError):
        pass
    return ""


def vigie(conf, *args):
    return subprocess.run([VIGIE, "-c", conf, *args], capture_output=True, text=True, timeout=120)


def start_redis(port):
    return redis_start(port, "pw-campaign", T)


def redis_keys(port):
    out = subprocess.run(["redis-cli", "--no-auth-warning", "-p", str(port), "-a", "pw-campaign", "--scan"],
                         capture_output=True, text=True).stdout
    return out.split()


PORT, RPORT = free_ports(2)
env = dict(os.environ, VIGIE_LUA_LIB=f"{SRC}/tests/milter/lib.lua", VIGIE_SOCK=f"unix:{T}/milter.sock")
try:
    for backend in ("lmdb", "redis"):
        store_dir = f"{T}/store-{backend}"
        if backend == "redis":
            redis = start_redis(RPORT)
        conf = write_conf(backend, backend, store_dir, RPORT)
        if not ok(start(conf), f"{backend}: vigied starts with milter and webhook"):
            break
        # a clean chat message before: no memory yet
        st, j = chat("Bonjour, voici le lien demande : " + LINK, "m0")
        before = rules(j)
        ok(st == 200 and not any(r.startswith("memory.") for r in before),
           f"{backend}: before the mail, the link is nobody's campaign", j)
        mt = subprocess.run(["miltertest", "-s", f"{SRC}/tests/milter/lure.lua"], env=env,
                            capture_output=True, text=True, timeout=60)
        ok(mt.returncode == 0, f"{backend}: the lure mail is quarantined through the milter", mt.stdout, mt.stderr)
        qids = [d[:-5] for d in os.listdir(f"{T}/q-{backend}/new") if d.endswith(".json")]
        ok(len(qids) == 1, f"{backend}: one quarantine item", qids)
        qid = qids[0] if qids else "?"
        ev = evidence(conf, "Bonjour, voici le lien demande : " + LINK, "memory.campaign.url")
        st, j = chat("Bonjour, voici le lien demande : " + LINK, "m1")
        f = rules(j).get("memory.campaign.url")
        ok(st == 200 and f and f["category"] == "campaign" and j["action"] != "release" and qid in ev,
           f"{backend}: the same link on chat is flagged, naming quarantine item {qid}", j)
        text = "Un conseiller vous rappelle, appelez le +33 1 84 88 12 34 svp"
        ev = evidence(conf, text, "memory.campaign.phone")
        st, j = chat(text, "m2")
        f = rules(j).get("memory.campaign.phone")
        ok(st == 200 and f and qid in ev,
           f"{backend}: its phone number written another way is recognised", j)
        st, j = chat("Bonjour, votre commande 1234 est partie ce matin, bonne journee", "m3")
        ok(st == 200 and not any(r.startswith("memory.") for r in rules(j)),
           f"{backend}: an unrelated message owes nothing to memory", j)
        text = ("Bonjour, votre compte sera suspendu sous 24h. Confirmez vos identifiants et votre "
                "mot de passe ici : https://secure-verify-account.top/login/confirm?id=4410 "
                "En cas de probleme appelez le service. Le service client")
        ev = evidence(conf, text, "memory.campaign.text")
        st, j = chat(text, "m4")
        f = rules(j).get("memory.campaign.text")
        ok(st == 200 and f and qid in ev, f"{backend}: a near-duplicate text is recognised", j)
        # an analyst confirms it: it stays quarantined, one audit line
        r = vigie(conf, "quarantine", "confirm", qid)
        audit = open(f"{T}/q-{backend}/audit.log").read()
        ok(r.returncode == 0 and os.path.exists(f"{T}/q-{backend}/new/{qid}.json") and
           f"\tconfirm\t{qid}\tmalicious: remembered" in audit,
           f"{backend}: quarantine confirm keeps the item and writes the audit log", r.stdout, r.stderr, audit)
        # vigie learn: a chat lure from an export
        lures = f"{T}/lures-{backend}.jsonl"
        with open(lures, "w") as fh:
            fh.write(json.dumps({"label": "smishing", "channel": "chat", "text":
                                 "Colis bloque, frais de 1,99 EUR : https://colis-frais-" + backend +
                                 ".example/payer/now"}) + "\n")
        r = vigie(conf, "learn", "--benign", lures)
        text = "Votre colis attend : https://colis-frais-" + backend + ".example/payer/now"
        ev = evidence(conf, text, "memory.campaign.url")
        st, j = chat(text, "m5")
        f = rules(j).get("memory.campaign.url")
        ok(r.returncode == 0 and f and "learned example" in ev,
           f"{backend}: vigie learn (the jsonl label overrides --benign) teaches a chat lure", r.stdout, r.stderr, j)
        r = vigie(conf, "store", "stats")
        ok(r.returncode == 0 and f"backend {backend}" in r.stdout and
           int(r.stdout.split("keys ")[1].split()[0]) >= 10, f"{backend}: vigie store stats counts the keys",
           r.stdout, r.stderr)
        # the confirm and the learnt lure are the classifier's malicious
        # examples; below min_examples (50) of each label it does not score
        stats = dict(l.split(" ", 1) for l in r.stdout.splitlines() if " " in l)
        ok(int(stats.get("classifier_malicious", "0")) >= 2 and stats.get("classifier_benign") == "0" and
           stats.get("classifier_min_examples") == "50" and stats.get("classifier_scoring") == "no",
           f"{backend}: vigie store stats counts the classifier's examples of each label", r.stdout)
        # privacy: no domain, number or word of the lure in the store in clear
        if backend == "lmdb":
            raw = open(f"{store_dir}/data.mdb", "rb").read()
        else:
            raw = " ".join(redis_keys(RPORT)).encode()
        ok(b"secure-verify" not in raw and b"84881234" not in raw and b"suspendu" not in raw,
           f"{backend}: the store holds keyed hashes, not the lure's domain, number or text")
        if backend == "redis":
            # redis killed: scans go on without memory, then it comes back
            redis.kill()
            redis.wait()
            t0 = time.time()
            st, j = chat("Bonjour, voici le lien demande : " + LINK, "m6")
            ok(st == 200 and "store.unavailable" in rules(j) and time.time() - t0 < 2,
               "redis killed: chat is still scanned at once, with a store.unavailable finding", j)
            redis = start_redis(RPORT)
            time.sleep(1.2)
            st, j = chat("Bonjour, voici le lien demande : " + LINK, "m7")
            ok(st == 200 and "store.unavailable" not in rules(j),
               "redis restarted (empty): memory answers again by itself", j)
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            c.request("GET", "/metrics")
            metrics = c.getresponse().read().decode()
            c.close()
            line = [l for l in metrics.splitlines() if l.startswith('vigie_store_failures_total{backend="redis"}')]
            ok(line and int(line[0].split()[-1]) >= 1, "/metrics counts the store's failures", metrics[-1500:])
            log = open(LOG).read()
            ok("store (redis): unavailable" in log and "available again" in log,
               "the outage and the recovery are logged with their cause", log[-2000:])
        stop()
        if redis:
            redis.kill()
            redis.wait()
            redis = None
finally:
    if proc:
        proc.kill()
    if redis:
        redis.kill()
    if not os.environ.get("KEEP"):
        shutil.rmtree(T, ignore_errors=True)
done()
