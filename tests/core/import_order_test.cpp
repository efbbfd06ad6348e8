// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <vector>

#include "core/import_order.hpp"

BOOST_TEST_DONT_PRINT_LOG_VALUE(pdm::ImportOrder::Hurry)

namespace {

using Hurry = pdm::ImportOrder::Hurry;

// Reads every file as the import does, making each durable at once when asked.
std::vector<std::string> drain(pdm::ImportOrder& order) {
    std::vector<std::string> taken;
    while (const auto next = order.next()) {
        taken.push_back(*next);
        order.stored(*next);
        if (order.durable_wanted()) order.all_durable();
    }
    order.all_durable();
    return taken;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(import_order)

BOOST_AUTO_TEST_CASE(files_come_in_the_given_order_each_once) {
    pdm::ImportOrder order({"a", "b", "c"});
    const std::vector<std::string> expected = {"a", "b", "c"};
    BOOST_TEST(drain(order) == expected, boost::test_tools::per_element());
    BOOST_TEST(!order.next().has_value());
}

BOOST_AUTO_TEST_CASE(a_hurried_file_comes_next_and_is_announced_once_durable) {
    pdm::ImportOrder order({"a", "b", "c", "d"});
    std::vector<std::string> announced;
    order.on_early_done([&](const std::vector<std::string>& paths) {
        announced.insert(announced.end(), paths.begin(), paths.end());
    });
    BOOST_TEST(*order.next() == "a");
    BOOST_TEST(order.hurry("d") == Hurry::next);
    BOOST_TEST(order.hurry("c") == Hurry::next);
    order.stored("a");
    BOOST_TEST(!order.durable_wanted());  // nobody waits for a
    BOOST_TEST(*order.next() == "d");
    order.stored("d");
    BOOST_TEST(order.durable_wanted());
    BOOST_TEST(announced.empty());  // stored is not durable
    order.all_durable();
    BOOST_TEST(announced == std::vector<std::string>{"d"}, boost::test_tools::per_element());
    BOOST_TEST(order.hurry("a") == Hurry::done);  // made durable with d
    BOOST_TEST(*order.next() == "c");
    order.finished("c");  // skipped (too large): nothing to wait for
    BOOST_TEST(!order.durable_wanted());
    const std::vector<std::string> told = {"d", "c"};
    BOOST_TEST(announced == told, boost::test_tools::per_element());
    BOOST_TEST(*order.next() == "b");
}

BOOST_AUTO_TEST_CASE(a_file_stored_or_being_read_when_hurried_is_made_durable_and_one_not_imported_says_so) {
    pdm::ImportOrder order({"a", "b"});
    std::vector<std::string> announced;
    order.on_early_done([&](const std::vector<std::string>& paths) {
        announced.insert(announced.end(), paths.begin(), paths.end());
    });
    BOOST_TEST(order.hurry("new.mcam") == Hurry::not_included);
    BOOST_TEST(*order.next() == "a");
    order.stored("a");
    BOOST_TEST(!order.durable_wanted());
    BOOST_TEST(order.hurry("a") == Hurry::next);  // stored, not durable: it asks for a flush
    BOOST_TEST(order.durable_wanted());
    BOOST_TEST(*order.next() == "b");
    BOOST_TEST(order.hurry("b") == Hurry::next);  // being read: no place in the queue, told when durable
    BOOST_TEST(!order.next().has_value());
    order.stored("b");
    order.all_durable();
    const std::vector<std::string> told = {"a", "b"};
    BOOST_TEST(announced == told, boost::test_tools::per_element());
    BOOST_TEST(!order.durable_wanted());
}

BOOST_AUTO_TEST_CASE(hurrying_from_another_thread_never_loses_or_repeats_a_file) {
    std::vector<std::string> paths;
    for (int i = 0; i < 20000; ++i) paths.push_back("f" + std::to_string(i));
    pdm::ImportOrder order(paths);
    std::vector<int> announced(paths.size(), 0);
    order.on_early_done([&](const std::vector<std::string>& done) {
        for (const std::string& path : done) ++announced[std::stoul(path.substr(1))];
    });
    std::vector<int> hurried(paths.size(), 0);
    std::thread hurrying([&] {
        for (int i = 19999; i >= 0; i -= 7) {
            if (order.hurry("f" + std::to_string(i)) == Hurry::next) hurried[static_cast<std::size_t>(i)] = 1;
        }
    });
    std::vector<int> taken(paths.size(), 0);
    for (const std::string& path : drain(order)) ++taken[std::stoul(path.substr(1))];
    hurrying.join();
    for (std::size_t i = 0; i < paths.size(); ++i) {
        BOOST_TEST(taken[i] == 1, paths[i]);
        // Every check-out told to wait is told when its file is done, once.
        BOOST_TEST(announced[i] == hurried[i], paths[i]);
    }
}

BOOST_AUTO_TEST_SUITE_END()
