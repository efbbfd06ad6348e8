// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdm-bench --exhaustion: one well-behaved client checks files out and in
// throughout, while pdmd is attacked in turn by thousands of connections
// at once, by clients trickling a request a byte per second (slowloris), and
// by clients that never read their replies. Prints, per phase, the
// well-behaved client's rate and latency as ratios to the quiet phase, and
// pdmd's peak resident memory.

#include <string>

namespace pdm::bench {

struct ExhaustionOptions {
    std::string pdmd;
    int connections = 10000;   // opened at once
    int slow_clients = 1000;   // trickling one byte per second
    int line_timeout_ms = 5000;  // pdmd --line-timeout-ms for the run (its default is 30 s)
    int phase_seconds = 3;
};

// Returns the exit code: 0, or 1 when pdmd failed or a defence did not hold.
int run_exhaustion(const ExhaustionOptions& options);

}  // namespace pdm::bench
