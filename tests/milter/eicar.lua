-- eicar.lua - an EICAR attachment is quarantined and discarded
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local r = send_message(conn, "EICAR1", MIME_HEADERS, mime_with_attachment("eicar.com", EICAR))
expect_reply(r, SMFIR_DISCARD, "EICAR message")
mt.disconnect(conn)
