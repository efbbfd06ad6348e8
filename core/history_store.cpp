// SPDX-License-Identifier: Apache-2.0
#include "core/history_store.hpp"

#include <git2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <memory>
#include <set>
#include <system_error>
#include <unordered_map>

#include "core/content_digest.hpp"
#include "core/damaged_object_check.hpp"
#include "core/error.hpp"
#include "core/open_beneath.hpp"
#include "core/revision_index.hpp"
#include "core/stored_loose_object.hpp"
#include "core/working_file.hpp"
#include "core/writer_check.hpp"

namespace pdm {
namespace {

// The files of a batch of one, or its error thrown.
std::vector<RecordedFile> only(std::vector<HistoryStore::BatchOutcome> outcomes) {
    if (outcomes.front().error) std::rethrow_exception(outcomes.front().error);
    return std::move(outcomes.front().files);
}

constexpr std::size_t piece_bytes = 1 << 20;
constexpr std::uint64_t diff_text_limit = 16 << 20;  // larger files are compared as binary
constexpr const char* branch = "refs/heads/main";
// Present while a first import has made part of its files durable (for a
// check-out during it) and not yet all: a start that finds it resumes the
// import with the files that have no revision yet.
constexpr const char* import_unfinished = "refs/pdmd/import-unfinished";
constexpr const char* broken_by_trailer = "Broken-by: ";

// Throws for a libgit2 failure, with libgit2's own reason.
void check(int result, const std::string& what) {
    if (result >= 0) return;
    const git_error* error = git_error_last();
    throw std::runtime_error(what + ": " + (error && error->message ? error->message : "libgit2 error " + std::to_string(result)));
}

template <typename T, void (*Free)(T*)>
struct GitPtr {
    T* ptr = nullptr;
    GitPtr() = default;
    GitPtr(const GitPtr&) = delete;
    GitPtr& operator=(const GitPtr&) = delete;
    ~GitPtr() {
        if (ptr) Free(ptr);
    }
    T** out() { return &ptr; }
    T* get() const { return ptr; }
};

using Repo = GitPtr<git_repository, git_repository_free>;
using Odb = GitPtr<git_odb, git_odb_free>;
using Commit = GitPtr<git_commit, git_commit_free>;
using Tree = GitPtr<git_tree, git_tree_free>;
using Blob = GitPtr<git_blob, git_blob_free>;
using Diff = GitPtr<git_diff, git_diff_free>;
using Walk = GitPtr<git_revwalk, git_revwalk_free>;
using Signature = GitPtr<git_signature, git_signature_free>;
using Patch = GitPtr<git_patch, git_patch_free>;
using BlameResult = GitPtr<git_blame, git_blame_free>;
using TreeBuilder = GitPtr<git_treebuilder, git_treebuilder_free>;
using OdbStream = GitPtr<git_odb_stream, git_odb_stream_free>;

void free_buf(git_buf* buffer) { git_buf_dispose(buffer); }

std::string hex(const git_oid& oid) {
    char text[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(text, sizeof text, &oid);
    return text;
}

git_oid oid_of(const std::string& text) {
    git_oid oid;
    check(git_oid_fromstr(&oid, text.c_str()), "bad object id " + text);
    return oid;
}

struct OidHash {
    std::size_t operator()(const git_oid& oid) const {
        std::size_t hash;
        std::memcpy(&hash, oid.id, sizeof hash);  // already uniformly spread
        return hash;
    }
};
struct OidEqual {
    bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b) != 0; }
};

using Sha256 = std::array<unsigned char, 32>;

Sha256 sha256_bytes(const std::string& hex_text) {
    Sha256 bytes{};
    const auto nibble = [](char c) { return static_cast<unsigned char>(c <= '9' ? c - '0' : c - 'a' + 10); };
    for (std::size_t i = 0; i < bytes.size() && 2 * i + 1 < hex_text.size(); ++i)
        bytes[i] = static_cast<unsigned char>(nibble(hex_text[2 * i]) << 4 | nibble(hex_text[2 * i + 1]));
    return bytes;
}

// The index keeps a revision in 40 bytes and what its commit says once per
// commit: an import of 100,000 files is one commit, and a Revision of its
// own per file (ten strings) cost about 400 bytes each.
struct IndexedCommit {
    git_oid id;
    std::string author;
    std::string message;
    TimePoint time;
    std::optional<std::string> broken_by;
};
struct IndexedRevision {
    git_oid blob{};  // zero when removed
    std::uint32_t commit = 0;  // in Impl::commits
    bool removed = false;
    std::uint64_t size = 0;
};

// libgit2's global state, for as long as any store is open.
class LibGit2 {
public:
    LibGit2() {
        check(git_libgit2_init(), "cannot start libgit2");
        // Objects, refs and their folders are flushed before a write returns:
        // a check-in is acknowledged only once its revision would survive a power cut.
        check(git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1), "cannot enable fsync in libgit2");
        // The history is the daemon's alone: no user's or system git
        // configuration may change how it is written (and a daemon whose HOME
        // it cannot read must still start).
        for (const git_config_level_t level : {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL,
                                               GIT_CONFIG_LEVEL_PROGRAMDATA})
            check(git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, ""), "cannot set libgit2's configuration paths");
    }
    ~LibGit2() { git_libgit2_shutdown(); }
    LibGit2(const LibGit2&) = delete;
    LibGit2& operator=(const LibGit2&) = delete;
};

// Reads an open file in pieces, at most `limit` bytes, calling `use` for
// each; returns the byte count.
template <typename Use>
std::uint64_t read_pieces(const FileHandle& file, std::uint64_t limit, Use use) {
    // Not zeroed first: a check-in reads its file twice, and clearing a
    // mebibyte each time cost more than hashing a small file.
    const auto piece = std::make_unique_for_overwrite<char[]>(piece_bytes);
    std::uint64_t total = 0;
    while (total < limit) {
        const std::size_t wanted = static_cast<std::size_t>(std::min<std::uint64_t>(piece_bytes, limit - total));
        const std::size_t length = read_at(file, total, piece.get(), wanted);
        if (length == 0) break;
        use(piece.get(), length);
        total += length;
    }
    return total;
}

