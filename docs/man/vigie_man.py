#!/usr/bin/env python3
"""vigie_man.py CLI_HELP_C TEMPLATE VERSION CONFIG - write vigie(1)

The SYNOPSIS, COMMANDS and OPTIONS sections come from the help tables of
cli/cli_help.c (cli_commands[], the cli_option arrays, cli_global_options[]),
the rows "vigie --help" and "vigie COMMAND --help" print, so the page and the
program say the same thing. TEMPLATE is the hand-written rest of the page,
with @SYNOPSIS@, @COMMANDS@, @OPTIONS@ and @VERSION@ where they go; CONFIG
is the built-in default configuration that "@CONFIG@" in the tables names."""
import re
import sys

TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([A-Za-z_]\w*)|(.))', re.S)


def c_string(lit):
    """the value of one C string literal"""
    return bytes(lit[1:-1], "utf-8").decode("unicode_escape")


def tokens(src):
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    src = re.sub(r"//[^\n]*", " ", src)
    out = []
    for m in TOKEN.finditer(src):
        lit, ident, punct = m.groups()
        if lit is not None:
            if out and isinstance(out[-1], tuple) and out[-1][0] == "str":
                out[-1] = ("str", out[-1][1] + c_string(lit))  # adjacent literals join
            else:
                out.append(("str", c_string(lit)))
        elif ident is not None:
            out.append(("id", ident))
        elif punct and punct.strip():
            out.append(("p", punct))
    return out


def initializer(toks, i):
    """the brace initializer starting at toks[i] ('{'): (value, next index);
    a value is a list, a string, None (NULL) or an identifier's name"""
    assert toks[i] == ("p", "{")
    i += 1
    items = []
    while toks[i] != ("p", "}"):
        if toks[i] == ("p", "{"):
            v, i = initializer(toks, i)
        else:
            kind, v = toks[i]
            v = None if (kind, v) == ("id", "NULL") else v
            i += 1
        items.append(v)
        if toks[i] == ("p", ","):
            i += 1
    return items, i + 1


def tables(path):
    """array name -> its rows, for every "static const TYPE NAME[] = {...}" """
    toks = tokens(open(path, encoding="utf-8").read())
    out = {}
    for i in range(len(toks) - 4):
        if toks[i] == ("id", "static") and toks[i + 1] == ("id", "const") and \
                toks[i + 3][0] == "id" and toks[i + 4] == ("p", "["):
            j = i + 5
            while toks[j] != ("p", "="):
                j += 1
            out[toks[i + 3][1]], _ = initializer(toks, j + 1)
    return out


def roff(text):
    """text for a roff line: backslashes and minus signs escaped"""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return ("\\&" + text) if text[:1] in (".", "'") else text


def paragraphs(text, config):
    """roff lines of "\\n"-joined lines and "\\n\\n"-separated paragraphs"""
    paras = [" ".join(p.split("\n")) for p in text.replace("@CONFIG@", config).split("\n\n")]
    return "\n.IP\n".join(roff(p) for p in paras if p) + "\n"


def options(rows, config):
    out = []
    for term, text in rows:
        if term is None:
            break
        out.append(".TP\n\\fB%s\\fP\n%s" % (roff(term), paragraphs(text, config)))
    return "".join(out)


def main():
    help_c, template, version, config = sys.argv[1:5]
    t = tables(help_c)
    synopsis, commands = [], []
    for name, syn, summary, desc, opts, status in t["cli_commands"]:
        synopsis.append(".B vigie\n\\&[\\-c \\fICONFIG\\fP] \\fB%s\\fP%s\n.br\n" %
                        (roff(name), " " + roff(syn) if syn else ""))
        body = ".TP\n.B %s\n%s\n" % (roff(name), roff(summary[:1].upper() + summary[1:] + "."))
        if desc:
            body += ".IP\n" + paragraphs(desc, config)
        if t[opts] and t[opts][0][0] is not None:
            body += ".RS\n" + options(t[opts], config) + ".RE\n"
        body += ".IP\nExit status: %s.\n" % roff(status)
        commands.append(body)
    synopsis.append(".B vigie\n\\-\\-version | \\-\\-help | \\fICOMMAND\\fP \\-\\-help\n")
    page = open(template, encoding="utf-8").read()
    page = page.replace("@SYNOPSIS@\n", "".join(synopsis))
    page = page.replace("@COMMANDS@\n", "".join(commands))
    page = page.replace("@OPTIONS@\n", options(t["cli_global_options"], config))
    sys.stdout.write(page.replace("@VERSION@", version))


if __name__ == "__main__":
    main()
