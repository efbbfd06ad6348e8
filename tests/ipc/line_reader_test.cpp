// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "ipc/line_reader.hpp"

using pdm::ipc::LineReader;
using Status = LineReader::Status;

BOOST_AUTO_TEST_SUITE(line_reader)

BOOST_AUTO_TEST_CASE(splits_lines_across_reads_and_accepts_crlf) {
    LineReader reader(100);
    std::string line;
    reader.append("{\"op\":");
    BOOST_TEST((reader.next(line) == Status::need_more));
    reader.append("\"hello\"}\r\n{\"op\":\"list\"}\n\n");
    BOOST_TEST((reader.next(line) == Status::line));
    BOOST_TEST(line == "{\"op\":\"hello\"}");
    BOOST_TEST((reader.next(line) == Status::line));
    BOOST_TEST(line == "{\"op\":\"list\"}");
    BOOST_TEST((reader.next(line) == Status::line));
    BOOST_TEST(line.empty());
    BOOST_TEST((reader.next(line) == Status::need_more));
    BOOST_TEST(reader.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(a_line_at_the_limit_passes_one_over_it_does_not) {
    LineReader reader(10);
    std::string line;
    reader.append(std::string(10, 'x') + "\n");
    BOOST_TEST((reader.next(line) == Status::line));
    reader.append(std::string(11, 'x') + "\n");
    BOOST_TEST((reader.next(line) == Status::too_long));
    BOOST_TEST((reader.next(line) == Status::too_long));  // stays closed
}

BOOST_AUTO_TEST_CASE(refuses_an_endless_line_before_its_end_arrives) {
    LineReader reader(1000);
    std::string line;
    for (int i = 0; i < 5; ++i) {
        reader.append(std::string(300, 'x'));
        if (reader.next(line) == Status::too_long) {
            BOOST_TEST(i == 3);
            return;
        }
    }
    BOOST_FAIL("never refused");
}

BOOST_AUTO_TEST_SUITE_END()
