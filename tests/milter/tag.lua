-- tag.lua - a risky attachment (an HTA script, weight 8) is tagged:
-- X-Vigie headers and the subject prefix
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local hta = "<html><head><HTA:APPLICATION ID=\"x\" APPLICATIONNAME=\"invoice\"></head><body>x</body></html>\r\n"
local r = send_message(conn, "TAG1", MIME_HEADERS, mime_with_attachment("invoice.hta", hta))
expect_reply(r, SMFIR_ACCEPT, "tagged message")
expect_hdr_add(conn, "X-Vigie-Status", "tag score=8")
expect_hdr_add(conn, "X-Vigie-Score", "8")
if not mt.eom_check(conn, MT_HDRCHANGE, "Subject", " [SUSPECT] Your document") and
   not mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[SUSPECT] Your document") then
	error("subject not prefixed")
end
mt.disconnect(conn)
