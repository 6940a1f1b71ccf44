#!/usr/bin/env python3
"""vigie_conf_man.py CONFIG_C VIGIE_CONF HEAD TAIL VERSION - write vigie.conf(5)

The KEYS section is made from the configuration table itself (the rows of
config_table[] in scanner/config.c: section, key, type, default, bounds,
choices), with each key's meaning taken from the comment lines above it in
the sample etc/vigie.conf. So the page cannot drift from the code: a key
added to the table appears here at the next build. HEAD and TAIL are the
hand-written roff before and after it."""
import re
import sys

UNITS = {"KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}
TYPES = {"PATH": "path", "SIZE": "size", "INT": "integer", "BOOL": "boolean",
         "STR": "string", "LIST": "list"}


def roff(text):
    """escape text for a roff line"""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return ("\\&" + text) if text[:1] in (".", "'") else text


def c_strings(s):
    """the concatenated C string literals of s"""
    return "".join(bytes(m, "utf-8").decode("unicode_escape")
                   for m in re.findall(r'"((?:[^"\\]|\\.)*)"', s))


def table(config_c):
    src = open(config_c, encoding="utf-8").read()
    choices = {m.group(1): re.findall(r'"([^"]*)"', m.group(2)) for m in re.finditer(
        r'static const char \*const (\w+)\[\]\s*=\s*\{([^}]*)\}', src)}
    body = src[src.index("config_table[] = {"):]
    body = body[:body.index("\n};")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    rows = []
    for m in re.finditer(r'\{\s*"([^"]+)",\s*"([^"]+)",\s*CFG_(\w+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+),'
                         r'\s*([^,]+),\s*([^,]+),\s*(\w+)', body):
        sec, key, typ, dflt, lo, hi, ch = m.groups()
        lo = eval(lo, {"__builtins__": {}}, UNITS)
        hi = eval(hi, {"__builtins__": {}}, UNITS)
        rows.append((sec, key, typ, c_strings(dflt), lo, hi, choices.get(ch, [])))
    return rows


def comments(sample):
    """section.key -> the comment lines just above "key =" in the sample"""
    out, sec, block = {}, None, []
    for line in open(sample, encoding="utf-8"):
        line = line.strip()
        m = re.match(r"\[([^\]]+)\]$", line)
        if m:
            sec = m.group(1)
            if re.match(r"webhook\.", sec):
                sec = "webhook.*"
            block = []
            continue
        m = re.match(r"#?\s*([a-z_0-9]+)\s*=", line)
        if m and sec:
            if block and (sec, m.group(1)) not in out:
                out[(sec, m.group(1))] = " ".join(block)
            block = []
            continue
        if line.startswith("#"):
            block.append(line.lstrip("#").strip())
        elif not line:
            block = []
    return out


def size(n):
    for unit, mult in (("G", 1024 ** 3), ("M", 1024 ** 2), ("K", 1024)):
        if n and n % mult == 0:
            return "%d%s" % (n // mult, unit)
    return str(n)


def main():
    config_c, sample, head, tail, version = sys.argv[1:6]
    rows, why = table(config_c), comments(sample)
    out = [open(head, encoding="utf-8").read().replace("@VERSION@", version)]
    out.append(".SH KEYS\n")
    out.append("Generated from the configuration table of this version (%d keys).\n" % len(rows))
    last = None
    for sec, key, typ, dflt, lo, hi, ch in rows:
        if sec != last:
            out.append(".SS [%s]\n" % roff(sec.replace(".*", ".NAME")))
            last = sec
        kind = TYPES[typ]
        if ch:
            kind = " | ".join(ch)
        elif typ == "INT":
            kind += ", %d to %d" % (lo, hi)
        elif typ == "SIZE":
            kind += ", %s to %s" % (size(lo), size(hi))
        shown = dflt if dflt != "" else "(empty)"
        out.append('.TP\n.BR %s " = %s"\n' % (roff(key), roff(shown)))
        out.append("(%s)\n" % roff(kind))
        if (sec, key) in why:
            out.append(".br\n%s\n" % roff(why[(sec, key)]))
    out.append(open(tail, encoding="utf-8").read())
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
