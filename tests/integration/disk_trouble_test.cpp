// SPDX-License-Identifier: Apache-2.0
// The state dir on a real small filesystem that fills up, then goes
// read-only: changes are refused with a clear error and nothing acknowledged
// is lost, reads keep working, and pdmd recovers by itself, with no restart,
// once space returns and the filesystem is writable again.

#include <boost/test/unit_test.hpp>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;

namespace {

constexpr const char* tmpfs_options = "size=4m,mode=0700";

// A tmpfs mounted for the test's lifetime (needs root, or CAP_SYS_ADMIN).
class SmallFilesystem {
public:
    explicit SmallFilesystem(fs::path where) : where_(std::move(where)) {
        fs::create_directories(where_);
        if (::mount("tmpfs", where_.c_str(), "tmpfs", 0, tmpfs_options) != 0)
            throw std::runtime_error(std::string("cannot mount a tmpfs: ") + std::strerror(errno));
    }
    ~SmallFilesystem() { ::umount2(where_.c_str(), MNT_DETACH); }
    SmallFilesystem(const SmallFilesystem&) = delete;
    SmallFilesystem& operator=(const SmallFilesystem&) = delete;

    void remount(bool read_only) {
        const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
        if (::mount(nullptr, where_.c_str(), nullptr, flags, tmpfs_options) != 0)
            throw std::runtime_error(std::string("cannot remount: ") + std::strerror(errno));
    }

    // Writes a file until the filesystem has no room left.
    void fill() {
        std::ofstream filler(where_ / "filler", std::ios::binary);
        const std::string block(64 * 1024, 'f');
        while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
        }
    }
    void free_space() { fs::remove(where_ / "filler"); }

private:
    fs::path where_;
};

boost::test_tools::assertion_result can_mount_tmpfs(boost::unit_test::test_unit_id) {
    pdm::test::TempDir probe;
    const bool mounted = ::mount("tmpfs", probe.path().c_str(), "tmpfs", 0, tmpfs_options) == 0;
    if (mounted) ::umount2(probe.path().c_str(), MNT_DETACH);
    boost::test_tools::assertion_result result(mounted);
    result.message() << "mounting a tmpfs needs root or CAP_SYS_ADMIN";
    return result;
}

bool refused_with_nothing_changed(const json& reply) {
    return outcome(reply) == "internal" &&
           reply["error"]["message"].get<std::string>().find("nothing was changed") != std::string::npos;
}

}  // namespace

// A full disk takes some writes and not others (a record that fits in a
// block already allocated still lands): check-outs are taken until one is
// refused, and exactly the acknowledged ones must survive.
BOOST_AUTO_TEST_CASE(a_full_state_dir_refuses_changes_keeps_reads_and_recovers_when_space_returns,
                     *boost::unit_test::precondition(can_mount_tmpfs)) {
    std::vector<std::string> files;
    for (int i = 0; i < 400; ++i) files.push_back("f" + std::to_string(i) + ".mcam");
    DaemonProcess daemon(files);
    SmallFilesystem state(daemon.dir() / "state");
    const std::vector<std::string> flags = {"--state-dir", (daemon.dir() / "state").string()};
    daemon.start(flags);
    auto c = daemon.client();
    BOOST_REQUIRE(outcome(c->call("checkout", {{"path", "f0.mcam"}, {"message", "before"}})) == "ok");
    std::ofstream(daemon.repo() / "f0.mcam", std::ios::app) << std::string(100000, 'n');

    state.fill();
    std::set<std::string> acknowledged = {"f0.mcam"};
    json refusal;
    for (std::size_t i = 1; i < files.size() && refusal.is_null(); ++i) {
        const json reply = c->call("checkout", {{"path", files[i]}, {"message", "on a full disk"}});
        if (outcome(reply) == "ok") {
            acknowledged.insert(files[i]);
        } else {
            refusal = reply;
        }
    }
    BOOST_REQUIRE_MESSAGE(!refusal.is_null(), "the disk never filled");
    BOOST_TEST(refused_with_nothing_changed(refusal), refusal.dump());
    BOOST_TEST_MESSAGE("full disk: " << acknowledged.size() - 1 << " check-outs still fit, then refused");
    const json checkin = c->call("checkin", {{"path", "f0.mcam"}, {"message", "full"}});
    BOOST_TEST(outcome(checkin) == "internal", checkin.dump());
    // Reads keep working, and the refusals changed nothing.
    const json locks = c->call("locks");
    BOOST_REQUIRE(outcome(locks) == "ok");
    BOOST_TEST(locks["result"]["locks"].size() == acknowledged.size());
    BOOST_TEST(outcome(c->call("list")) == "ok");
    BOOST_TEST(outcome(c->call("history", {{"path", "f0.mcam"}})) == "ok");

    // Space returns: the same connection's next changes succeed, no restart.
    state.free_space();
    const std::string after_space = files.back();
    BOOST_TEST(outcome(c->call("checkout", {{"path", after_space}, {"message", "room again"}})) == "ok");
    acknowledged.insert(after_space);
    const json recorded = c->call("checkin", {{"path", "f0.mcam"}, {"message", "room again"}});
    BOOST_REQUIRE_MESSAGE(outcome(recorded) == "ok", recorded.dump());
    BOOST_TEST(recorded["result"]["revisions"][0]["recorded"] == true);
    acknowledged.erase("f0.mcam");

    // Everything acknowledged, and nothing refused, is there after a crash.
    daemon.kill_hard();
    daemon.start(flags);
    auto after = daemon.client();
    std::set<std::string> held;
    const json locks_after = after->call("locks");
    for (const json& lock : locks_after["result"]["locks"]) held.insert(lock["path"].get<std::string>());
    BOOST_TEST((held == acknowledged));
    const json history = after->call("history", {{"path", "f0.mcam"}});
    BOOST_REQUIRE_MESSAGE(outcome(history) == "ok", history.dump());
    BOOST_TEST(history["result"]["revisions"].size() == 2u, history.dump());
    BOOST_TEST(history["result"]["revisions"][0]["message"] == "room again");
}

