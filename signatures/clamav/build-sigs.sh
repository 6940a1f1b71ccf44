#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Source of the Vigie ClamAV signature files in this directory.
#
# ClamAV body/logical signatures are hex and their formats allow no comments,
# so the readable strings live here and README.md explains every rule.
# Edit this script, run it, then run tests/fixtures/av/check-fixtures.sh.
#
#   signatures/clamav/build-sigs.sh          rewrite the .ndb/.ldb files
#   signatures/clamav/build-sigs.sh --check  exit 1 if they are not up to date
#
# (vigie-powershell.yar is plain YARA and is edited by hand.)
set -euo pipefail
cd "$(dirname "$0")"
OUT=.
if [ "${1:-}" = "--check" ]; then
    OUT=$(mktemp -d)
    trap 'rm -rf "$OUT"' EXIT
fi

h() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }   # text -> hex

# ------------------------------------------------------------------ vigie-test.ndb
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
{
echo "Vigie.Test.EICAR:0:0:$(h "$EICAR")"
} > "$OUT/vigie-test.ndb"

# ------------------------------------------------------------------ vigie-risky.ndb
{
# ELF magic, then e_type (offset 16) = ET_EXEC(2) or ET_DYN(3), either byte order
echo "Vigie.Risky.Exe.ELF:6:0:7f454c46{12}(0200|0300|0002|0003)"
# Shell link header: HeaderSize 0x4C + LinkCLSID {00021401-0000-0000-C000-000000000046}
echo "Vigie.Risky.LNK:0:0:4c0000000114020000000000c000000000000046"
# first volume descriptor at sector 16: "CD001" (ISO 9660) or "BEA01" (UDF)
echo "Vigie.Risky.DiskImage.ISO:0:32769:$(h 'CD001')"
echo "Vigie.Risky.DiskImage.ISO:0:32769:$(h 'BEA01')"
} > "$OUT/vigie-risky.ndb"

# ------------------------------------------------------------------ vigie-risky.ldb
# JScript (WSH): A = COM object creation, B = dangerous ProgID, C = execution sink;
# or D = eval() of a long literal (packed dropper).
JS_A="$(h 'activexobject')::i;$(h 'wscript.createobject')::i;$(h 'getobject(')::i"
JS_B="$(h 'wscript.shell')::i;$(h 'shell.application')::i;$(h 'adodb.stream')::i"
JS_B="$JS_B;$(h 'scripting.filesystemobject')::i;$(h 'winmgmts')::i;$(h 'schedule.service')::i"
JS_C='(0|1|2)&(3|4|5|6|7|8)/\.(?:run|exec|shellexecute|savetofile)\s*\(|win32_process/i'
JS_D="$(h 'eval(')::i"
JS_D="$JS_D;10/eval\\s*\\(\\s*(?:(?:atob|unescape|decodeuricomponent)\\s*\\(\\s*)?(?:\"[^\"\\n]{400,}\"|'[^'\\n]{400,}')|eval\\s*\\(\\s*string\\.fromcharcode\\s*\\(\\s*[0-9,\\s]{400,}/i"
# ProgIDs whose creation from a script means "run / download something"
PROGID='wscript\.shell|shell\.application|msxml2\.(?:server)?xmlhttp[.0-9]*|microsoft\.xmlhttp|winhttp\.winhttprequest[.0-9]*|adodb\.stream|schedule\.service'
VBS_1="0/createobject\\s*\\(\\s*\"(?:$PROGID)\"\\s*\\)/i"
VBS_2='0/^[ \t]*(?:set[ \t]+\w+[ \t]*=|dim[ \t]|redim[ \t]|on[ \t]+error[ \t]+resume[ \t]+next)|(?<![\w.])createobject\s*\(/im'
VBS_SINK="$(h '.run')::i;$(h '.exec')::i;$(h '.shellexecute')::i;$(h '.savetofile')::i;$(h '.send')::i"
{
echo "Vigie.Risky.Exe.PE;Engine:51-255,Target:1,NumberOfSections:1-65535;0;0:$(h 'MZ')"
echo "Vigie.Risky.Script.JS;Engine:81-255,Target:0;((0|1|2)&(3|4|5|6|7|8)&9)|(10&11);$JS_A;$JS_B;$JS_C;$JS_D"
echo "Vigie.Risky.Script.VBS;Engine:81-255,Target:0;0&1&2&(3|4|5|6|7)&8=0;$(h 'createobject')::i;$VBS_1;$VBS_2;$VBS_SINK;$(h 'attribute vb_name')::i"
echo "Vigie.Risky.Script.PowerShellCradle;Engine:81-255,Target:0;(0|1|2)&3;$(h 'downloadstring')::i;$(h 'downloaddata')::i;$(h 'net.webclient')::i;0|1|2/(?:\\biex\\b|invoke-expression)/i"
echo "Vigie.Risky.Script.HTA;Engine:81-255,Target:0;0;$(h '<hta:application')::i"
} > "$OUT/vigie-risky.ldb"

