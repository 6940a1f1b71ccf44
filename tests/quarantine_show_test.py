#!/usr/bin/env python3
# quarantine_show_test.py VIGIE SRCDIR - `vigie quarantine show` on items
# whose headers, envelope, attachment names and text carry bidi controls
# (U+202E and the rest) and URLs: the controls are shown as <U+202E>, the
# URLs in headers are defanged as in the text; `delete` on an item whose
# files are planted symbolic links (or whose deleted/ is one) fails and
# moves nothing. Prints TAP.
import json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, ok  # noqa: E402

VIGIE, SRC = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="vigie-qshow.")
Q = f"{T}/q"
for d in ("new", "released", "deleted"):
    os.makedirs(f"{Q}/{d}")
CONF = f"{T}/c.conf"
open(CONF, "w").write(f"[quarantine]\ndir = {Q}\n")
FIX = f"{SRC}/tests/fixtures/quarantine/new/20261120T101500Z-00000000000000a1"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200e", "\u200f"]


def vigie(*args):
    r = subprocess.run([VIGIE, "-c", CONF, "quarantine", *args], capture_output=True, timeout=60)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def plant(qid, subject, from_, text, fname):
    meta = json.load(open(FIX + ".json"))
    meta["id"] = qid
    meta["headers"]["Subject"] = subject
    meta["headers"]["From"] = from_
    meta["envelope"]["helo"] = "mail\u202eten.elpmaxe"
    json.dump(meta, open(f"{Q}/new/{qid}.json", "w"))
    eml = (f"From: {from_}\r\nTo: agent@cc.example\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           f"{text}\r\n--b0\r\nContent-Type: application/octet-stream\r\n"
           f"Content-Disposition: attachment; filename=\"{fname}\"\r\n\r\nMZ\r\n--b0--\r\n")
    open(f"{Q}/new/{qid}.eml", "wb").write(eml.encode())


ID = "20261201T100000Z-00000000000000e1"
plant(ID, "Facture \u202efdp.exe https://evil.example/pay",
      "Support <support@bank.example> www.evil.example",
      "Ouvrez " + "".join(BIDI) + " https://evil.example/x", "facture\u202egpj.exe")
rc, out, err = vigie("show", ID)
ok(rc == 0, "show runs", err)
left = [f"U+{ord(c):04X}" for c in BIDI if c in out]
ok(not left, "no bidi control reaches the terminal (header, envelope, attachment name, text)", left, out)
ok("<U+202E>fdp[.]exe" in out and "facture<U+202E>gpj.exe" in out and "mail<U+202E>ten" in out,
   "they are shown as <U+202E> where they were", out)
subj = [l for l in out.splitlines() if l.strip().startswith("Subject")]
frm = [l for l in out.splitlines() if l.strip().startswith("From")]
ok(subj and "hxxps://evil[.]example/pay" in subj[0] and "https://" not in subj[0],
   "a URL in the Subject is defanged as in the text", subj)
ok(frm and "www[.]evil[.]example" in frm[0], "a www. link in From is defanged too", frm)
ok("hxxps://evil[.]example/x" in out and "https://evil" not in out, "the text's URL is defanged", out)

# --- delete and planted links ------------------------------------------------
secret = f"{T}/secret.txt"
open(secret, "w").write("not the quarantine's\n")
LID = "20261201T100000Z-00000000000000e2"
os.symlink(secret, f"{Q}/new/{LID}.eml")
shutil.copy(FIX + ".json", f"{Q}/new/{LID}.json")
rc, out, err = vigie("delete", LID)
ok(rc != 0 and "deleted" not in out and "symbolic link" in err,
   "delete refuses an item whose .eml is a planted symbolic link", rc, out, err)
ok(os.path.islink(f"{Q}/new/{LID}.eml") and not os.path.lexists(f"{Q}/deleted/{LID}.eml") and
   os.path.exists(f"{Q}/new/{LID}.json") and open(secret).read() == "not the quarantine's\n",
   "and moves nothing", os.listdir(f"{Q}/new"), os.listdir(f"{Q}/deleted"))
JID = "20261201T100000Z-00000000000000e3"
shutil.copy(FIX + ".eml", f"{Q}/new/{JID}.eml")
os.symlink(secret, f"{Q}/new/{JID}.json")
rc, out, err = vigie("delete", JID)
ok(rc != 0 and "deleted" not in out and os.path.exists(f"{Q}/new/{JID}.eml"),
   "delete refuses an item whose .json is a planted symbolic link", rc, out, err)
os.rename(f"{Q}/deleted", f"{T}/elsewhere")
os.symlink(f"{T}/elsewhere", f"{Q}/deleted")
rc, out, err = vigie("delete", ID)
ok(rc != 0 and "deleted" not in out and os.path.exists(f"{Q}/new/{ID}.eml") and
   not os.listdir(f"{T}/elsewhere"), "delete refuses when deleted/ is a symbolic link", rc, out, err)
os.unlink(f"{Q}/deleted")
os.rename(f"{T}/elsewhere", f"{Q}/deleted")
rc, out, err = vigie("delete", ID)
ok(rc == 0 and f"{ID}: deleted" in out and os.path.exists(f"{Q}/deleted/{ID}.eml") and
   os.path.exists(f"{Q}/deleted/{ID}.json"), "a genuine item is still deleted", rc, out, err)
shutil.rmtree(T, ignore_errors=True)
done()