// True when the file holds bytes past `size`: it grew while it was read.
bool longer_than(const FileHandle& file, std::uint64_t size) {
    char byte;
    return read_at(file, size, &byte, 1) > 0;
}

// The message as the user gave it, and the snapshot trailer pdmd added.
std::pair<std::string, std::optional<std::string>> split_message(std::string message) {
    std::optional<std::string> broken_by;
    const std::string marker = std::string("\n\n") + broken_by_trailer;
    if (const auto at = message.rfind(marker); at != std::string::npos) {
        std::string name = message.substr(at + marker.size());
        while (!name.empty() && name.back() == '\n') name.pop_back();
        if (name.find('\n') == std::string::npos) {
            broken_by = name;
            message.erase(at);
        }
    }
    return {message, broken_by};
}

// While it lives, objects are written without an fsync each; flush() then
// makes all of them durable at once (Linux: one syncfs; Windows: each object
// named by wrote()). Importing thousands of files, or recording a batch of
// check-ins, thus costs one flush, not one per object and folder.
class BulkObjectWrites {
public:
    explicit BulkObjectWrites(const std::filesystem::path& git_dir) : objects_(git_dir / "objects") {
        check(git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0), "cannot change libgit2's fsync setting");
    }
    ~BulkObjectWrites() { git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1); }
    BulkObjectWrites(const BulkObjectWrites&) = delete;
    BulkObjectWrites& operator=(const BulkObjectWrites&) = delete;

    // A loose object written meanwhile (hex id): flush() covers it.
    void wrote(const std::string& id) { written_.push_back(loose_object_name(id)); }

    // Flushes the objects written, then flushes as usual again.
    void flush() {
        flush_written(objects_, written_);
        written_.clear();
        check(git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1), "cannot change libgit2's fsync setting");
    }

    // Flushes the objects written so far, runs `durable_step` with flushing
    // as usual (moving a ref), then goes on writing unflushed.
    template <typename Step>
    void flush_now(Step durable_step) {
        flush();
        durable_step();
        check(git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0), "cannot change libgit2's fsync setting");
    }

private:
    std::filesystem::path objects_;
    std::vector<std::string> written_;  // "ab/cdef...": 80 bytes each, where a path took 580
};

class MemoryReader final : public BlobReader {
public:
    explicit MemoryReader(std::string bytes) : bytes_(std::move(bytes)) {}
    std::uint64_t size() const override { return bytes_.size(); }
    std::size_t read(char* out, std::size_t capacity) override {
        const std::size_t length = std::min(capacity, bytes_.size() - offset_);
        std::memcpy(out, bytes_.data() + offset_, length);
        offset_ += length;
        return length;
    }

private:
    std::string bytes_;
    std::size_t offset_ = 0;
};

// Inflates a loose object a piece at a time (the daemon writes only loose objects).
class StreamReader final : public BlobReader {
public:
    StreamReader(git_odb_stream* stream, std::uint64_t size) : size_(size) { *stream_.out() = stream; }
    std::uint64_t size() const override { return size_; }
    std::size_t read(char* out, std::size_t capacity) override {
        if (delivered_ >= size_) return 0;
        const int length = git_odb_stream_read(stream_.get(), out, std::min<std::size_t>(capacity, 1 << 30));
        check(length, "cannot read a revision");
        delivered_ += static_cast<std::uint64_t>(length);
        if (length == 0 && delivered_ < size_) throw std::runtime_error("a revision ended early");
        return static_cast<std::size_t>(length);
    }

private:
    OdbStream stream_;
    std::uint64_t size_;
    std::uint64_t delivered_ = 0;
};

// Removes the `*.lock` files git writes beside a ref, packed-refs, HEAD or
// config while it updates them: with one writer, any found before it opens
// were left by a writer that died. Objects are written under other names.
std::vector<std::string> remove_stale_git_locks(const std::filesystem::path& git_dir) {
    std::vector<std::string> removed;
    std::filesystem::recursive_directory_iterator walk(git_dir), end;
    for (; walk != end; ++walk) {
        if (walk->path().filename() == "objects") {
            walk.disable_recursion_pending();
            continue;
        }
        if (walk->path().extension() != ".lock" || !walk->is_regular_file()) continue;
        std::filesystem::remove(walk->path());
        removed.push_back(walk->path().lexically_relative(git_dir).generic_string());
    }
    return removed;
}

// Whether deflating a file is worth its time, judged from a sample of its
// bytes: part files are mostly compressed already (zip-based formats,
// Mastercam's own), and deflate spends most of an import on them for a
// percent or two; text formats (STEP, IGES, G-code) shrink several times.
class CompressibilitySample {
public:
    void add(const char* data, std::size_t length) {
        const std::size_t take = std::min(length, sample_bytes - seen_);
        for (std::size_t i = 0; i < take; ++i) ++counts_[static_cast<unsigned char>(data[i])];
        seen_ += take;
    }
    // Shannon entropy of the sample under 7.8 bits a byte: above it, deflate
    // would save less than about 3 %.
    bool worth_compressing() const {
        if (seen_ < 4096) return true;  // too little to judge, and cheap either way
        double bits = 0;
        for (const std::uint64_t count : counts_) {
            if (count == 0) continue;
            const double p = static_cast<double>(count) / static_cast<double>(seen_);
            bits -= p * std::log2(p);
        }
        return bits < 7.8;
    }

private:
    static constexpr std::size_t sample_bytes = 256 * 1024;
    std::array<std::uint64_t, 256> counts_{};
    std::size_t seen_ = 0;
};

}  // namespace