# ------------------------------------------------------------------ vigie-phish.ldb
# Target 3 = normalised HTML: lower-case, entities decoded, comments removed,
# script whitespace squeezed (raw HTML is not scanned by ClamAV at all).
FORM_ACTION='0/<form\b[^>]*\saction\s*=\s*["'"'"']?\s*(?:https?:)?\/\/[^"'"'"'\s>]/i'
INPUT_PW_TYPE='1/<input\b[^>]*\stype\s*=\s*["'"'"']?password\b/i'
INPUT_PW_NAME='1/<input\b[^>]*\sname\s*=\s*["'"'"']?[^"'"'"'\s>]*(?:pass|pwd)/i'
EXFIL_PW_TYPE='7/<input\b[^>]*\stype\s*=\s*["'"'"']?password\b/i'
EXFIL_PW_READ='0|1|2|3|4/(?:getelementbyid|queryselector|getelementsbyname|\$)\s*\(\s*["'"'"'][#.]?[\w-]*(?:pass|pwd)/i'
{
echo "Vigie.Phish.HTML.CredentialForm;Engine:81-255,Target:3;0&1&2&(3|4);$(h '<form')::i;$(h '<input')::i;$FORM_ACTION;$INPUT_PW_TYPE;$INPUT_PW_NAME"
echo "Vigie.Phish.HTML.ExfilScript;Engine:81-255,Target:3;(0|1|2|3|4)&(5|6|8|9);$(h 'fetch(')::i;$(h 'xmlhttprequest')::i;$(h '$.ajax(')::i;$(h '$.post(')::i;$(h 'sendbeacon(')::i;$(h 'api.telegram.org/bot')::i;$(h '/api/webhooks/')::i;$(h '<input')::i;$EXFIL_PW_TYPE;$EXFIL_PW_READ"
} > "$OUT/vigie-phish.ldb"

# ------------------------------------------------------------------ vigie-macro.ldb
AUTO='auto_?open|autoexec|auto_?new|auto_?close|document_open|document_close|document_new|workbook_open|workbook_activate|workbook_beforeclose'
SINK='\bshell\b\s*[(\x22\w]|createobject\s*\(\s*\x22(?:'"$PROGID"'|winmgmts)|getobject\s*\(\s*\x22winmgmts|urldownloadtofile|shellexecute|winexec|powershell|mshta|certutil|regsvr32|rundll32|cmd(?:\.exe)?\s+\/[ck]\b'
{
# OLE2 compound file with a "_VBA_PROJECT" directory entry (UTF-16LE name)
echo "Vigie.Risky.Office.Macro;Engine:81-255,Target:0;0&1;0:d0cf11e0a1b11ae1;$(h '_VBA_PROJECT')::wi"
# zip (OOXML) with a local file header whose name ends in "/vbaProject.bin"
echo "Vigie.Risky.Office.Macro;Engine:81-255,Target:0;0&1;0:504b0304;504b0304{26-60}$(h '/vbaProject.bin')::i"
# VBA source extracted by ClamAV from an OLE2 file: auto-exec entry + dangerous call
echo "Vigie.Malware.Office.AutoExecMacro;Engine:81-255,Target:0,Container:CL_TYPE_MSOLE2;0&1&2;$(h 'attribute vb_name')::i;0/\\bsub\\s+(?:$AUTO)\\s*\\(/i;0/$SINK/i"
} > "$OUT/vigie-macro.ldb"

if [ "$OUT" != . ]; then
    for f in vigie-test.ndb vigie-risky.ndb vigie-risky.ldb vigie-phish.ldb vigie-macro.ldb; do
        cmp -s "$OUT/$f" "$f" || { echo "$f is out of date: run $0" >&2; exit 1; }
    done
    echo "signature files are up to date"
fi
