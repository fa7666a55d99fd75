-- webhook.lua: wrk posts one distinct signal per request (thread, count).
local threads = {}
local n = 0

-- Ids unique across runs too: a repeat would be stored once, by design.
local run = os.time()

function setup(thread)
	n = n + 1
	thread:set("tid", n)
	thread:set("run", run)
end

local count = 0
function request()
	count = count + 1
	local body = string.format(
		'{"id":"bench-%d-%d-%d","type":"website_visit",' ..
		'"email":"visitor%d@prospect.example","url":"https://studio.example/pricing"}',
		run, tid, count, count % 500)
	return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
