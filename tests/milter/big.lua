-- big.lua - a 3 MB message (spills to a file past [milter] spill_size)
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local line = string.rep("lorem ipsum dolor sit amet ", 3) .. "\r\n"
local body = string.rep(line, math.floor(3 * 1024 * 1024 / #line))
local r = send_message(conn, "BIG1", { { "Subject", "big" } }, body)
expect_reply(r, SMFIR_ACCEPT, "big message")
mt.disconnect(conn)
