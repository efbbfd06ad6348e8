// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdm-bench --vs-redis: durable lock changes and round trips of pdmd against
// Redis with appendfsync always (the standard for "on disk before the
// reply"), both started by this run on the same disk, printed side by side
// with their ratios.

#include <string>

namespace pdm::bench {

struct VsRedisOptions {
    std::string pdmd;
    std::string redis_server = "/usr/bin/redis-server";
    int operations = 2000;  // per client and workload
    int held_locks = 10000;
};

// Returns the exit code: 0, or 1 when a server did not start or a request failed.
int run_vs_redis(const VsRedisOptions& options);

}  // namespace pdm::bench
