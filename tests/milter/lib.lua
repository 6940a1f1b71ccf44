-- lib.lua - helpers shared by the miltertest scripts (Lua, run by miltertest)
-- SOCK comes from the environment (VIGIE_SOCK).
SOCK = os.getenv("VIGIE_SOCK")

function check(rc, what)
	if rc ~= nil then error(what .. " failed: " .. tostring(rc)) end
end

-- open a connection and send the connection-level callbacks
function open_conn()
	local conn = mt.connect(SOCK, 10, 1)
	if conn == nil then error("cannot connect to " .. SOCK) end
	check(mt.conninfo(conn, "client.example", "192.0.2.10"), "conninfo")
	check(mt.helo(conn, "client.example"), "helo")
	return conn
end

-- one message: headers is a list of {name, value}; body a string
function send_message(conn, qid, headers, body)
	check(mt.macro(conn, SMFIC_MAIL, "i", qid), "macro")
	check(mt.mailfrom(conn, "<sender@example.org>"), "mailfrom")
	check(mt.rcptto(conn, "<agent@cc.example>"), "rcptto")
	check(mt.rcptto(conn, "<supervisor@cc.example>"), "rcptto 2")
	for _, h in ipairs(headers) do
		check(mt.header(conn, h[1], h[2]), "header " .. h[1])
	end
	check(mt.eoh(conn), "eoh")
	-- the body in several chunks, as an MTA sends it
	local i = 1
	while i <= #body do
		check(mt.bodystring(conn, string.sub(body, i, i + 999)), "body")
		i = i + 1000
	end
	check(mt.eom(conn), "eom")
	return mt.getreply(conn)
end

function expect_reply(got, want, what)
	if got ~= want then
		error(what .. ": reply " .. tostring(got) .. ", want " .. tostring(want))
	end
end

-- header values carry their leading space: the filter negotiates
-- SMFIP_HDR_LEADSPC, so it adds " value" where the MTA supports that
function expect_hdr_add(conn, name, value)
	if value ~= nil and mt.eom_check(conn, MT_HDRADD, name, " " .. value) then return end
	if not mt.eom_check(conn, MT_HDRADD, name, value) then
		error("no header added: " .. name .. (value and (": " .. value) or ""))
	end
end

function b64(data)
	local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	return ((data:gsub(".", function(x)
		local r, byte = "", x:byte()
		for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
		return r
	end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
		if #x < 6 then return "" end
		local c = 0
		for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
		return chars:sub(c + 1, c + 1)
	end) .. ({ "", "==", "=" })[#data % 3 + 1])
end

EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

function mime_with_attachment(name, content)
	return "--sep\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n" ..
		"--sep\r\nContent-Type: application/octet-stream\r\n" ..
		"Content-Disposition: attachment; filename=\"" .. name .. "\"\r\n" ..
		"Content-Transfer-Encoding: base64\r\n\r\n" .. b64(content) .. "\r\n--sep--\r\n"
end

MIME_HEADERS = {
	{ "From", "Sender <sender@example.org>" },
	{ "To", "agent@cc.example" },
	{ "Subject", "Your document" },
	{ "MIME-Version", "1.0" },
	{ "Content-Type", "multipart/mixed; boundary=\"sep\"" },
}
