-- wrk script: POST /api/reply/start, every request a new participant (their
-- student number and e-mail replace PERSONMARK), so each one creates a run,
-- as a class signing up does. Arguments: the body file and a run id:
--   wrk ... -s start.lua URL -- start.json RUNID
local next_thread = 0

function setup(thread)
	next_thread = next_thread + 1
	thread:set("thread_no", next_thread)
end

local body, run
local counter = 0

function init(args)
	local f = assert(io.open(args[1], "rb"))
	body = f:read("*a")
	f:close()
	run = args[2] or tostring(os.time())
end

function request()
	counter = counter + 1
	local who = "w" .. run .. "t" .. thread_no .. "n" .. counter
	return wrk.format("POST", "/api/reply/start", { ["Content-Type"] = "application/json" },
		(body:gsub("PERSONMARK", who)))
end
