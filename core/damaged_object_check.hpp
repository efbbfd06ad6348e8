// SPDX-License-Identifier: Apache-2.0
#pragma once
// libgit2 writes no object that a backend of the object database says it
// holds already ("freshen"). pdmd writes objects unflushed and makes a batch
// durable at once, so a crash can leave a loose object's name with none or
// part of its content. Trusted, a damaged tree or commit would be part of
// every later commit that names it: the same check-in tried again after the
// crash writes exactly the trees the crash cut short.
//
// DamagedObjectCheck is asked first. It reads an existing loose object back
// and removes it when it is not whole, then always answers "not here", so
// the object database's own backends decide as before: a removed object is
// written again, whole. A new object costs one failed lookup of its name.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

struct git_odb;
struct git_odb_backend;
struct git_oid;

namespace pdm {

class DamagedObjectCheck {
public:
    // `removed` hears the id of each object removed.
    DamagedObjectCheck(std::filesystem::path objects_dir, std::function<void(const std::string& id)> removed);
    DamagedObjectCheck(const DamagedObjectCheck&) = delete;
    DamagedObjectCheck& operator=(const DamagedObjectCheck&) = delete;

    // Puts the check ahead of `odb`'s own backends. `odb` must not outlive
    // this object. Throws std::runtime_error.
    void add_to(git_odb* odb);

    // Whether loose object `id` (hex) was there but not whole, and is now
    // removed (and told), to be written again. Throws std::runtime_error
    // when it cannot be read or removed.
    bool remove_if_damaged(const std::string& id);

    // Throws std::runtime_error when an existing object could not be read,
    // or a damaged one removed, since the last call: the write that followed
    // trusted it.
    void throw_if_failed();

private:
    static int freshen(git_odb_backend* backend, const git_oid* id);
    void check(const git_oid& id) noexcept;

    std::filesystem::path objects_dir_;
    std::function<void(const std::string& id)> removed_;
    std::optional<std::string> failure_;
};

}  // namespace pdm
