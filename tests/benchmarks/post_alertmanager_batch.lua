-- wrk script: POST Alertmanager v4 webhooks of 100 alerts each, every alert with its own fingerprint.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer dev-token-acme-prometheus"
local counter = 0
local thread_tag = tostring(math.random(1, 1000000000))

request = function()
  counter = counter + 1
  local alerts = {}
  for i = 1, 100 do
    alerts[i] = string.format(
      '{"status":"firing","labels":{"alertname":"DiskAlmostFull","client":"acme",' ..
      '"instance":"fs%d:9100","severity":"warning"},"annotations":{"summary":"Disk almost full"},' ..
      '"startsAt":"2026-11-20T08:15:00Z","endsAt":"0001-01-01T00:00:00Z",' ..
      '"fingerprint":"%s-%d-%d"}', i, thread_tag, counter, i)
  end
  local body = '{"version":"4","groupKey":"bench","truncatedAlerts":0,"status":"firing",' ..
    '"receiver":"escalator","alerts":[' .. table.concat(alerts, ",") .. ']}'
  return wrk.format(nil, nil, nil, body)
end
