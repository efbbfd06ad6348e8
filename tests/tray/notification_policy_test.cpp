// SPDX-License-Identifier: Apache-2.0
// Which events concern the user and what the tray says about them: every
// event kind, from the user's side and from someone else's.

#include <boost/test/unit_test.hpp>

#include "tray/model/notification_policy.hpp"

using namespace pdm::tray;
using nlohmann::json;

namespace {

TrayEvent event(json line) {
    line["seq"] = 1;
    line["time"] = "2026-11-25T09:12:00Z";
    return *TrayEvent::parse(line);
}

std::optional<Notification> for_alice(const TrayEvent& e, bool holds = false, NotificationSettings settings = {}) {
    return notification_for(e, "alice", holds, settings);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notification_policy)

BOOST_AUTO_TEST_CASE(a_broken_lock_names_the_admin_the_file_and_the_saved_revision) {
    const auto n = for_alice(event({{"event", "lock_broken"}, {"path", "a.mcam"}, {"user", "root"}, {"owner", "alice"},
                                    {"revision", {{"recorded", true}, {"rev", 4}}}}),
                             true);
    BOOST_REQUIRE(n);
    BOOST_TEST(n->summary == "root broke your lock on a.mcam");
    BOOST_TEST(n->body == "At 09:12 UTC. Your work is saved as revision 4.");
    BOOST_TEST((n->urgency == Urgency::critical));
    BOOST_TEST(n->actor == "root");
    // Someone else's lock, or one alice broke herself: nothing for alice.
    BOOST_TEST(!for_alice(event({{"event", "lock_broken"}, {"path", "a.mcam"}, {"user", "root"}, {"owner", "bob"}})));
    BOOST_TEST(!for_alice(event({{"event", "lock_broken"}, {"path", "a.mcam"}, {"user", "alice"}, {"owner", "alice"}})));
    const auto unchanged =
        for_alice(event({{"event", "lock_broken"}, {"path", "a.mcam"}, {"user", "root"}, {"owner", "alice"}}));
    BOOST_TEST(unchanged->body == "At 09:12 UTC. Your file had no unsaved changes.");
}

BOOST_AUTO_TEST_CASE(the_waiting_list_tells_the_waiter_and_the_holder) {
    const auto mine = for_alice(event({{"event", "your_turn"}, {"path", "a.mcam"}, {"user", "alice"}}));
    BOOST_REQUIRE(mine);
    BOOST_TEST(mine->summary == "a.mcam is yours now");
    BOOST_TEST(!for_alice(event({{"event", "your_turn"}, {"path", "a.mcam"}, {"user", "bob"}})));
    const auto waiting = for_alice(event({{"event", "waiting"}, {"path", "a.mcam"}, {"user", "bob"}, {"owner", "alice"},
                                          {"position", 2}}));
    BOOST_REQUIRE(waiting);
    BOOST_TEST(waiting->summary == "bob is waiting for a.mcam");
    BOOST_TEST(waiting->body == "Check it in when you can (2 in the queue).");
    BOOST_TEST(!for_alice(event({{"event", "waiting"}, {"path", "a.mcam"}, {"user", "bob"}, {"owner", "carol"}})));
}

BOOST_AUTO_TEST_CASE(what_happens_on_disk_to_a_file_you_hold_is_told) {
    const auto removed = for_alice(event({{"event", "file_removed"}, {"path", "a.mcam"}, {"user", ""}}), true);
    BOOST_REQUIRE(removed);
    BOOST_TEST(removed->summary == "a.mcam was removed from disk");
    BOOST_TEST(for_alice(event({{"event", "file_modified"}, {"path", "a.mcam"}, {"user", ""}}), true)->summary ==
               "a.mcam changed on disk");
    // Files alice does not hold: their disk changes are not hers to hear of.
    BOOST_TEST(!for_alice(event({{"event", "file_removed"}, {"path", "a.mcam"}, {"user", ""}}), false));
    BOOST_TEST(!for_alice(event({{"event", "file_modified"}, {"path", "a.mcam"}, {"user", ""}}), false));
    BOOST_TEST(!for_alice(event({{"event", "file_added"}, {"path", "new.mcam"}, {"user", ""}}), false));
    const auto moved = for_alice(
        event({{"event", "lock_moved"}, {"path", "b.mcam"}, {"from", "a.mcam"}, {"user", ""}, {"owner", "alice"}}), true);
    BOOST_REQUIRE(moved);
    BOOST_TEST(moved->summary == "a.mcam was moved to b.mcam");
    BOOST_TEST(!for_alice(event({{"event", "lock_moved"}, {"path", "b"}, {"from", "a"}, {"user", ""}, {"owner", "bob"}})));
}

BOOST_AUTO_TEST_CASE(a_write_to_a_file_nobody_holds_concerns_everyone) {
    const auto n = for_alice(event({{"event", "unlocked_write"}, {"path", "a.mcam"}, {"user", ""}}));
    BOOST_REQUIRE(n);
    BOOST_TEST(n->summary == "Someone wrote to a.mcam");
}

BOOST_AUTO_TEST_CASE(others_routine_work_is_off_by_default_and_can_be_switched_on) {
    const TrayEvent checkin = event({{"event", "checked_in"}, {"path", "a.mcam"}, {"user", "bob"}, {"message", "fix"},
                                     {"revision", {{"recorded", true}, {"rev", 3}}}});
    const TrayEvent checkout = event({{"event", "checked_out"}, {"path", "a.mcam"}, {"user", "bob"}, {"message", "m"}});
    const TrayEvent unlock = event({{"event", "unlocked"}, {"path", "a.mcam"}, {"user", "bob"}});
    for (const TrayEvent& e : {checkin, checkout, unlock}) BOOST_TEST(!for_alice(e), e.kind);
    NotificationSettings others;
    others.others_routine = true;
    BOOST_TEST(for_alice(checkin, false, others)->summary == "bob checked in a.mcam");
    BOOST_TEST(for_alice(checkin, false, others)->body == "Revision 3: fix");
    BOOST_TEST(for_alice(checkout, false, others)->summary == "bob checked out a.mcam");
    BOOST_TEST(for_alice(unlock, false, others)->summary == "bob unlocked a.mcam");
    // Your own routine work never notifies you.
    const TrayEvent own = event({{"event", "checked_in"}, {"path", "a.mcam"}, {"user", "alice"}});
    BOOST_TEST(!for_alice(own, true, others));
}

BOOST_AUTO_TEST_CASE(pause_silences_everything) {
    NotificationSettings paused;
    paused.paused = true;
    BOOST_TEST(!for_alice(event({{"event", "lock_broken"}, {"path", "a"}, {"user", "root"}, {"owner", "alice"}}), true, paused));
    BOOST_TEST(!for_alice(event({{"event", "unlocked_write"}, {"path", "a"}, {"user", ""}}), false, paused));
}

BOOST_AUTO_TEST_CASE(lines_that_are_not_events_are_not_parsed_as_events) {
    BOOST_TEST(!TrayEvent::parse(json{{"id", 1}, {"ok", true}}));
    BOOST_TEST(!TrayEvent::parse(json::array()));
    BOOST_TEST(!TrayEvent::parse(json{{"event", 7}}));
    const auto overflow = TrayEvent::parse(json{{"event", "overflow"}});
    BOOST_REQUIRE(overflow);
    BOOST_TEST(!for_alice(*overflow, true));
}

BOOST_AUTO_TEST_SUITE_END()
