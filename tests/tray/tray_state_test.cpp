// SPDX-License-Identifier: Apache-2.0
// The tray's state: check-outs kept current from events, the recent activity,
// the icon, tooltip and menu, bursts grouped, and the reconnection backoff.

#include <boost/test/unit_test.hpp>

#include "tray/model/notification_grouper.hpp"
#include "tray/model/tray_state.hpp"

using namespace pdm::tray;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

TrayEvent event(const std::string& kind, const std::string& path, const std::string& user, json extra = json::object()) {
    json line = {{"event", kind}, {"seq", 1}, {"time", "2026-11-25T09:12:00Z"}, {"path", path}, {"user", user}};
    line.update(extra);
    return *TrayEvent::parse(line);
}

Notification checkin_by(const std::string& user, const std::string& path) {
    return {"checked_in", user, user + " checked in " + path, "", Urgency::normal, {path}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tray_state)

BOOST_AUTO_TEST_CASE(the_icon_and_tooltip_say_how_many_files_you_have_checked_out) {
    TrayState state;
    BOOST_TEST((state.icon().link == Link::connecting));
    state.connected("alice", "/srv/parts", {"a.mcam", "b.mcam"});
    BOOST_TEST((state.icon().link == Link::connected));
    BOOST_TEST(state.icon().checked_out == 2u);
    BOOST_TEST(state.tooltip() == "pdmd: 2 files checked out by you");
    const NotificationSettings settings;
    state.apply(event("checked_out", "c.mcam", "alice"), settings);
    BOOST_TEST(state.tooltip() == "pdmd: 3 files checked out by you");
    state.apply(event("checked_out", "d.mcam", "bob"), settings);
    state.apply(event("checked_in", "a.mcam", "alice"), settings);
    state.apply(event("unlocked", "b.mcam", "alice"), settings);
    BOOST_TEST(state.tooltip() == "pdmd: 1 file checked out by you");
    const auto broken = state.apply(event("lock_broken", "c.mcam", "root", {{"owner", "alice"}}), settings);
    BOOST_REQUIRE(broken);
    BOOST_TEST(state.tooltip() == "pdmd: no files checked out by you");
}

BOOST_AUTO_TEST_CASE(moves_and_hand_overs_keep_your_files_current) {
    TrayState state;
    state.connected("alice", "/srv/parts", {"a.mcam"});
    const NotificationSettings settings;
    state.apply(event("lock_moved", "parts/a.mcam", "", {{"from", "a.mcam"}, {"owner", "alice"}}), settings);
    state.apply(event("your_turn", "b.mcam", "alice"), settings);
    BOOST_TEST((state.my_files() == std::set<std::string>{"b.mcam", "parts/a.mcam"}));
}

BOOST_AUTO_TEST_CASE(unreachable_is_grey_and_says_why_and_when_it_retries) {
    TrayState state;
    state.unreachable("cannot reach pdmd at /run/pdmd/pdmd.sock: No such file or directory", 8s);
    BOOST_TEST((state.icon().link == Link::unreachable));
    BOOST_TEST(state.tooltip() ==
               "pdmd is unreachable: cannot reach pdmd at /run/pdmd/pdmd.sock: No such file or directory (retrying in 8 s)");
    const MenuModel menu = state.menu({});
    BOOST_TEST(!menu.connected);
    BOOST_TEST(menu.my_files.empty());
    BOOST_TEST(menu.status == state.tooltip());
}

BOOST_AUTO_TEST_CASE(the_menu_lists_your_files_the_last_ten_events_and_the_settings) {
    TrayState state;
    state.connected("alice", "/srv/parts", {"b.mcam", "a.mcam"});
    NotificationSettings settings;
    for (int i = 0; i < 12; ++i) state.apply(event("checked_in", "p" + std::to_string(i) + ".mcam", "bob"), settings);
    settings.paused = true;
    const MenuModel menu = state.menu(settings);
    BOOST_TEST(menu.status == "alice on /srv/parts");
    BOOST_TEST((menu.my_files == std::vector<std::string>{"a.mcam", "b.mcam"}));
    BOOST_REQUIRE_EQUAL(menu.recent.size(), 10u);
    BOOST_TEST(menu.recent.front() == "09:12 bob checked in p11.mcam");
    BOOST_TEST(menu.recent.back() == "09:12 bob checked in p2.mcam");
    BOOST_TEST(menu.paused);
    BOOST_TEST(!menu.others_routine);
}

BOOST_AUTO_TEST_CASE(a_burst_from_one_person_becomes_one_notification) {
    NotificationGrouper grouper(2s);
    const auto start = NotificationGrouper::Clock::time_point{};
    for (int i = 0; i < 12; ++i) grouper.add(checkin_by("bob", "p" + std::to_string(i)), start + i * 100ms);
    grouper.add(checkin_by("carol", "x"), start + 500ms);
    BOOST_TEST(grouper.due(start + 1900ms).empty());  // the window is still open
    const auto due = grouper.due(start + 2s);
    BOOST_REQUIRE_EQUAL(due.size(), 1u);
    BOOST_TEST(due[0].summary == "bob checked in 12 files");
    BOOST_TEST(due[0].body == "p0\np1\np2\np3\np4\nand 7 more");
    BOOST_TEST(due[0].paths.size() == 12u);
    const auto later = grouper.due(start + 2500ms);
    BOOST_REQUIRE_EQUAL(later.size(), 1u);
    BOOST_TEST(later[0].summary == "carol checked in x");  // alone: told as it was
    BOOST_TEST(grouper.empty());
}

BOOST_AUTO_TEST_CASE(every_kind_has_a_burst_summary) {
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"checked_out", "bob checked out 2 files"},
        {"checked_in", "bob checked in 2 files"},
        {"unlocked", "bob unlocked 2 files"},
        {"lock_broken", "bob broke your locks on 2 files"},
        {"your_turn", "2 files are yours now"},
        {"waiting", "bob is waiting for 2 files of yours"},
        {"lock_moved", "2 files you hold were moved"},
        {"file_removed", "2 files you hold were removed from disk"},
        {"file_modified", "2 files you hold changed on disk"},
        {"unlocked_write", "Someone wrote to 2 files nobody had checked out"}};
    for (const auto& [kind, summary] : kinds) {
        const Notification one{kind, "bob", "one", "", Urgency::normal, {"a"}};
        const Notification two{kind, "bob", "two", "", kind == "lock_broken" ? Urgency::critical : Urgency::normal, {"b"}};
        const Notification both = combine({one, two});
        BOOST_TEST(both.summary == summary, kind);
        BOOST_TEST((both.urgency == (kind == "lock_broken" ? Urgency::critical : Urgency::normal)), kind);
    }
}

BOOST_AUTO_TEST_CASE(reconnecting_backs_off_to_thirty_seconds_and_starts_over_after_success) {
    ReconnectBackoff backoff;
    std::vector<long> waits;
    for (int i = 0; i < 8; ++i) waits.push_back(backoff.next().count());
    BOOST_TEST((waits == std::vector<long>{1, 2, 4, 8, 16, 30, 30, 30}));
    backoff.reset();
    BOOST_TEST(backoff.next().count() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
