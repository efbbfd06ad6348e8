// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/waiting_list.hpp"

using pdm::WaitingList;

BOOST_AUTO_TEST_SUITE(waiting_list)

BOOST_AUTO_TEST_CASE(first_come_first_served_per_file) {
    WaitingList list;
    BOOST_TEST(list.enqueue("a", {"bob", 1, "b"}) == 1u);
    BOOST_TEST(list.enqueue("a", {"carol", 2, "c"}) == 2u);
    BOOST_TEST(list.enqueue("b", {"dave", 3, "d"}) == 1u);
    BOOST_TEST(list.enqueue("a", {"bob", 1, "again"}) == 1u);  // a connection keeps its place
    BOOST_TEST(list.pop("a")->user == "bob");
    BOOST_TEST(list.pop("a")->user == "carol");
    BOOST_TEST(!list.pop("a").has_value());
    BOOST_TEST(list.waiting_for("b") == 1u);
}

BOOST_AUTO_TEST_CASE(a_queue_follows_its_file_to_a_new_name_behind_the_queue_there) {
    WaitingList list;
    list.enqueue("old", {"bob", 1, ""});
    list.enqueue("new", {"carol", 2, ""});
    list.rename("old", "new");
    BOOST_TEST(list.waiting_for("old") == 0u);
    BOOST_TEST(list.pop("new")->user == "carol");
    BOOST_TEST(list.pop("new")->user == "bob");
    list.rename("absent", "new");  // nothing to move
    BOOST_TEST(list.waiting_for("new") == 0u);
}

BOOST_AUTO_TEST_CASE(leaving_and_closing_give_up_places) {
    WaitingList list;
    list.enqueue("a", {"bob", 1, ""});
    list.enqueue("a", {"carol", 2, ""});
    list.enqueue("b", {"carol", 2, ""});
    BOOST_TEST(list.remove("a", 1));
    BOOST_TEST(!list.remove("a", 1));
    list.remove_connection(2);
    BOOST_TEST(list.waiting_for("a") == 0u);
    BOOST_TEST(list.waiting_for("b") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