namespace {

// An ext4 image mounted with errors=remount-ro, so that a filesystem error
// turns it read-only under the running daemon, as a failing disk does.
// (A plain `mount -o remount,ro` is refused while pdmd has files open for
// writing, so only an error can do this to a live daemon.)
class FailingDisk {
public:
    explicit FailingDisk(const pdm::test::TempDir& dir) : dir_(dir), image_(dir / "disk.img"), where_(dir / "state") {
        fs::create_directories(where_);
        std::ofstream(image_).close();
        fs::resize_file(image_, 32 * 1024 * 1024);
        must_run({"mkfs.ext4", "-q", image_.string()});
        mount();
        fs::permissions(where_, fs::perms::owner_all);
    }
    ~FailingDisk() { ::umount2(where_.c_str(), MNT_DETACH); }
    FailingDisk(const FailingDisk&) = delete;
    FailingDisk& operator=(const FailingDisk&) = delete;

    const fs::path& path() const { return where_; }
    // What a failing disk does: ext4 records an error and remounts read-only.
    void fail() {
        const std::string loop = pdm::test::read_text("/proc/mounts");
        const auto at = loop.find(" " + where_.string() + " ");
        const std::string device = loop.substr(loop.rfind('\n', at) + 1, at - loop.rfind('\n', at) - 1);
        std::ofstream(fs::path("/sys/fs/ext4") / fs::path(device).filename() / "trigger_fs_error") << "1";
        // The remount happens in the kernel, at once; make sure it did.
        const std::string mounts = pdm::test::read_text("/proc/mounts");
        const auto line = mounts.find(" " + where_.string() + " ");
        const std::string options = mounts.substr(line, mounts.find('\n', line) - line);
        if (options.find(" ro,") == std::string::npos && options.find("emergency_ro") == std::string::npos)
            throw std::runtime_error("the filesystem error did not turn the disk read-only: " + options);
    }
    // The administrator's repair: unmount, check, mount again.
    void repair() {
        must_run({"umount", where_.string()});
        must_run({"e2fsck", "-fy", image_.string()}, {0, 1});
        mount();
    }

private:
    void mount() { must_run({"mount", "-o", "loop,errors=remount-ro", image_.string(), where_.string()}); }
    void must_run(const std::vector<std::string>& argv, std::set<int> fine = {0}) const {
        const auto result = pdm::test::run_program(argv, dir_.path());
        if (!fine.contains(result.exit_code)) throw std::runtime_error(argv[0] + " failed: " + result.err);
    }

    const pdm::test::TempDir& dir_;
    fs::path image_;
    fs::path where_;
};

boost::test_tools::assertion_result can_mount_an_ext4_image(boost::unit_test::test_unit_id) {
    bool mounted = false;
    std::string why;
    try {
        pdm::test::TempDir probe;
        FailingDisk disk(probe);
        mounted = fs::exists("/sys/fs/ext4");
    } catch (const std::exception& error) {
        why = error.what();
    }
    boost::test_tools::assertion_result result(mounted);
    result.message() << "needs root, loop devices and mkfs.ext4 (e2fsprogs): " << why;
    return result;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_state_dir_that_turns_read_only_refuses_changes_keeps_reads_and_loses_nothing,
                     *boost::unit_test::precondition(can_mount_an_ext4_image)) {
    DaemonProcess daemon;
    FailingDisk disk(daemon.dir());
    const std::vector<std::string> flags = {"--state-dir", disk.path().string()};
    daemon.start(flags);
    auto c = daemon.client();
    BOOST_REQUIRE(outcome(c->call("checkout", {{"path", "a.mcam"}, {"message", "before"}})) == "ok");

    disk.fail();
    BOOST_TEST(refused_with_nothing_changed(c->call("checkout", {{"path", "b.mcam"}, {"message", "ro"}})));
    BOOST_TEST(refused_with_nothing_changed(c->call("unlock", {{"path", "a.mcam"}})));
    const json locks = c->call("locks");
    BOOST_REQUIRE(outcome(locks) == "ok");
    BOOST_TEST(locks["result"]["locks"].size() == 1u);
    BOOST_TEST(outcome(c->call("info", {{"path", "b.mcam"}})) == "ok");
    BOOST_TEST(outcome(c->call("history", {{"path", "a.mcam"}})) == "ok");
    BOOST_TEST(outcome(c->call("audit")) == "ok");

    // pdmd cannot save on its way out either; the administrator repairs the disk.
    daemon.kill_hard();
    disk.repair();
    daemon.start(flags);
    const json after = daemon.client()->call("locks");
    BOOST_REQUIRE_EQUAL(after["result"]["locks"].size(), 1u);
    BOOST_TEST(after["result"]["locks"][0]["path"] == "a.mcam");
    BOOST_TEST(outcome(daemon.client()->call("checkout", {{"path", "b.mcam"}, {"message", "repaired"}})) == "ok");
}