struct HistoryStore::Impl {
    LibGit2 library;
    std::filesystem::path git_dir;
    std::optional<RepositoryRoot> root;
    std::uint64_t max_file_bytes = 0;
    std::vector<std::string> stale_locks;
    // Before repo: the object database it holds asks it.
    std::optional<DamagedObjectCheck> object_check;
    std::function<void(const std::string& id)> tell_damaged = [](const std::string&) {};
    Repo repo;
    Odb odb;
    std::vector<IndexedCommit> commits;  // oldest first
    RevisionIndex<IndexedRevision> by_path;
    // The sha256 that `history` reports per revision, kept for the blobs
    // last stored or asked about. Bounded: kept for every file of a first
    // import it was 90 bytes a file, and a miss costs one read of the blob.
    std::unordered_map<git_oid, Sha256, OidHash, OidEqual> sha256_by_blob;
    static constexpr std::size_t max_sha256_kept = 4096;

    void remember_sha256(const git_oid& blob, const std::string& sha256) {
        if (sha256_by_blob.size() >= max_sha256_kept) sha256_by_blob = {};  // gives its buckets back too
        sha256_by_blob[blob] = sha256_bytes(sha256);
    }

    std::optional<git_oid> head() const {
        git_oid oid;
        const int result = git_reference_name_to_id(&oid, repo.get(), branch);
        if (result == GIT_ENOTFOUND) return std::nullopt;
        check(result, "cannot read the history's branch");
        return oid;
    }

    // What one commit changed, as revisions appended to by_path: all of them
    // or, when reading the commit fails, none. Returns the paths appended to.
    std::vector<std::string> index_commit(git_commit* commit, git_tree* parent_tree) {
        Tree tree;
        check(git_commit_tree(tree.out(), commit), "cannot read a commit's tree");
        Diff diff;
        check(git_diff_tree_to_tree(diff.out(), repo.get(), parent_tree, tree.get(), nullptr), "cannot compare trees");
        const git_signature* author = git_commit_author(commit);
        auto [message, broken_by] = split_message(git_commit_message(commit));
        IndexedCommit described{*git_commit_id(commit), author->name, std::move(message),
                                std::chrono::system_clock::from_time_t(static_cast<std::time_t>(author->when.time)),
                                std::move(broken_by)};
        const auto number = static_cast<std::uint32_t>(commits.size());
        // Read first, indexed after: a failure leaves the index as it was.
        std::vector<std::pair<const char*, IndexedRevision>> changed;
        changed.reserve(git_diff_num_deltas(diff.get()));
        for (std::size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
            const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
            IndexedRevision revision;
            revision.commit = number;
            revision.removed = delta->status == GIT_DELTA_DELETED;
            const git_diff_file& file = revision.removed ? delta->old_file : delta->new_file;
            if (!revision.removed) {
                revision.blob = file.id;
                std::size_t size = 0;
                git_object_t type;
                check(git_odb_read_header(&size, &type, odb.get(), &file.id), std::string("cannot read ") + file.path);
                revision.size = size;
            }
            changed.emplace_back(file.path, revision);
        }
        commits.push_back(std::move(described));
        std::vector<std::string> paths;
        paths.reserve(changed.size());
        for (const auto& [path, revision] : changed) {
            by_path.append(path, revision);
            paths.emplace_back(path);
        }
        return paths;
    }

    // The revision at `position` (0: the first) of `path`'s `revisions`, whole.
    // `indexed` is `path`'s revision at `position` (0: its oldest).
    Revision expand(const std::string& path, const IndexedRevision& indexed, std::size_t position) const {
        const IndexedCommit& commit = commits[indexed.commit];
        Revision revision;
        revision.number = position + 1;
        revision.commit = hex(commit.id);
        revision.path = path;
        revision.author = commit.author;
        revision.time = commit.time;
        revision.message = commit.message;
        revision.removed = indexed.removed;
        revision.size = indexed.size;
        if (!indexed.removed) revision.blob = hex(indexed.blob);
        revision.broken_by = commit.broken_by;
        return revision;
    }

    // Takes back the revisions index_commit appended for `paths` (newest
    // first): commits that never became the history.
    void unindex(const std::vector<std::string>& paths) {
        for (auto path = paths.rbegin(); path != paths.rend(); ++path) by_path.remove_newest(*path);
    }

