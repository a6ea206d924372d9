// Deadlines: every network operation takes the steady-clock time point by
// which it must finish, or it fails with net::error::timed_out.
// deadline::max() means "no deadline" (a listener waiting until stopped).
#pragma once

#include <chrono>

namespace ehlo::net {

using clock = std::chrono::steady_clock;
using deadline = clock::time_point;

/// The deadline `d` from now.
inline deadline after(clock::duration d) noexcept { return clock::now() + d; }

}  // namespace ehlo::net
