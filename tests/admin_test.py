#!/usr/bin/env python3
# admin_test.py VIGIED SRCDIR - operations end to end: [daemon] log_format
# (JSON lines with time, level, id, message; text lines with an ISO 8601
# UTC timestamp; none under systemd's journal) and the [admin] listener with
# the milter alone (webhook off): /healthz, /readyz, /metrics, and /healthz
# 503 when the rules fail to load. vigied runs on free loopback ports; a
# message goes through miltertest (tests/milter/clean.lua) when installed.
# Prints TAP.
import http.client, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, free_ports, ok  # noqa: E402

VIGIED, SRC = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="vigie-admin.")
os.chmod(T, 0o1777)  # vigied serves as [daemon] user nobody when root: its socket goes here
os.makedirs(f"{T}/conf")
os.symlink(f"{SRC}/signatures", f"{T}/signatures")
MILTER, ADMIN = free_ports(2)
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def write_conf(name, log_format="text", admin="yes", extra=""):
    path = f"{T}/conf/{name}.conf"
    with open(path, "w") as f:
        f.write(f"""[av]
system_database = off
[daemon]
syslog = no
user = nobody
shutdown_timeout = 2
log_format = {log_format}
[milter]
listen = inet:{MILTER}@127.0.0.1
[webhook]
enabled = no
[admin]
enabled = {admin}
port = {ADMIN}
[quarantine]
dir = {T}/q
{extra}""")
    return path


def start(conf, port=ADMIN):
    """vigied -f on conf, once port (admin, or the milter's) accepts"""
    e = dict(os.environ)
    e.pop("JOURNAL_STREAM", None)
    err = open(f"{T}/stderr", "w+")
    p = subprocess.Popen([VIGIED, "-f", "-c", conf], stderr=err, stdout=subprocess.DEVNULL, env=e)
    for _ in range(300):
        if p.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return p, err


def stop(p, err):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    err.seek(0)
    text = err.read()
    err.close()
    return text


def get(path, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", ADMIN, timeout=5)
    c.request(method, path)
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, body


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def send_clean():
    """one clean message through miltertest; True when it ran"""
    if not shutil.which("miltertest"):
        return False
    env = dict(os.environ, VIGIE_SOCK=f"inet:{MILTER}@127.0.0.1",
               VIGIE_LUA_LIB=f"{SRC}/tests/milter/lib.lua")
    r = subprocess.run(["miltertest", "-s", f"{SRC}/tests/milter/clean.lua"], env=env,
                       capture_output=True, timeout=60)
    return r.returncode == 0


# --- 1. JSON lines, milter only, admin on -----------------------------------
p, err = start(write_conf("json", "json"))
alive = ok(p.poll() is None, "vigied starts with the milter alone and [admin] enabled")
st, body = get("/healthz") if alive else (0, "")
ok(st == 200 and body.strip() == "ok", "/healthz 200 ok with rules loaded", st, body)
st, body = get("/readyz") if alive else (0, "")
ok(st == 200, "/readyz 200 once the milter listens", st, body)
ran = alive and send_clean()
st, m = get("/metrics") if alive else (0, "")
ok(st == 200 and metric(m, "vigie_engine_loaded") == 1, "/metrics: vigie_engine_loaded 1", m)
ok((metric(m, "vigie_engine_signatures") or 0) > 0, "/metrics: vigie_engine_signatures > 0", m)
for a in ("release", "tag", "quarantine", "reject", "failed"):
    ok(metric(m, f'vigie_milter_messages_total{{action="{a}"}}') is not None,
       f"/metrics: milter messages with action={a}", m)
if ran:
    ok(metric(m, 'vigie_milter_messages_total{action="release"}') == 1,
       "/metrics: the clean message counted as release", m)
st, _ = get("/nope") if alive else (0, "")
ok(st == 404, "unknown path: 404", st)
st, _ = get("/metrics", "POST") if alive else (0, "")
ok(st == 405, "POST: 405", st)
text = stop(p, err)
lines = [l for l in text.splitlines() if l.strip()]
objs = []
for l in lines:
    try:
        objs.append(json.loads(l))
    except ValueError:
        objs.append(None)
ok(lines and all(isinstance(o, dict) for o in objs), "every stderr line is one JSON object", text)
good = [o for o in objs if isinstance(o, dict)]
ok(good and all(re.fullmatch(STAMP, str(o.get("time"))) and o.get("level") and
                isinstance(o.get("message"), str) for o in good),
   "each has time (ISO 8601 UTC, ms), level and message", text)
ok(any("admin listener" in o["message"] for o in good if isinstance(o.get("message"), str)),
   "the admin listener is logged", text)
if ran:
    ok(any(o.get("id") == "CLEAN1" for o in good), "the message's line has its queue id as id", text)

# --- 2. text lines: a timestamp prefix; none under the journal --------------
p, err = start(write_conf("text", "text"))
text = stop(p, err)
lines = [l for l in text.splitlines() if l.strip()]
ok(lines and all(re.match(STAMP + r" vigied: \w+: ", l) for l in lines),
   "text lines start with an ISO 8601 UTC timestamp", text)
conf = write_conf("journal", "text")
# stderr really is the journal stream: JOURNAL_STREAM names the file itself
jpath = f"{T}/journal.log"
jf = open(jpath, "w")
js = os.fstat(jf.fileno())
e = dict(os.environ, JOURNAL_STREAM=f"{js.st_dev}:{js.st_ino}")
r = subprocess.Popen([VIGIED, "-f", "-c", conf], stderr=jf, stdout=subprocess.DEVNULL, env=e)
for _ in range(300):
    try:
        get("/healthz")
        break
    except OSError:
        time.sleep(0.1)
r.send_signal(signal.SIGTERM)
r.wait(20)
jf.close()
out = open(jpath).read()
ok(out.strip() and all(re.match(r"vigied: \w+: ", l) for l in out.splitlines() if l.strip()),
   "under the journal, text lines have no timestamp", out)

# --- 3. rules that fail to load: /healthz 503 --------------------------------
# the path quotes '"', '\\' and 'é' into the error line: JSON escapes them
BADPATH = f'{T}/missing "folder" \\ é'
bad = write_conf("bad", "json", extra=f"[urls]\nlists = {BADPATH}\n")
p, err = start(bad)
alive = ok(p.poll() is None, "vigied keeps running when its rules fail to load")
st, body = get("/healthz") if alive else (0, "")
ok(st == 503, "/healthz 503 without rules", st, body)
st, body = get("/readyz") if alive else (0, "")
ok(st == 503, "/readyz 503 without rules", st, body)
st, m = get("/metrics") if alive else (0, "")
ok(metric(m, "vigie_engine_loaded") == 0, "/metrics: vigie_engine_loaded 0", m)
text = stop(p, err)
try:
    msgs = [json.loads(l)["message"] for l in text.splitlines() if l.strip()]
except (ValueError, KeyError):
    msgs = []
ok(any(BADPATH in m and "rules not loaded" in m for m in msgs),
   "JSON: the error naming a path with quotes, a backslash and UTF-8 parses back exactly", text)

# --- 4. admin off: no listener ----------------------------------------------
p, err = start(write_conf("off", admin="no"), MILTER)
try:
    get("/healthz")
    refused = False
except OSError:
    refused = True
ok(refused, "[admin] enabled = no: nothing listens on its port")
stop(p, err)

shutil.rmtree(T, ignore_errors=True)
done()
