-- wrk's summary as one JSON line (the last line of the output), for http-bench.py: throughput, the
-- answers that were not 2xx/3xx, and latency percentiles from wrk's own histogram (microseconds in,
-- milliseconds out).
done = function(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"requestsPerSecond":%.1f,"okPerSecond":%.1f,"errors":%d,"statusErrors":%d,' ..
    '"bytes":%d,"p50Ms":%.3f,"p90Ms":%.3f,"p99Ms":%.3f,"p999Ms":%.3f,"maxMs":%.3f,"meanMs":%.3f}\n',
    summary.requests, seconds, summary.requests / seconds, (summary.requests - failed) / seconds, failed, errors.status,
    summary.bytes, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000))
end
