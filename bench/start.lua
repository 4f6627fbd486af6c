-- wrk script: POST /api/reply/start with the body in the file given as the
-- first script argument (wrk ... -s start.lua URL -- body.json).
local body_path

function init(args)
	body_path = args[1]
	local f = assert(io.open(body_path, "rb"))
	wrk.body = f:read("*a")
	f:close()
	wrk.method = "POST"
	wrk.path = "/api/reply/start"
	wrk.headers["Content-Type"] = "application/json"
end
