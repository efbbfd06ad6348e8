// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version history: a bare git repository (history.git in the state dir)
// that only the daemon writes, through libgit2, so standard git tools can read
// it. Each commit's tree holds the tracked files as of that commit; author =
// the user whose content it is, committer = pdmd. Revisions of one file are
// numbered 1, 2, 3... in the order its content changed.
//
// Not thread-safe: the daemon uses it from its one history thread, so that
// reading and hashing large files never stalls the event loop. Every write is
// durable (objects, ref and folders flushed) before the call returns.

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <filesystem>
#include <functional>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/import_order.hpp"

namespace pdm {

struct Revision {
    std::uint64_t number = 0;  // per file: 1 is its first revision
    std::string commit;        // hex commit id
    std::string path;          // normalised repository path
    std::string author;        // whose content it is (for a snapshot: the lock's owner)
    TimePoint time;            // author time
    std::string message;       // the check-in message (without pdmd's trailers)
    bool removed = false;      // the file was gone from disk when checked in: no content
    std::uint64_t size = 0;
    std::string blob;          // hex blob id; "" when removed
    // Set on a snapshot taken before an admin broke the lock: who broke it.
    std::optional<std::string> broken_by;
};

// One commit's worth of files.
struct RevisionRequest {
    std::vector<std::string> paths;  // normalised tracked paths
    std::string author;
    std::string message;
    TimePoint time;
    std::optional<std::string> broken_by;  // a snapshot of a broken check-out
    // What the person should do once the file is closed, when a program still
    // has it open for writing ("check in").
    std::string then_what = "check in";
    // The paths the watcher saw written and not closed since: refused as open
    // for writing when no lease can be taken to tell for sure.
    std::set<std::string> seen_open = {};
    // Record what is on disk even when a program still has it open for
    // writing (a snapshot before a lock is broken: the owner's program may be
    // left open for days; what is there is better than nothing).
    bool even_if_open = false;
    // Stops the recording when it becomes true (ImportCancelled).
    const std::atomic<bool>* cancel = nullptr;
    // The first import: its files come from here, in the order it hands them
    // out (`paths` is not used), and each is reported to it once read.
    ImportOrder* order = nullptr;
};

// An import stopped because the daemon is stopping.
class ImportCancelled : public std::runtime_error {
public:
    ImportCancelled() : std::runtime_error("the import was stopped: pdmd is stopping") {}
};

struct RecordedFile {
    std::string path;
    bool recorded = false;  // false: the content equals the newest revision (or the file
                            // was never recorded and is gone): nothing new was written
    std::optional<Revision> revision;  // the new revision, or else the newest one (none: never recorded)
    std::string sha256;                // hex, of the content read; "" when removed / gone
    std::string skipped;               // why the daemon's own recording left it out ("" when it did not)
};

// The content of one revision, read in pieces: a 1 GiB revision never has to
// be held in memory whole.
class BlobReader {
public:
    virtual ~BlobReader() = default;
    virtual std::uint64_t size() const = 0;
    // Up to `capacity` bytes into `out`; 0 at the end. Throws std::runtime_error.
    virtual std::size_t read(char* out, std::size_t capacity) = 0;
};

struct DiffResult {
    bool binary = false;
    std::string patch;  // unified diff ("" when equal or binary)
    std::uint64_t from_size = 0, to_size = 0;
    std::string from_sha256, to_sha256;
};

struct BlameLine {
    std::uint64_t line = 0;  // from 1
    Revision revision;       // the revision that last changed the line
    std::string text;        // without its line ending
};

class HistoryStore {
public:
    // Opens `git_dir` (a bare repository), creating it when missing.
    // `repo_root` is the folder of part files, read when recording.
    // The caller must be the history's one writer (the daemon holds the state
    // dir's pdmd.lock): the lock files git leaves behind when a writer is
    // killed mid-update (refs/heads/main.lock, packed-refs.lock...) are then
    // stale, and are removed here; otherwise every later commit would fail.
    // stale_locks_removed() names them.
    // Throws std::runtime_error naming the path and libgit2's reason.
    // A file larger than `max_file_bytes` is never read into the history: a
    // check-in of it is refused (PdmError too_large) before a byte is read,
    // and imports skip it (logged).
    HistoryStore(const std::filesystem::path& git_dir, const std::filesystem::path& repo_root,
                 std::uint64_t max_file_bytes = std::uint64_t{4} << 30);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    // True before the first commit.
    bool empty() const;
    // True before the first commit, or when an import was cut short after
    // part of it was made durable early (for a check-out during it): import.
    bool import_needed() const;

    // The lock files left by a killed writer that opening removed (paths
    // relative to `git_dir`), for the log.
    const std::vector<std::string>& stale_locks_removed() const;