    void build_index() {
        const auto tip = head();
        if (!tip) return;
        Walk walk;
        check(git_revwalk_new(walk.out(), repo.get()), "cannot walk the history");
        check(git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE), "cannot walk the history");
        check(git_revwalk_push(walk.get(), &*tip), "cannot walk the history");
        check(git_revwalk_simplify_first_parent(walk.get()), "cannot walk the history");
        git_oid oid;
        while (git_revwalk_next(&oid, walk.get()) == 0) {
            Commit commit;
            check(git_commit_lookup(commit.out(), repo.get(), &oid), "cannot read commit " + hex(oid));
            Tree parent_tree;
            if (git_commit_parentcount(commit.get()) > 0) {
                Commit parent;
                check(git_commit_parent(parent.out(), commit.get(), 0), "cannot read a parent commit");
                check(git_commit_tree(parent_tree.out(), parent.get()), "cannot read a parent tree");
            }
            index_commit(commit.get(), parent_tree.get());
        }
        by_path.shrink_to_fit();
        commits.shrink_to_fit();
    }

    // Stores the file's content as a blob, read in pieces; nothing when it is
    // gone. {blob id, sha256, size}.
    struct Stored {
        std::string blob, sha256;
        std::uint64_t size = 0;
    };
    // Whether blob `id` is stored whole. Objects are written unflushed and
    // made durable together, so a crash before that flush can leave an
    // object's name with none or part of its content; trusted as it is, it
    // would be the content of every later revision that has it. One that no
    // revision of `path` already names is read back before it is trusted,
    // and removed, to be written again, when it does not read back whole.
    bool stored_whole(const git_oid& id, const std::string& path) {
        if (!git_odb_exists(odb.get(), &id)) return false;
        const IndexedRevision* newest = by_path.newest(path);
        if (newest && !newest->removed && git_oid_equal(&newest->blob, &id)) return true;  // the unchanged check-in
        return !object_check->remove_if_damaged(hex(id));  // a packed one is git's own, trusted
    }

    // `bulk`: a BulkObjectWrites makes what is written durable; content
    // that would not shrink is then stored without deflate's work.
    std::optional<Stored> store_file(const std::string& path, const RevisionRequest& request, bool bulk) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            std::optional<OpenedFile> file;
            try {
                file.emplace(open_beneath(*root, path, FileAccess::read));
            } catch (const std::system_error& error) {
                if (error.code() == std::errc::no_such_file_or_directory) return std::nullopt;
                // Windows: a program holds it open letting nobody else read it.
                if (error.code() == std::errc::device_or_resource_busy)
                    throw open_for_writing(path, {}, request.then_what);
                throw;
            }
            require_single_name(*file, path);
            // While the lease is held nobody can open the file for writing:
            // both reads below see the same bytes, those of one instant.
            const ReadLease lease(*file);
            const bool writing = lease.outcome() == ReadLease::Outcome::writer_present ||
                                 (lease.outcome() == ReadLease::Outcome::unsupported && request.seen_open.contains(path));
            if (writing && !request.even_if_open) throw open_for_writing(path, writers_of(*file), request.then_what);
            const std::uint64_t size = file->info.size;
            if (size > max_file_bytes) {
                throw PdmError(ErrorCode::too_large,
                               "'" + path + "' is " + std::to_string(size) + " bytes, over the history's limit of " +
                                   std::to_string(max_file_bytes) + " (pdmd --max-file-bytes)",
                               {{"path", path}, {"size", size}, {"limit", max_file_bytes}});
            }
            const FileHandle& fd = file->handle;
            // First only hash: an unchanged file (the common check-in) writes nothing.
            ContentDigest digest(size);
            CompressibilitySample sample;
            const auto cancelled = [&] { return request.cancel && request.cancel->load(); };
            const std::uint64_t hashed = read_pieces(fd, size, [&](const char* data, std::size_t length) {
                if (cancelled()) throw ImportCancelled();
                digest.update(data, length);
                sample.add(data, length);
            });
            if (hashed != size || longer_than(fd, size)) continue;  // written to while read: read it again
            auto [blob, sha256] = digest.finish();
            const git_oid id = oid_of(blob);
            const bool already_stored = stored_whole(id, path);
            if (!already_stored && bulk && !sample.worth_compressing()) {
                StoredLooseObject object(git_dir / "objects", size);
                ContentDigest again(size);
                const std::uint64_t written = read_pieces(fd, size, [&](const char* data, std::size_t length) {
                    if (cancelled()) throw ImportCancelled();
                    again.update(data, length);
                    object.write(data, length);
                });
                // Changed between the two reads: what was hashed is not what would be stored.
                if (written != size || again.finish().first != blob) continue;
                object.finish(blob);
            } else if (!already_stored) {
                OdbStream stream;
                check(git_odb_open_wstream(stream.out(), odb.get(), size, GIT_OBJECT_BLOB), "cannot store '" + path + "'");
                const std::uint64_t written = read_pieces(fd, size, [&](const char* data, std::size_t length) {
                    if (cancelled()) throw ImportCancelled();
                    check(git_odb_stream_write(stream.get(), data, length), "cannot store '" + path + "'");
                });
                if (written != size) continue;  // shrank while read
                git_oid stored;
                check(git_odb_stream_finalize_write(&stored, stream.get()), "cannot store '" + path + "'");
                object_check->throw_if_failed();
                // Changed between the two reads: what was stored is not what was hashed.
                if (hex(stored) != blob) continue;
            }
            // A writer that waited out the lease-break time got in meanwhile.
            if (lease.outcome() == ReadLease::Outcome::held && !lease.still_held() && !request.even_if_open) continue;
            remember_sha256(id, sha256);
            return Stored{blob, sha256, size};
        }
        throw std::runtime_error("'" + path + "' kept changing while it was read; try again when it is saved");
    }

    git_oid empty_tree() {
        TreeBuilder builder;
        check(git_treebuilder_new(builder.out(), repo.get(), nullptr), "cannot build a tree");
        git_oid oid;
        check(git_treebuilder_write(&oid, builder.get()), "cannot write a tree");
        object_check->throw_if_failed();
        return oid;
    }

    // One commit holding `files` (path -> blob, or nothing: removed) on top
    // of `tip` (none: the first commit). Its objects are written, named to
    // `writes`, and indexed (the paths indexed are added to `indexed`); the
    // branch does not move (move_branch, once they are durable).
    git_oid write_commit(const std::optional<git_oid>& tip, const std::map<std::string, std::optional<std::string>>& files,
                         const std::string& author, const std::string& message, TimePoint time,
                         BulkObjectWrites& writes, std::vector<std::string>& indexed) {
        Commit parent;
        Tree baseline;
        if (tip) {
            check(git_commit_lookup(parent.out(), repo.get(), &*tip), "cannot read the newest commit");
            check(git_commit_tree(baseline.out(), parent.get()), "cannot read the newest tree");
        } else {
            // Only the base the first tree is built on: no commit refers to it.
            const git_oid empty = empty_tree();
            check(git_tree_lookup(baseline.out(), repo.get(), &empty), "cannot read the empty tree");
        }
        std::vector<git_oid> ids(files.size());
        std::vector<git_tree_update> updates;
        std::size_t i = 0;
        for (const auto& [path, blob] : files) {
            git_tree_update update{};
            update.path = path.c_str();
            if (blob) {
                ids[i] = oid_of(*blob);
                update.action = GIT_TREE_UPDATE_UPSERT;
                update.id = ids[i];
                update.filemode = GIT_FILEMODE_BLOB;
            } else {
                update.action = GIT_TREE_UPDATE_REMOVE;
            }
            updates.push_back(update);
            ++i;
        }
        git_oid tree_id;
        check(git_tree_create_updated(&tree_id, repo.get(), baseline.get(), updates.size(), updates.data()),
              "cannot write the new tree");
        object_check->throw_if_failed();
        Tree tree;
        check(git_tree_lookup(tree.out(), repo.get(), &tree_id), "cannot read the new tree");
        // The trees written: the root and every folder above a changed path.
        std::set<std::string> trees{hex(tree_id)};
        for (const auto& [path, blob] : files) {
            for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
                git_tree_entry* folder = nullptr;
                if (git_tree_entry_bypath(&folder, tree.get(), path.substr(0, slash).c_str()) != 0) break;  // removed with it
                trees.insert(hex(*git_tree_entry_id(folder)));
                git_tree_entry_free(folder);
            }
        }
        for (const std::string& written : trees) writes.wrote(written);
        const auto seconds = static_cast<git_time_t>(std::chrono::system_clock::to_time_t(time));
        Signature author_signature, committer;
        check(git_signature_new(author_signature.out(), author.c_str(), (author + "@pdmd").c_str(), seconds, 0),
              "cannot sign as " + author);
        check(git_signature_new(committer.out(), "pdmd", "pdmd@pdmd", seconds, 0), "cannot sign as pdmd");
        const git_commit* parents[] = {parent.get()};
        git_oid commit_id;
        check(git_commit_create(&commit_id, repo.get(), nullptr, author_signature.get(), committer.get(), nullptr,
                                message.c_str(), tree.get(), tip ? 1 : 0, parents),
              "cannot record the commit");
        object_check->throw_if_failed();
        writes.wrote(hex(commit_id));
        Commit created;
        check(git_commit_lookup(created.out(), repo.get(), &commit_id), "cannot read the new commit");
        for (std::string& path : index_commit(created.get(), tip ? baseline.get() : nullptr)) indexed.push_back(std::move(path));
        return commit_id;
    }

    // Points the branch at `commit`, durably (libgit2 flushes the ref and its
    // folder): the step that makes the commits up to it the history.
    void move_branch(const git_oid& commit) {
        git_reference* moved = nullptr;
        check(git_reference_create(&moved, repo.get(), branch, &commit, 1, "pdmd"), "cannot move the history's branch");
        git_reference_free(moved);
    }

    // One request of a batch: its files stored, and a commit on top of
    // `tip` (which becomes it) when any changed; the paths it indexed are
    // added to `indexed`. Nothing durable yet.
    std::vector<RecordedFile> record_one(const RevisionRequest& request, bool daemons_own, BulkObjectWrites& writes,
                                         std::optional<git_oid>& tip, std::vector<std::string>& indexed) {
        std::vector<RecordedFile> results;
        std::map<std::string, std::optional<std::string>> changes;
        std::size_t listed = 0;
        const auto next_path = [&]() -> std::optional<std::string> {
            if (request.order) return request.order->next();
            if (listed == request.paths.size()) return std::nullopt;
            return request.paths[listed++];
        };
        while (const std::optional<std::string> next = next_path()) {
            const std::string& path = *next;
            if (request.cancel && request.cancel->load()) throw ImportCancelled();
            // A check-out waits for a file read already: what is read so far becomes history now.
            if (request.order && request.order->durable_wanted()) {
                make_durable_now(request, changes, results, writes, tip, indexed);
            }
            RecordedFile result;
            result.path = path;
            const std::optional<Revision> latest = newest_of(path);
            if (request.order && latest) {
                // An import cut short and resumed: this file's revision 1 is durable already.
                request.order->finished(path);
                continue;
            }
            std::optional<Stored> stored;
            try {
                stored = store_file(path, request, true);
            } catch (const PdmError& error) {
                // The daemon's own recording (import, new files) takes what it can
                // (not a file over the size limit, nor one with other names: hard
                // links); a person's check-in is refused whole.
                const bool passed_over = error.code() == ErrorCode::too_large || error.code() == ErrorCode::invalid_path;
                if (!passed_over || !daemons_own) throw;
                result.skipped = error.what();
                results.push_back(std::move(result));
                if (request.order) request.order->finished(path);
                continue;
            }
            if (stored) {
                writes.wrote(stored->blob);
                result.sha256 = stored->sha256;
                if (!latest || latest->removed || latest->blob != stored->blob) changes[path] = stored->blob;
            } else if (latest && !latest->removed) {
                changes[path] = std::nullopt;  // gone from disk: recorded as removed
            }
            result.revision = latest;
            results.push_back(std::move(result));
            if (request.order) {
                if (changes.contains(path)) {
                    request.order->stored(path);
                } else {
                    request.order->finished(path);
                }
            }
        }
        if (request.order && request.order->durable_wanted()) {
            make_durable_now(request, changes, results, writes, tip, indexed);
        }
        commit_changes(request, changes, results, writes, tip, indexed);
        return results;
    }

    // The import's early step: `changes` committed on `tip`, flushed, the
    // import marked unfinished and the branch moved, durably; then the files
    // waited for are told. When it fails, `tip` and the index are as before.
    void make_durable_now(const RevisionRequest& request, std::map<std::string, std::optional<std::string>>& changes,
                          std::vector<RecordedFile>& results, BulkObjectWrites& writes, std::optional<git_oid>& tip,
                          std::vector<std::string>& indexed) {
        const std::optional<git_oid> before = tip;
        const std::size_t indexed_before = indexed.size();
        try {
            commit_changes(request, changes, results, writes, tip, indexed);
            if (tip && (!before || !git_oid_equal(&*tip, &*before))) {
                writes.flush_now([&] {
                    mark_import_unfinished(*tip);
                    move_branch(*tip);
                });
            }
        } catch (...) {
            unindex({indexed.begin() + static_cast<std::ptrdiff_t>(indexed_before), indexed.end()});
            indexed.resize(indexed_before);
            tip = before;
            throw;
        }
        indexed.clear();  // durable: a later failure leaves them
        request.order->all_durable();
    }

    // A commit of `changes` on top of `tip` (which becomes it), its files'
    // results marked recorded; `changes` is emptied. Nothing durable yet.
    void commit_changes(const RevisionRequest& request, std::map<std::string, std::optional<std::string>>& changes,
                        std::vector<RecordedFile>& results, BulkObjectWrites& writes, std::optional<git_oid>& tip,
                        std::vector<std::string>& indexed) {
        if (changes.empty()) return;
        std::string message = request.message;
        if (request.broken_by) message += std::string("\n\n") + broken_by_trailer + *request.broken_by + "\n";
        tip = write_commit(tip, changes, request.author, message, request.time, writes, indexed);
        for (RecordedFile& result : results) {
            if (!changes.contains(result.path)) continue;
            result.recorded = true;
            result.revision = newest_of(result.path);
        }
        changes.clear();
    }

    void mark_import_unfinished(const git_oid& commit) {
        git_reference* marker = nullptr;
        check(git_reference_create(&marker, repo.get(), import_unfinished, &commit, 1, "pdmd: import under way"),
              "cannot mark the import as under way");
        git_reference_free(marker);
    }

    bool import_is_unfinished() const {
        git_oid oid;
        const int result = git_reference_name_to_id(&oid, repo.get(), import_unfinished);
        if (result == GIT_ENOTFOUND) return false;
        check(result, "cannot read the history's import marker");
        return true;
    }

    void mark_import_finished() {
        const int result = git_reference_remove(repo.get(), import_unfinished);
        if (result != GIT_ENOTFOUND) check(result, "cannot clear the history's import marker");
    }

    std::optional<Revision> newest_of(const std::string& path) const {
        const IndexedRevision* newest = by_path.newest(path);
        if (!newest) return std::nullopt;
        return expand(path, *newest, by_path.count(path) - 1);
    }

    std::string read_blob_whole(const Revision& revision) {
        Blob blob;
        const git_oid id = oid_of(revision.blob);
        check(git_blob_lookup(blob.out(), repo.get(), &id), "cannot read revision " + std::to_string(revision.number));
        return {static_cast<const char*>(git_blob_rawcontent(blob.get())), static_cast<std::size_t>(git_blob_rawsize(blob.get()))};
    }
};

