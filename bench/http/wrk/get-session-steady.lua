-- get-session.lua at a steady rate: each connection pauses after every response (arguments: the
-- cookie file, then the pause in milliseconds) before it sends its next request. wrk's latency is
-- measured from sending to the response, so the pause is not part of it.
dofile(os.getenv("BENCH_WRK_DIR") .. "/get-session.lua")

local pause
local base_init = init
function init(args)
  base_init(args)
  pause = tonumber(args[2])
end

function delay()
  return pause
end
