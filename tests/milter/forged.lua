-- forged.lua - X-Vigie-* headers from outside are deleted, every copy, any case
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local r = send_message(conn, "FORGED1", {
	{ "From", "a@example.org" },
	{ "X-Vigie-Status", "release score=0" },
	{ "Subject", "hi" },
	{ "X-Vigie-Status", "release again" },
	{ "X-VIGIE-Score", "0" },
}, "body\r\n")
expect_reply(r, SMFIR_ACCEPT, "forged headers message")
if not mt.eom_check(conn, MT_HDRDELETE, "x-vigie-status") then error("X-Vigie-Status not deleted") end
if not mt.eom_check(conn, MT_HDRDELETE, "x-vigie-score") then error("X-VIGIE-Score not deleted") end
expect_hdr_add(conn, "X-Vigie-Status", "release score=0")
mt.disconnect(conn)