HistoryStore::HistoryStore(const std::filesystem::path& git_dir, const std::filesystem::path& repo_root,
                           std::uint64_t max_file_bytes)
    : impl_(std::make_unique<Impl>()) {
    impl_->max_file_bytes = max_file_bytes;
    impl_->git_dir = git_dir;
    impl_->root.emplace(repo_root);
    const std::string where = git_dir.string();
    if (std::filesystem::exists(git_dir / "HEAD")) {
        impl_->stale_locks = remove_stale_git_locks(git_dir);
        check(git_repository_open_bare(impl_->repo.out(), where.c_str()), "cannot open the history " + where);
    } else {
        git_repository_init_options options;
        check(git_repository_init_options_init(&options, GIT_REPOSITORY_INIT_OPTIONS_VERSION),
              "cannot create the history " + where);
        options.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
        options.initial_head = "main";
        options.description = "pdmd version history: written by pdmd only";
        check(git_repository_init_ext(impl_->repo.out(), where.c_str(), &options), "cannot create the history " + where);
    }
    check(git_repository_odb(impl_->odb.out(), impl_->repo.get()), "cannot open the history's objects");
    impl_->object_check.emplace(git_dir / "objects", [impl = impl_.get()](const std::string& id) { impl->tell_damaged(id); });
    impl_->object_check->add_to(impl_->odb.get());
    impl_->build_index();
}

