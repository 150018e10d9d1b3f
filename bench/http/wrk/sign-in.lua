-- POST <base>/sign-in/email, JSON {email, password} of the seeded users, rotating through them.
-- Arguments: a file of JSON bodies, one per line; the Origin to send. Formatted once, in init().
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local reqs, i
function init(args)
  reqs = {}
  local headers = { ["Host"] = wrk.headers["Host"], ["Content-Type"] = "application/json", ["Origin"] = args[2] }
  for _, body in ipairs(read_lines(args[1])) do
    reqs[#reqs + 1] = wrk.format("POST", wrk.path, headers, body)
  end
  i = (tid or 0) * 13 % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end
