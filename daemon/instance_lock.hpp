#pragma once
// Exactly one daemon per state dir: an exclusive lock on <state-dir>/pdmd.lock,
// held for the life of the process and released by the OS even after kill -9.
// One file per platform (instance_lock_posix.cpp).

#include <filesystem>
#include <memory>

namespace pdm::daemon {

class InstanceLock {
public:
    virtual ~InstanceLock() = default;
    // Throws std::runtime_error naming the holder (its pid) when another
    // daemon owns the state dir.
    static std::unique_ptr<InstanceLock> acquire(const std::filesystem::path& state_dir);
};

}  // namespace pdm::daemon
