-- wrk script: POST /api/reply/start, every request the same: one person
-- naming their run by its token, as a page reloaded over and over does (a
-- reload storm). Argument: the body file:
--   wrk ... -s resume.lua URL -- resume.json
function init(args)
	local f = assert(io.open(args[1], "rb"))
	wrk.body = f:read("*a")
	f:close()
	wrk.method = "POST"
	wrk.path = "/api/reply/start"
	wrk.headers["Content-Type"] = "application/json"
end
