-- Task moves for wrk: POST /v1/workspaces/{ws}/tasks/{id}/moves, every one a valid, durable move.
-- Each repeat (TASKLEDGER_ROUND of TASKLEDGER_ROUNDS) takes its own slice of the task ids in
-- TASKLEDGER_TASKS, and each wrk thread its own part of that slice; a thread cycles through its tasks,
-- sending each alternately to `doing` and back to `todo` (the tasks start in `todo`; the workflow is
-- open and has no WIP limit). A task's next move is sent only after a whole lap of the thread's other
-- tasks — far more than its connections have in flight — so its moves never race each other, and no
-- task exceeds the per-aggregate rate limit (20/s) unless a lap takes under 50 ms.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local mine = {}
local counter = 0
local prefix = "/v1/workspaces/" .. (os.getenv("TASKLEDGER_WORKSPACE") or "bench") .. "/tasks/"

function init(args)
  local round = tonumber(os.getenv("TASKLEDGER_ROUND") or "0")
  local rounds = tonumber(os.getenv("TASKLEDGER_ROUNDS") or "1")
  local count = tonumber(os.getenv("TASKLEDGER_THREADS") or "1")
  local index = 0
  for line in io.lines(os.getenv("TASKLEDGER_TASKS")) do
    if #line > 0 then
      if index % rounds == round and math.floor(index / rounds) % count == id then table.insert(mine, line) end
      index = index + 1
    end
  end
  assert(#mine > 0, "no tasks for this thread")
  -- wrk calls thread 0's request() once more before its run, to check whether requests are pipelined,
  -- and never sends that request: start thread 0 one step back so that its first task's first move is
  -- sent (otherwise that task's next lap asks for `todo` while it is still in `todo`: a 409 per run).
  if id == 0 then counter = -1 end
end

function request()
  local step = math.max(counter, 0)
  local task = mine[step % #mine + 1]
  local lap = math.floor(step / #mine)
  counter = counter + 1
  local to = (lap % 2 == 0) and "doing" or "todo"
  return wrk.format("POST", prefix .. task .. "/moves", nil, '{"to":"' .. to .. '"}')
end
