-- wrk script: POST /api/reply/submit, every request with its own token, so
-- each one stores a new row (a repeated token would be a cheap no-op).
-- Arguments: the body file, holding the marker TOKENMARK where the token
-- goes, and a run id that keeps tokens unique across runs:
--   wrk ... -s submit.lua URL -- submit.json RUNID
local next_thread = 0

function setup(thread)
	next_thread = next_thread + 1
	thread:set("thread_no", next_thread)
end

local head, tail, run
local counter = 0

function init(args)
	local f = assert(io.open(args[1], "rb"))
	local body = f:read("*a")
	f:close()
	local i, j = body:find("TOKENMARK", 1, true)
	assert(i, "no TOKENMARK in " .. args[1])
	head, tail = body:sub(1, i - 1), body:sub(j + 1)
	run = args[2] or tostring(os.time())
end

function request()
	counter = counter + 1
	local token = "w" .. run .. "-" .. thread_no .. "-" .. counter
	return wrk.format("POST", "/api/reply/submit", { ["Content-Type"] = "application/json" },
		head .. token .. tail)
end