HistoryStore::~HistoryStore() = default;

bool HistoryStore::empty() const { return !impl_->head(); }

bool HistoryStore::import_needed() const { return empty() || impl_->import_is_unfinished(); }

const std::vector<std::string>& HistoryStore::stale_locks_removed() const { return impl_->stale_locks; }

void HistoryStore::on_damaged_object(std::function<void(const std::string& id)> tell) {
    impl_->tell_damaged = std::move(tell);
}

std::vector<RecordedFile> HistoryStore::import(const std::vector<std::string>& paths, TimePoint time,
                                               const std::atomic<bool>* cancel) {
    ImportOrder order(paths);
    return import(order, time, cancel);
}

std::vector<RecordedFile> HistoryStore::import(ImportOrder& order, TimePoint time, const std::atomic<bool>* cancel) {
    RevisionRequest request{{}, "pdmd", "initial import", time, std::nullopt};
    request.order = &order;
    request.cancel = cancel;
    // Files being written at the first start are taken as they are: an import
    // that waited for every program to close its files might never finish.
    request.even_if_open = true;
    std::vector<RecordedFile> imported = only(record_requests({&request}, true));
    impl_->by_path.shrink_to_fit();
    try {
        impl_->mark_import_finished();
    } catch (const std::exception&) {
        // The import is whole all the same: a start that still finds the
        // mark looks for files without a revision, and finds none.
    }
    return imported;
}

std::vector<RecordedFile> HistoryStore::record(const RevisionRequest& request) {
    return only(record_requests({&request}, false));
}

std::vector<HistoryStore::BatchOutcome> HistoryStore::record_batch(const std::vector<RevisionRequest>& requests) {
    std::vector<const RevisionRequest*> pointers;
    for (const RevisionRequest& request : requests) pointers.push_back(&request);
    return record_requests(pointers, false);
}

std::vector<RecordedFile> HistoryStore::record_added(const std::vector<std::string>& paths, const std::string& author,
                                                     TimePoint time) {
    RevisionRequest request{paths, author, "added", time, std::nullopt};
    request.even_if_open = true;
    // Only what has no revision yet: a file that came back keeps its history.
    std::erase_if(request.paths, [&](const std::string& path) { return newest(path).has_value(); });
    if (request.paths.empty()) return {};
    return only(record_requests({&request}, true));
}

