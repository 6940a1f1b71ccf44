-- reject.lua - quarantine_action = reject: stored, then 550
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local r = send_message(conn, "REJ1", MIME_HEADERS, mime_with_attachment("eicar.com", EICAR))
expect_reply(r, SMFIR_REPLYCODE, "quarantined-and-rejected message")
mt.disconnect(conn)
