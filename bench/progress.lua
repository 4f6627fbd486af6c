-- wrk script: POST /api/reply/progress, each request for the next of the
-- runs bench-run-1 ... bench-run-N the harness made (wrapping around).
-- Arguments: the body file, holding TOKENMARK where the token goes, the
-- number of threads and N: wrk ... -s progress.lua URL -- progress.json 2 N
local next_thread = 0

function setup(thread)
	next_thread = next_thread + 1
	thread:set("thread_no", next_thread)
end

local head, tail, threads, runs
local counter = 0

function init(args)
	local f = assert(io.open(args[1], "rb"))
	local body = f:read("*a")
	f:close()
	local i, j = body:find("TOKENMARK", 1, true)
	assert(i, "no TOKENMARK in " .. args[1])
	head, tail = body:sub(1, i - 1), body:sub(j + 1)
	threads = tonumber(args[2] or "2")
	runs = tonumber(args[3])
end

function request()
	counter = counter + 1
	local token = "bench-run-" .. (((counter - 1) * threads + thread_no - 1) % runs + 1)
	return wrk.format("POST", "/api/reply/progress", { ["Content-Type"] = "application/json" },
		head .. token .. tail)
end