std::vector<HistoryStore::BatchOutcome> HistoryStore::record_requests(const std::vector<const RevisionRequest*>& requests,
                                                                      bool daemons_own) {
    BulkObjectWrites writes(impl_->git_dir);
    const std::optional<git_oid> durable = impl_->head();
    std::optional<git_oid> tip = durable;
    std::vector<std::string> indexed;  // the revisions this batch added to the index, by path
    std::vector<BatchOutcome> outcomes(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        try {
            outcomes[i].files = impl_->record_one(*requests[i], daemons_own, writes, tip, indexed);
        } catch (...) {
            // Its objects, if any were written, are referred to by nothing.
            outcomes[i].error = std::current_exception();
        }
    }
    if (!tip || (durable && git_oid_equal(&*tip, &*durable))) return outcomes;  // nothing new to keep
    try {
        writes.flush();
        impl_->move_branch(*tip);
    } catch (...) {
        // None of the batch is history: its revisions leave the index, and
        // every request fails, also one that found its content in a commit
        // of this batch and so recorded nothing itself.
        impl_->unindex(indexed);
        const std::exception_ptr error = std::current_exception();
        for (BatchOutcome& outcome : outcomes) {
            if (!outcome.error) outcome = {{}, error};
        }
    }
    return outcomes;
}

std::vector<std::string> HistoryStore::changed_since_recorded(const std::vector<SeenFile>& files) {
    std::vector<std::string> changed;
    for (const SeenFile& file : files) {
        const std::optional<Revision> latest = newest(file.path);
        if (!latest || latest->removed) continue;
        // Revision times are whole seconds.
        const bool touched = file.mtime > latest->time + std::chrono::seconds(1);
        if (file.size == latest->size && !touched) continue;
        try {
            const OpenedFile opened = open_beneath(*impl_->root, file.path, FileAccess::read);
            const std::uint64_t size = opened.info.size;
            ContentDigest digest(size);
            read_pieces(opened.handle, size, [&](const char* data, std::size_t length) { digest.update(data, length); });
            if (digest.finish().first != latest->blob) changed.push_back(file.path);
        } catch (const std::system_error&) {
            // Gone or unreadable meanwhile: the watcher reports what happens to it next.
        }
    }
    return changed;
}

std::vector<Revision> HistoryStore::revisions(const std::string& path, std::size_t limit) const {
    std::vector<Revision> result;
    impl_->by_path.newest_first(path, limit, [&](const IndexedRevision& indexed, std::size_t position) {
        result.push_back(impl_->expand(path, indexed, position));
    });
    return result;
}

std::optional<Revision> HistoryStore::newest(const std::string& path) const { return impl_->newest_of(path); }

Revision HistoryStore::find(const std::string& path, const std::string& rev) const {
    const std::size_t count = impl_->by_path.count(path);
    const std::string newest_note = count > 0 ? "; its newest is " + std::to_string(count) : "; it has none yet";
    const auto is_digit = [](unsigned char c) { return std::isdigit(c) != 0; };
    const auto is_hex = [](unsigned char c) { return std::isxdigit(c) != 0; };
    const bool number = !rev.empty() && rev.size() <= 18 && std::all_of(rev.begin(), rev.end(), is_digit);
    if (number) {
        const std::uint64_t wanted = std::stoull(rev);
        if (wanted >= 1 && wanted <= count) {
            std::optional<Revision> found;
            impl_->by_path.newest_first(path, count - wanted + 1, [&](const IndexedRevision& indexed, std::size_t position) {
                if (position == wanted - 1) found = impl_->expand(path, indexed, position);
            });
            return *found;
        }
        throw PdmError(ErrorCode::not_found, "'" + path + "' has no revision " + rev + newest_note,
                       {{"path", path}, {"rev", rev}});
    }
    const bool commit_id = rev.size() >= 7 && rev.size() <= 40 && std::all_of(rev.begin(), rev.end(), is_hex);
    if (commit_id) {
        std::string lower = rev;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        // The oldest that matches, as a commit id prefix names it.
        std::optional<Revision> found;
        impl_->by_path.newest_first(path, 0, [&](const IndexedRevision& indexed, std::size_t position) {
            if (hex(impl_->commits[indexed.commit].id).rfind(lower, 0) == 0) found = impl_->expand(path, indexed, position);
        });
        if (found) return *found;
    }
    throw PdmError(ErrorCode::not_found,
                   "'" + path + "' has no revision " + rev + (commit_id ? "" : " (give a number or a commit id)") +
                       newest_note,
                   {{"path", path}, {"rev", rev}});
}

std::string HistoryStore::sha256(const Revision& revision) {
    if (revision.removed) return "";
    const git_oid blob = oid_of(revision.blob);
    if (const auto found = impl_->sha256_by_blob.find(blob); found != impl_->sha256_by_blob.end())
        return hex_of(found->second.data(), found->second.size());
    const auto reader = open(revision);
    ContentDigest digest(reader->size());
    std::vector<char> piece(piece_bytes);
    while (const std::size_t length = reader->read(piece.data(), piece.size())) digest.update(piece.data(), length);
    const std::string result = digest.finish().second;
    impl_->remember_sha256(blob, result);
    return result;
}

std::unique_ptr<BlobReader> HistoryStore::open(const Revision& revision) {
    if (revision.removed) {
        throw PdmError(ErrorCode::not_found,
                       "revision " + std::to_string(revision.number) + " of '" + revision.path +
                           "' records its removal; it has no content",
                       {{"path", revision.path}, {"rev", revision.number}});
    }
    const git_oid id = oid_of(revision.blob);
    git_odb_stream* stream = nullptr;
    std::size_t size = 0;
    git_object_t type;
    if (git_odb_open_rstream(&stream, &size, &type, impl_->odb.get(), &id) == 0) {
        return std::make_unique<StreamReader>(stream, size);
    }
    // Packed objects (after someone ran git gc) cannot be streamed by libgit2.
    return std::make_unique<MemoryReader>(impl_->read_blob_whole(revision));
}

