-- GET <base>/get-session with a valid session cookie, the hot path. Arguments: a file of Cookie
-- header values, one per line (sessions of different users); each thread rotates through them,
-- starting at its own offset. Requests are formatted once, in init().
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local reqs, i
function init(args)
  reqs = {}
  for _, cookie in ipairs(read_lines(args[1])) do
    reqs[#reqs + 1] = wrk.format("GET", wrk.path, { ["Host"] = wrk.headers["Host"], ["Cookie"] = cookie }, nil)
  end
  i = (tid or 0) * 7 % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end
