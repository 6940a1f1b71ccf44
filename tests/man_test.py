#!/usr/bin/env python3
# man_test.py VIGIE VIGIE_1 - "vigie --help", every "vigie COMMAND --help"
# and the built vigie(1) say the same: each command's usage line, summary,
# description, options and exit status, and each global option, as printed,
# are in the page as man(1) renders it (whitespace and case aside), and the
# page lists no command the program does not know. Both come from
# cli/cli_help.c; this catches a generator or a printer that drifts.
# Prints TAP.
import os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import done, ok  # noqa: E402

VIGIE, PAGE = sys.argv[1], sys.argv[2]


def norm(s):
    return " ".join(s.split()).lower()


def vigie(*args):
    r = subprocess.run([VIGIE, *args], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def chunks(text):
    """(what, text) pieces of a help output: usage, summary, paragraphs,
    option terms and texts (continuation lines joined), exit status"""
    lines = text.split("\n")
    out = [("usage", lines[0][len("usage: "):])]
    para, opt = [], None

    def flush():
        nonlocal para, opt
        if para:
            out.append(("text", " ".join(para)))
        if opt:
            out.append(("option " + opt[0], opt[0]))
            out.append(("option text of " + opt[0], " ".join(opt[1])))
        para, opt = [], None

    for line in lines[1:]:
        if line.startswith(" " * 23) and opt:
            opt[1].append(line.strip())
        elif re.match(r"  \S", line):
            flush()
            m = re.match(r"  (\S.*?)(?:\s{2,}(.*))?$", line)
            opt = (m.group(1), [m.group(2)] if m.group(2) else [])
        elif line.startswith("exit status: "):
            flush()
            out.append(("exit status", line))
        elif not line.strip():
            flush()
        else:
            if opt:
                flush()
            para.append(line.strip())
    flush()
    return out


if not shutil.which("man"):
    print("1..0 # SKIP man is not installed")
    sys.exit(0)
r = subprocess.run(["man", "--nh", "--nj", "-l", PAGE], capture_output=True, text=True,
                   env=dict(os.environ, LC_ALL="C", MANWIDTH="200"), timeout=60)
ok(r.returncode == 0 and "COMMANDS" in r.stdout, "vigie(1) renders", r.stderr)
page = norm(r.stdout)
sections = re.split(r"\n(?=[A-Z][A-Z ]+\n)", r.stdout)
commands_sec = next((s for s in sections if s.startswith("COMMANDS")), "")

rc, usage, err = vigie("--help")
ok(rc == 0 and not err, "vigie --help, exit 0", rc, err)
names = re.findall(r"^  (\S+)  +\S", usage.split("\noptions:")[0], re.M)
ok(len(names) >= 5, "vigie --help lists the commands", names)
for name in names:
    rc, out, err = vigie(name, "--help")
    ok(rc == 0 and out.startswith("usage: vigie") and not err, f"vigie {name} --help, exit 0",
       rc, err)
    missing = [what for what, text in chunks(out)
               if norm(text.rstrip(".") if what == "exit status" else text) not in page]
    ok(not missing, f"vigie(1) says all that vigie {name} --help says", missing, out)
    ok(re.search(r"^       %s\b" % re.escape(name), commands_sec, re.M),
       f"vigie(1) has {name} under COMMANDS")
in_page = re.findall(r"^       ([a-z][a-z-]*)(?:\s*$| +[A-Z])", commands_sec, re.M)
ok(set(in_page) == set(names), "vigie(1) lists exactly the program's commands", in_page, names)

# the global options, the default configuration aside (the build's vigie
# reads the source tree's, the page names the installed one)
opts = chunks("usage: x\n" + usage.split("\noptions:\n")[1])
missing = [what for what, text in opts[1:]
           if what != "exit status" and norm(re.sub(r" or \S+\)", "", text)) not in
           norm(re.sub(r" or \S+\)", "", r.stdout))]
ok(not missing, "vigie(1) OPTIONS says all that vigie --help says of them", missing, usage)
done()