void HistoryStore::write_working_file(const Revision& revision, const std::string& then_what, bool seen_open) {
    write_working_files({revision}, then_what, seen_open ? std::set<std::string>{revision.path} : std::set<std::string>{});
}

void HistoryStore::write_working_files(const std::vector<Revision>& revisions, const std::string& then_what,
                                       const std::set<std::string>& seen_open) {
    std::vector<WorkingFileReplacement> files;
    for (const Revision& revision : revisions) {
        files.push_back({revision.path, seen_open.contains(revision.path), [this, &revision](const WriteBytes& write) {
                             const auto reader = open(revision);
                             std::vector<char> piece(piece_bytes);
                             while (const std::size_t length = reader->read(piece.data(), piece.size()))
                                 write(piece.data(), length);
                         }});
    }
    replace_working_files(*impl_->root, files, then_what);
}

DiffResult HistoryStore::diff(const Revision& from, const std::optional<Revision>& to) {
    DiffResult result;
    if (from.removed || (to && to->removed)) {
        throw PdmError(ErrorCode::conflict, "a removed revision has no content to compare", {{"path", from.path}});
    }
    result.from_size = from.size;
    result.from_sha256 = sha256(from);
    // The other side: a revision, or the working file (read whole only when
    // it is small enough to be compared as text).
    std::string to_bytes;
    if (to) {
        result.to_size = to->size;
        result.to_sha256 = sha256(*to);
    } else {
        std::optional<OpenedFile> file;
        try {
            file.emplace(open_beneath(*impl_->root, from.path, FileAccess::read));
        } catch (const std::system_error& error) {
            if (error.code() != std::errc::no_such_file_or_directory) throw;
            throw PdmError(ErrorCode::not_found, "'" + from.path + "' is not on disk", {{"path", from.path}});
        }
        ContentDigest digest(file->info.size);
        const bool keep = file->info.size <= diff_text_limit;
        result.to_size = read_pieces(file->handle, file->info.size,
                                     [&](const char* data, std::size_t length) {
            digest.update(data, length);
            if (keep) to_bytes.append(data, length);
        });
        result.to_sha256 = digest.finish().second;
    }
    const auto looks_binary = [](const std::string& bytes) {
        return bytes.find('\0', 0) < std::min<std::size_t>(bytes.size(), 8000);
    };
    if (result.from_size > diff_text_limit || result.to_size > diff_text_limit) {
        result.binary = true;
        return result;
    }
    const std::string from_bytes = impl_->read_blob_whole(from);
    if (to) to_bytes = impl_->read_blob_whole(*to);
    if (looks_binary(from_bytes) || looks_binary(to_bytes)) {
        result.binary = true;
        return result;
    }
    git_diff_options options;
    check(git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION), "cannot compare revisions");
    options.flags = GIT_DIFF_FORCE_TEXT;
    Patch patch;
    check(git_patch_from_buffers(patch.out(), from_bytes.data(), from_bytes.size(), from.path.c_str(), to_bytes.data(),
                                 to_bytes.size(), from.path.c_str(), &options),
          "cannot compare '" + from.path + "'");
    git_buf text = GIT_BUF_INIT;
    const int printed = git_patch_to_buf(&text, patch.get());
    if (printed >= 0 && text.ptr) result.patch.assign(text.ptr, text.size);
    free_buf(&text);
    check(printed, "cannot print the diff of '" + from.path + "'");
    return result;
}

std::vector<BlameLine> HistoryStore::blame(const std::string& path) {
    const std::optional<Revision> latest = newest(path);
    if (!latest) throw PdmError(ErrorCode::not_found, "'" + path + "' has no revisions yet", {{"path", path}});
    if (latest->removed) throw PdmError(ErrorCode::conflict, "'" + path + "' was removed; nothing to blame", {{"path", path}});
    if (latest->size > diff_text_limit) {
        throw PdmError(ErrorCode::conflict, "'" + path + "' is a binary file; blame works on text files", {{"path", path}});
    }
    const std::string bytes = impl_->read_blob_whole(*latest);
    if (bytes.find('\0', 0) < std::min<std::size_t>(bytes.size(), 8000)) {
        throw PdmError(ErrorCode::conflict, "'" + path + "' is a binary file; blame works on text files", {{"path", path}});
    }
    git_blame_options options;
    check(git_blame_options_init(&options, GIT_BLAME_OPTIONS_VERSION), "cannot blame");
    options.newest_commit = oid_of(latest->commit);
    options.flags = GIT_BLAME_FIRST_PARENT;
    BlameResult blame;
    check(git_blame_file(blame.out(), impl_->repo.get(), path.c_str(), &options), "cannot blame '" + path + "'");
    const auto revisions = impl_->by_path.of(path);
    std::vector<BlameLine> lines;
    std::size_t start = 0;
    for (std::uint64_t number = 1; start < bytes.size(); ++number) {
        std::size_t end = bytes.find('\n', start);
        if (end == std::string::npos) end = bytes.size();
        BlameLine line;
        line.line = number;
        line.text = bytes.substr(start, end - start);
        if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
        const git_blame_hunk* hunk = git_blame_get_hunk_byline(blame.get(), number);
        if (hunk) {
            for (std::size_t i = revisions.size(); i > 0; --i) {
                if (!git_oid_equal(&impl_->commits[revisions[i - 1].commit].id, &hunk->final_commit_id)) continue;
                line.revision = impl_->expand(path, revisions[i - 1], i - 1);
                break;
            }
        }
        if (line.revision.number == 0) line.revision = *latest;
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

}  // namespace pdm
