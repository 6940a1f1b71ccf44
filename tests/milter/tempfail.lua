-- tempfail.lua - with a failure the configuration maps to tempfail, the
-- message is refused with 451 so the MTA keeps it
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local body = string.rep("x", 200000) .. "\r\n"
local r = send_message(conn, "TEMP1", { { "Subject", "tempfail me" } }, body)
expect_reply(r, SMFIR_REPLYCODE, "failed scan")
mt.disconnect(conn)
