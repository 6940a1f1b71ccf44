-- clean.lua - every callback once; a clean message is accepted with a status header
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local r = send_message(conn, "CLEAN1", {
	{ "From", "Claire <claire@example.org>" },
	{ "To", "service@cc.example" },
	{ "Subject", "Question sur mon contrat" },
}, "Bonjour,\r\nQuand arrive ma commande ?\r\n")
expect_reply(r, SMFIR_ACCEPT, "clean message")
expect_hdr_add(conn, "X-Vigie-Status", "release score=0")
mt.disconnect(conn)
