// SPDX-License-Identifier: Apache-2.0
#include "core/damaged_object_check.hpp"

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/stored_loose_object.hpp"

namespace pdm {
namespace {

// libgit2 asks the backends of higher priority first; its own are 1 (loose)
// and 2 (packed).
constexpr int ahead_of_libgit2s_own = 100;

// What libgit2 holds: a C backend, owned and freed by the object database.
struct CheckBackend {
    git_odb_backend parent;  // first: libgit2 passes a pointer to it
    DamagedObjectCheck* owner;
};

}  // namespace

DamagedObjectCheck::DamagedObjectCheck(std::filesystem::path objects_dir,
                                       std::function<void(const std::string& id)> removed)
    : objects_dir_(std::move(objects_dir)), removed_(std::move(removed)) {}

void DamagedObjectCheck::add_to(git_odb* odb) {
    auto* backend = static_cast<CheckBackend*>(std::calloc(1, sizeof(CheckBackend)));
    if (!backend) throw std::runtime_error("cannot check the history's objects: out of memory");
    if (git_odb_init_backend(&backend->parent, GIT_ODB_BACKEND_VERSION) != 0) {
        std::free(backend);
        throw std::runtime_error("cannot check the history's objects");
    }
    backend->owner = this;
    backend->parent.freshen = &DamagedObjectCheck::freshen;
    // Never asked to list: every object it has is the loose backend's.
    backend->parent.foreach = [](git_odb_backend*, git_odb_foreach_cb, void*) { return 0; };
    backend->parent.free = [](git_odb_backend* self) { std::free(self); };
    if (git_odb_add_backend(odb, &backend->parent, ahead_of_libgit2s_own) != 0) {
        std::free(backend);
        const git_error* error = git_error_last();
        throw std::runtime_error(std::string("cannot check the history's objects: ") +
                                 (error ? error->message : "unknown error"));
    }
}

int DamagedObjectCheck::freshen(git_odb_backend* backend, const git_oid* id) {
    reinterpret_cast<CheckBackend*>(backend)->owner->check(*id);
    return GIT_ENOTFOUND;
}

void DamagedObjectCheck::check(const git_oid& id) noexcept {
    // Called by libgit2 holding its object database's lock: nothing here may use the database.
    try {
        char text[GIT_OID_HEXSZ + 1];
        git_oid_tostr(text, sizeof text, &id);
        remove_if_damaged(text);
    } catch (const std::exception& error) {
        if (!failure_) failure_ = error.what();
    }
}

bool DamagedObjectCheck::remove_if_damaged(const std::string& id) {
    const std::filesystem::path file = objects_dir_ / loose_object_name(id);
    std::error_code missing;
    if (!std::filesystem::exists(file, missing)) return false;  // a new object (or a packed one): the usual case
    if (loose_object_reads_back(file, id)) return false;
    remove_loose_object(file);
    removed_(id);
    return true;
}

void DamagedObjectCheck::throw_if_failed() {
    if (!failure_) return;
    const std::string failure = std::exchange(failure_, std::nullopt).value();
    throw std::runtime_error("cannot check or replace an object already in the history: " + failure);
}

}  // namespace pdm
