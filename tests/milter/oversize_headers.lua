-- oversize_headers.lua - headers alone past [core] max_message_size (the
-- test sets 64K): 400 headers of 1000 bytes and no body at all, so no body
-- callback ever sees the size (how it got through before). Nothing past
-- the limit is kept, and the message gets on_oversize (tempfail), never
-- accept.
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local headers = { { "Subject", "headers only" } }
local filler = string.rep("a", 1000)
for i = 1, 400 do
	headers[#headers + 1] = { "X-Filler-" .. i, filler }
end
local r = send_message(conn, "HDRBIG1", headers, "")
expect_reply(r, SMFIR_REPLYCODE, "oversized headers")
mt.disconnect(conn)
