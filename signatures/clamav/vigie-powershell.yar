rule Vigie_Malware_PowerShellCradle
{
    meta:
        author = "Vigie project"
        description = "PowerShell download-and-execute cradle or encoded command, launched with a hidden window"
    strings:
        $ps     = "powershell" nocase
        $pwsh   = "pwsh" nocase
        $iex    = /(\biex\b|invoke-expression)/ nocase
        $dl1    = "downloadstring" nocase
        $dl2    = "downloaddata" nocase
        $wc     = "net.webclient" nocase
        $enc    = /\s[-\/]e(c|nc|ncodedcommand)?\s+[A-Za-z0-9+\/=]{40,}/ nocase
        $hidden = /\s[-\/]w(in(dow(style)?)?)?\s+["']?(1|h(id(den)?)?)\b/ nocase
    condition:
        ($ps or $pwsh) and $hidden and ($enc or ($iex and ($dl1 or $dl2 or $wc)))
}
