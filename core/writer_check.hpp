// SPDX-License-Identifier: Apache-2.0
#pragma once
// Whether a program still has a file open for writing, and a way to keep it so
// while the daemon reads it. A check-in must record a finished file: the bytes
// of the file at one instant, not the first half of a save that is still
// running. One implementation per platform: writer_check_posix.cpp (a read
// lease, F_SETLEASE, and /proc for who the writer is) and writer_check_win.cpp
// (the file opened again denying write sharing, and the Restart Manager for
// who the writer is).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/open_beneath.hpp"

namespace pdm {

// A process that has a file open for writing.
struct FileWriter {
    std::int64_t pid = 0;
    std::string program;  // its name as the system reports it ("" when unknown)
};

// While held, no process has the file open for writing, and none can open it
// for writing (an open for writing waits until the lease is released, or
// until the system's lease-break time runs out, which still_held() tells).
// Released when destroyed.
class ReadLease {
public:
    enum class Outcome {
        held,
        writer_present,  // some process has the file open for writing
        unsupported,     // not possible here (not the file's owner and no CAP_LEASE, or the file
                         // system has no leases): the caller falls back on the watcher's view
    };

    // Tries on a file opened for reading only. Never throws for the outcomes above.
    explicit ReadLease(const OpenedFile& file);
    ~ReadLease();
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;

    Outcome outcome() const { return outcome_; }
    // The file is closed right after the lease: closing it ends the lease,
    // one system call fewer than giving it back first (POSIX).
    void end_with_the_file() { end_with_the_file_ = true; }
    // False when a writer waited out the lease-break time and took the file
    // back meanwhile: what was read may mix two versions.
    bool still_held() const;

private:
    const OpenedFile& file_;
    Outcome outcome_;
    bool end_with_the_file_ = false;
    FileHandle hold_;  // Windows: a second open of the file that denies others write access
};

// The processes that have `file` open for writing, as far as the daemon may
// see them (others' processes need privileges to inspect). Best effort: an
// empty list does not prove there is none.
std::vector<FileWriter> writers_of(const OpenedFile& file);

// Whether some program has the regular file at normalised `path` below
// `root` open for writing right now: a lease tried and given back at once;
// where none can be taken, `seen_open` (the watcher's view) answers. False
// for a file that is not there. Cheap enough for the event loop.
bool open_for_writing_now(const RepositoryRoot& root, const std::string& path, bool seen_open);

// The refusal for a file still open for writing: conflict with details
// {"reason": "open_for_writing", "path", "pid", "program", "writers"}, and a
// message a person can act on ("... save and close it, then check in").
PdmError open_for_writing(const std::string& path, const std::vector<FileWriter>& writers,
                          const std::string& then_what);

// Windows: a program holds the file open without letting others delete or
// replace it, so its new content cannot be put in place: conflict with
// details {"reason": "open_elsewhere", "path"} ("... close it, then `then_what`").
PdmError open_elsewhere(const std::string& path, const std::string& then_what);

}  // namespace pdm
