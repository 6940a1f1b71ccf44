-- overload.lua - one of several clients at once: sends a 256 KB message up to
-- its end, waits until the file $VIGIE_GO exists (so that every client asks
-- for a scan at the same moment), then ends it and prints the reply:
-- "RESULT accept" or "RESULT replycode" (tempfail or reject)
dofile(os.getenv("VIGIE_LUA_LIB"))
local qid = os.getenv("VIGIE_QID")
local go = os.getenv("VIGIE_GO")
mt.set_timeout(90) -- in the waiting case, eight scans one after the other on a busy machine
local conn = open_conn()
check(mt.macro(conn, SMFIC_MAIL, "i", qid), "macro")
check(mt.mailfrom(conn, "<sender@example.org>"), "mailfrom")
check(mt.rcptto(conn, "<agent@cc.example>"), "rcptto")
check(mt.header(conn, "Subject", "overload " .. qid), "header")
check(mt.eoh(conn), "eoh")
local line = "Please see https://www.example.com/account/" .. qid .. " and call us today.\r\n"
local chunk = string.rep(line, math.floor(64000 / #line))
for _ = 1, 4 do check(mt.bodystring(conn, chunk), "body") end
local w = io.open(go .. "." .. qid .. ".waiting", "w")
w:close()
while true do
	local f = io.open(go, "r")
	if f then f:close() break end
	mt.sleep(0.02)
end
check(mt.eom(conn), "eom")
local r = mt.getreply(conn)
if r == SMFIR_ACCEPT then print("RESULT accept")
elseif r == SMFIR_REPLYCODE then print("RESULT replycode")
else print("RESULT other " .. tostring(r)) end
mt.disconnect(conn)
