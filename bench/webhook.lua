-- bench/webhook.lua - wrk script for bench/webhook.sh: POSTs the signed
-- chat messages of $WEBHOOK_REQUESTS (a Lua file written by webhook.sh)
-- in turn, and prints one RESULT line: requests/s, requests, p50, p99,
-- non-2xx, socket errors.
local reqs = dofile(os.getenv("WEBHOOK_REQUESTS"))
local i = 0

request = function()
	i = i % #reqs + 1
	local r = reqs[i]
	return wrk.format("POST", "/v1/messages", {
		["Content-Type"] = "application/json",
		["X-Vigie-Timestamp"] = r[1],
		["X-Vigie-Signature"] = r[2],
	}, r[3])
end

done = function(summary, latency, requests)
	local secs = summary.duration / 1e6
	io.write(string.format("RESULT rps=%.0f requests=%d p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
		summary.requests / secs, summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		summary.errors.status, summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout))
end
