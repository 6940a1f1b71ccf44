-- lure.lua - a credential-phishing lure (a link and a phone number) is
-- quarantined and discarded; campaign_test.py then sends its link and its
-- number through the webhook
dofile(os.getenv("VIGIE_LUA_LIB"))
local conn = open_conn()
local r = send_message(conn, "LURE1", {
	{ "From", "\"Service Client\" <alerte@secure-verify-account.top>" },
	{ "To", "agent@cc.example" },
	{ "Subject", "Urgent : votre compte sera suspendu" },
	{ "Content-Type", "text/plain; charset=utf-8" },
}, "Bonjour,\r\n\r\nVotre compte sera suspendu sous 24h. Confirmez vos identifiants et votre " ..
   "mot de passe ici : https://secure-verify-account.top/login/confirm?id=8812\r\n" ..
   "En cas de probleme appelez le 01 84 88 12 34.\r\n\r\nLe service client\r\n")
expect_reply(r, SMFIR_DISCARD, "lure")
mt.disconnect(conn)
