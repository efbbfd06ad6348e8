// SPDX-License-Identifier: Apache-2.0
// How a client finds its daemon with nothing set up: --socket, else
// $PDMD_SOCKET, else the user's own daemon ($XDG_RUNTIME_DIR/pdmd.sock) when
// one answers, else the system daemon (/run/pdmd/pdmd.sock); and what it says
// when none answers.

#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using pdm::test::DaemonProcess;

namespace {

// pdmctl with a clean environment: no PDMD_SOCKET, XDG_RUNTIME_DIR as given.
pdm::test::RunResult pdmctl_in(const DaemonProcess& daemon, const fs::path& runtime_dir,
                               const std::vector<std::string>& args, const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> argv = prefix;
    argv.insert(argv.end(), {"env", "-u", "PDMD_SOCKET", "XDG_RUNTIME_DIR=" + runtime_dir.string(), PDMCTL_PATH});
    argv.insert(argv.end(), args.begin(), args.end());
    return pdm::test::run_program(argv, daemon.dir().path());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(endpoint_lookup)

BOOST_AUTO_TEST_CASE(with_nothing_set_pdmctl_finds_the_users_own_daemon_and_says_so) {
    pdm::test::RunningDaemon daemon;  // its socket is DIR/pdmd.sock: DIR plays $XDG_RUNTIME_DIR
    const auto result = pdmctl_in(daemon, daemon.dir().path(), {"ping"});
    BOOST_TEST(result.exit_code == 0, result.err);
    BOOST_TEST(result.out.find("socket " + daemon.socket_path() + " (the per-user daemon)") != std::string::npos,
               result.out);
    const auto json = pdmctl_in(daemon, daemon.dir().path(), {"--json", "ping"});
    BOOST_TEST(nlohmann::json::parse(json.out)["daemon"] == "per-user");
}

BOOST_AUTO_TEST_CASE(when_no_daemon_answers_every_place_tried_is_listed_with_its_reason) {
    DaemonProcess daemon;  // not started
    const auto result = pdmctl_in(daemon, daemon.dir().path(), {"ls"});
    BOOST_TEST(result.exit_code == 3);
    BOOST_TEST(result.err.find("cannot reach pdmd; tried:") != std::string::npos, result.err);
    BOOST_TEST(result.err.find(daemon.socket_path() + " (the per-user daemon): no socket there") != std::string::npos,
               result.err);
    BOOST_TEST(result.err.find("/run/pdmd/pdmd.sock (the system daemon): ") != std::string::npos, result.err);
    BOOST_TEST(result.err.find("--socket PATH") != std::string::npos, result.err);
}

BOOST_AUTO_TEST_CASE(a_user_outside_the_sockets_group_is_told_which_group_and_how_to_join,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    DaemonProcess daemon;
    fs::permissions(daemon.dir().path(), fs::perms(0755));
    daemon.start();  // socket mode 0660, group root
    const auto result = pdmctl_in(daemon, daemon.dir().path(), {"ping"}, pdm::test::as_nobody());
    BOOST_TEST(result.exit_code == 3);
    BOOST_TEST(result.err.find("permission denied: only members of group root may use it") != std::string::npos,
               result.err);
    BOOST_TEST(result.err.find("sudo usermod -a -G root nobody") != std::string::npos, result.err);
}

BOOST_AUTO_TEST_CASE(a_socket_named_by_the_environment_is_the_only_place_tried) {
    pdm::test::RunningDaemon daemon;
    std::vector<std::string> argv = {"env", "PDMD_SOCKET=" + (daemon.dir() / "elsewhere.sock").string(),
                                     "XDG_RUNTIME_DIR=" + daemon.dir().path().string(), PDMCTL_PATH, "ping"};
    const auto result = pdm::test::run_program(argv, daemon.dir().path());
    BOOST_TEST(result.exit_code == 3);
    BOOST_TEST(result.err.find("elsewhere.sock: no socket there") != std::string::npos, result.err);
    BOOST_TEST(result.err.find("per-user") == std::string::npos, result.err);
}

BOOST_AUTO_TEST_SUITE_END()