    // `tell` hears the id of each object found damaged (a crash cut its
    // write short) and removed to be written again, for the log. Called on
    // the thread that records, before that object's write.
    void on_damaged_object(std::function<void(const std::string& id)> tell);

    // The first commit, "initial import" by pdmd: every path (normalised,
    // tracked) as its revision 1. When `cancel` becomes true (set from any
    // thread: the daemon is stopping) it stops within a piece of a file,
    // throws ImportCancelled and commits nothing more: the next start
    // imports again what has no revision yet.
    // The files are read in the order `order` hands them out, each reported
    // to it. When it asks (a check-out waits for a file read already), what
    // is read so far is committed and made durable at once; the rest
    // follows in further commits. A file with a revision already (an import
    // cut short, resumed) is passed over.
    std::vector<RecordedFile> import(ImportOrder& order, TimePoint time, const std::atomic<bool>* cancel = nullptr);
    std::vector<RecordedFile> import(const std::vector<std::string>& paths, TimePoint time,
                                     const std::atomic<bool>* cancel = nullptr);

    // Files that appeared after the import, as their revision 1 in one
    // commit, authored by whoever created them (`author`): with ownership
    // enforcement the file's owner becomes the daemon, and this is where its
    // creator is kept. Taken as they are, even while still open for writing.
    std::vector<RecordedFile> record_added(const std::vector<std::string>& paths, const std::string& author,
                                           TimePoint time);

    // Reads each file from disk (never through a symbolic link) and records
    // those whose content differs from their newest revision, all in one
    // commit; a file gone from disk that has history is recorded as removed.
    // Each file is read under a ReadLease, so a revision is the file's bytes
    // at one instant. No commit when nothing changed. Durable on return.
    // Throws PdmError (conflict, reason open_for_writing: a program still has
    // a file open for writing; invalid_path: a file with more than one name)
    // or std::runtime_error (I/O, libgit2), leaving the history as it was.
    std::vector<RecordedFile> record(const RevisionRequest& request);

    // What one request of a batch came to: its files, or the error record()
    // would have thrown for it.
    struct BatchOutcome {
        std::vector<RecordedFile> files;
        std::exception_ptr error;
    };
    // Each request as record() would, in order, each its own commit, all
    // made durable together: one flush of every object written and one move
    // of the branch, where record() pays both per request. A request that
    // fails leaves the others recorded; a flush that fails fails every
    // request that recorded something (the history stays as it was).
    std::vector<BatchOutcome> record_batch(const std::vector<RevisionRequest>& requests);

    // A file as the folder shows it, for changed_since_recorded.
    struct SeenFile {
        std::string path;
        std::uint64_t size = 0;
        TimePoint mtime;
    };
    // Of `files`, those whose content differs from their newest revision:
    // changed while nobody was watching (the daemon was stopped). Only a file
    // whose size differs, or that was modified after its revision was taken,
    // is read and compared. Files with no revision are not listed.
    std::vector<std::string> changed_since_recorded(const std::vector<SeenFile>& files);

    // Newest first; at most `limit` (0: all). Empty when the file has none.
    std::vector<Revision> revisions(const std::string& path, std::size_t limit = 0) const;
    std::optional<Revision> newest(const std::string& path) const;
    // `rev` is a revision number ("3") or a commit id (hex, 7+ digits, of a
    // commit that holds a revision of this file). Throws PdmError(not_found).
    Revision find(const std::string& path, const std::string& rev) const;

    // The hex SHA-256 of a revision's content (computed once, then remembered).
    std::string sha256(const Revision& revision);
    // The revision's content, streamed. Throws PdmError(not_found) for a removed one.
    std::unique_ptr<BlobReader> open(const Revision& revision);

    // Puts the revision's content in the working file (replace_working_file:
    // all at once, keeping its owner, mode and ACLs, never under a program
    // that has it open for writing; "... then `then_what`"). Throws PdmError
    // or std::runtime_error.
    // `seen_open`: the watcher saw the file written and not closed since.
    void write_working_file(const Revision& revision, const std::string& then_what, bool seen_open = false);
    // Several revisions, each into its own working file, all or nothing
    // (replace_working_files). `seen_open`: paths the watcher saw open.
    void write_working_files(const std::vector<Revision>& revisions, const std::string& then_what,
                             const std::set<std::string>& seen_open);

    // `from` against `to`, or against the working file when `to` is nothing.
    DiffResult diff(const Revision& from, const std::optional<Revision>& to);
    // The newest revision's lines, each with the revision that last changed it.
    // Throws PdmError(conflict) for a binary or removed file.
    std::vector<BlameLine> blame(const std::string& path);

private:
    // The requests, each its own commit, flushed together, the branch moved
    // once. `daemons_own` (the import, new files): a file over the size limit
    // or with hard links is skipped (logged), not a refusal.
    std::vector<BatchOutcome> record_requests(const std::vector<const RevisionRequest*>& requests, bool daemons_own);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pdm
