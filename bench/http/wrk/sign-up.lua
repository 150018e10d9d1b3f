-- POST <base>/sign-up/email with a new e-mail address every time:
-- <tag>-t<thread>-<n>@bench.example.com, the same strong password for all (each hash is salted).
-- Arguments: the tag (unique per run), the password, the Origin to send.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local tag, password, headers
local n = 0
function init(args)
  tag, password = args[1], args[2]
  headers = { ["Host"] = wrk.headers["Host"], ["Content-Type"] = "application/json", ["Origin"] = args[3] }
end

function request()
  n = n + 1
  local body = string.format('{"name":"Bench User","email":"%s-t%d-%d@bench.example.com","password":"%s"}',
    tag, tid or 0, n, password)
  headers["Content-Length"] = nil
  return wrk.format("POST", wrk.path, headers, body)
end
