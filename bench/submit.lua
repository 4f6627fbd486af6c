-- wrk script: POST /api/reply/submit, each request submitting the next of
-- the runs PREFIX1 ... PREFIXN the harness made (as a start stores them),
-- once, with its token: every request stores a reply and finishes a run.
-- Past the last run a token names no run (400 Unknown Run, counted as
-- non-2xx): the harness makes more runs than wrk can submit.
-- Arguments: the body file, holding TOKENMARK where the token goes, the
-- number of threads, PREFIX and N:
--   wrk ... -s submit.lua URL -- submit.json 2 bench-sub- N
local next_thread = 0

function setup(thread)
	next_thread = next_thread + 1
	thread:set("thread_no", next_thread)
end

local head, tail, threads, prefix, runs
local counter = 0

function init(args)
	local f = assert(io.open(args[1], "rb"))
	local body = f:read("*a")
	f:close()
	local i, j = body:find("TOKENMARK", 1, true)
	assert(i, "no TOKENMARK in " .. args[1])
	head, tail = body:sub(1, i - 1), body:sub(j + 1)
	threads = tonumber(args[2])
	prefix = args[3]
	runs = tonumber(args[4])
end

function request()
	counter = counter + 1
	local token = prefix .. ((counter - 1) * threads + thread_no)
	return wrk.format("POST", "/api/reply/submit", { ["Content-Type"] = "application/json" },
		head .. token .. tail)
end
