-- wrk script: POST generic alerts, each with its own dedup key, as the example integration.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer dev-token-acme-monitoring"
local counter = 0
local thread_tag = tostring(math.random(1, 1000000000))

request = function()
  counter = counter + 1
  local body = string.format(
    '{"title":"Disk C: 95%% full","severity":"major","device":"srv-01","dedup_key":"bench-%s-%d"}',
    thread_tag, counter)
  return wrk.format(nil, nil, nil, body)
end
