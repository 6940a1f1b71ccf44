#!/usr/bin/env python3
"""make_bad_inputs.py OUTDIR - write hostile mail inputs for the CLI tests.

Each file is something a sender can send; Vigie must answer each with a
verdict or a clear error, never a crash or a hang.
"""
import io
import os
import sys
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def put(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


put("truncated-mime.eml",
    "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/zip\n"
    "Content-Transfer-Encoding: base64\n\nUEsDBBQAAAAIA")
put("missing-boundary.eml", "Content-Type: multipart/mixed\n\n--x\n\nhello\n--x--\n")
put("duplicated-boundary.eml",
    "Content-Type: multipart/mixed; boundary=a; boundary=b\n\n--a\n\none\n--b\n\ntwo\n--a--\n--b--\n")
parts = "".join("--z\nContent-Type: text/plain\n\npart %d\n" % i for i in range(10000))
put("ten-thousand-parts.eml", "Content-Type: multipart/mixed; boundary=z\n\n" + parts + "--z--\n")
put("megabyte-header.eml", "Subject: " + "A" * (1024 * 1024) + "\n\nbody\n")
put("unknown-charset.eml", b"Content-Type: text/plain; charset=x-klingon\n\nq\xe9\xff\n")
put("nul-bytes.eml", b"Subject: a\x00b\n\nbody\x00with\x00nuls\n")
put("invalid-utf8.eml", b"Subject: \xc3\x28\xa0\xa1\n\n\xf0\x28\x8c\xbc \xfe\xff\n")
nested = "".join("Content-Type: message/rfc822\n\n" for _ in range(5000)) + "Subject: deep\n\nbottom\n"
put("deep-rfc822.eml", nested)
deepmp = "".join("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(3000))
put("deep-multipart.eml", deepmp + "\nleaf\n")

# an archive bomb: 200 MB of zeros, nested zips, inside a mail
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("zeros.bin", b"\0" * (200 * 1024 * 1024))
inner = buf.getvalue()
for _ in range(3):
    b2 = io.BytesIO()
    with zipfile.ZipFile(b2, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(4):
            z.writestr("layer%d.zip" % i, inner)
    inner = b2.getvalue()
import base64
b64 = base64.encodebytes(inner).decode()
put("archive-bomb.eml",
    "Subject: bomb\nContent-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: application/zip\n"
    "Content-Disposition: attachment; filename=bomb.zip\nContent-Transfer-Encoding: base64\n\n"
    + b64 + "--q--\n")
put("binary-garbage.eml", bytes(range(256)) * 64)
put("only-headers.eml", "From: a@b\nSubject: no body")
put("crlf-mixed.eml", "Subject: x\r\n\nline\r\rline\n")
