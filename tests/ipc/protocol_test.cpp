// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "ipc/protocol.hpp"

using nlohmann::json;
using pdm::ErrorCode;
using pdm::PdmError;
using namespace pdm::ipc;

namespace {

ErrorCode code_of_parse(const std::string& line) {
    try {
        parse_request(line);
    } catch (const PdmError& error) {
        return error.code();
    }
    BOOST_FAIL("parsed: " << line);
    return ErrorCode::internal;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(protocol)

BOOST_AUTO_TEST_CASE(parses_op_id_and_params) {
    const Request request = parse_request(R"({"op":"info","id":[1,"x"],"path":"a.mcam"})");
    BOOST_TEST(request.op == "info");
    BOOST_TEST(request.id == json::parse(R"([1,"x"])"));
    BOOST_TEST(required_string(request.params, "path") == "a.mcam");
    BOOST_TEST(parse_request(R"({"op":"hello"})").id.is_null());
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_bad_requests_keeping_the_id_when_known) {
    const char* bad[] = {"not json", "[1,2]", "\"op\"", "{\"op\":5}", "{}", "{\"op\":\"x\"", "\xff\xfe"};
    for (const char* line : bad) {
        BOOST_TEST_CONTEXT(line) { BOOST_TEST((code_of_parse(line) == ErrorCode::bad_request)); }
    }
    try {
        parse_request(R"({"id": 42, "op": 7})");
        BOOST_FAIL("parsed");
    } catch (const RequestError& error) {
        BOOST_TEST(error.id() == 42);
    }
}

BOOST_AUTO_TEST_CASE(a_number_too_large_for_a_double_is_a_bad_request_not_an_internal_error) {
    // Found by fuzzing (tests/fuzz/request_fuzz.cpp).
    for (const char* line : {R"({"op":"hello","id":1e999})", R"({"op":"audit","limit":777E7777777777777})"}) {
        BOOST_TEST_CONTEXT(line) { BOOST_TEST((code_of_parse(line) == ErrorCode::bad_request)); }
    }
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_before_parsing) {
    const std::string deep = R"({"op":"hello","id":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    BOOST_TEST((code_of_parse(deep) == ErrorCode::bad_request));
    // Brackets inside strings do not count.
    BOOST_TEST(parse_request(R"({"op":"x","m":")" + std::string(1000, '[') + "\"}").op == "x");
}

BOOST_AUTO_TEST_CASE(replies_lead_with_id_and_ok) {
    BOOST_TEST(encode_result(7, {{"a", 1}}) == "{\"id\":7,\"ok\":true,\"result\":{\"a\":1}}\n");
    const std::string error =
        encode_error("x", PdmError(ErrorCode::conflict, "taken", {{"locked_by", "alice"}}));
    BOOST_TEST(error ==
               "{\"id\":\"x\",\"ok\":false,\"error\":{\"code\":\"conflict\",\"details\":{\"locked_by\":\"alice\"},"
               "\"message\":\"taken\"}}\n");
}

BOOST_AUTO_TEST_CASE(typed_fields_refuse_wrong_types) {
    const json params = json::parse(R"({"s":"x","n":3,"b":true,"neg":-1,"null":null})");
    BOOST_TEST(optional_string(params, "s").value() == "x");
    BOOST_TEST(!optional_string(params, "null").has_value());
    BOOST_TEST(optional_bool(params, "b", false));
    BOOST_TEST(optional_count(params, "n").value() == 3u);
    BOOST_CHECK_THROW(optional_string(params, "n"), PdmError);
    BOOST_CHECK_THROW(optional_bool(params, "s", false), PdmError);
    BOOST_CHECK_THROW(optional_count(params, "neg"), PdmError);
    BOOST_CHECK_THROW(required_string(params, "missing"), PdmError);
}

BOOST_AUTO_TEST_CASE(path_or_paths_takes_exactly_one) {
    BOOST_TEST(path_or_paths(json::parse(R"({"path":"a"})"), 10) == std::vector<std::string>{"a"});
    BOOST_TEST(path_or_paths(json::parse(R"({"paths":["a","b"]})"), 10).size() == 2u);
    const char* bad[] = {R"({})", R"({"path":"a","paths":["b"]})", R"({"paths":[]})", R"({"paths":"a"})",
                         R"({"paths":["a",1]})", R"({"path":["a"]})"};
    for (const char* text : bad) {
        BOOST_TEST_CONTEXT(text) { BOOST_CHECK_THROW(path_or_paths(json::parse(text), 10), PdmError); }
    }
}

BOOST_AUTO_TEST_CASE(limits_are_refused_naming_the_field_and_the_limit) {
    const auto names = [](const char* field, std::size_t limit) {
        return [field, limit](const PdmError& error) {
            return error.code() == pdm::ErrorCode::bad_request && error.details()["field"] == field &&
                   error.details()["limit"] == limit;
        };
    };
    BOOST_CHECK_EXCEPTION(path_or_paths(json{{"paths", {"a", "b", "c"}}}, 2), PdmError, names("paths", 2));
    BOOST_TEST(pdm::ipc::optional_text(json{{"message", "1234"}}, "message", 4).value() == "1234");
    BOOST_CHECK_EXCEPTION(pdm::ipc::optional_text(json{{"message", "12345"}}, "message", 4), PdmError,
                          names("message", 4));
    BOOST_TEST(pdm::ipc::optional_patterns(json{{"match", "*.mcam"}}, "match", 2, 16).size() == 1u);
    BOOST_TEST(pdm::ipc::optional_patterns(json::object(), "match", 2, 16).empty());
    BOOST_CHECK_EXCEPTION(pdm::ipc::optional_patterns(json{{"match", {"a", "b", "c"}}}, "match", 2, 16), PdmError,
                          names("match", 2));
    BOOST_CHECK_EXCEPTION(pdm::ipc::optional_patterns(json{{"match", {std::string(17, 'x')}}}, "match", 2, 16),
                          PdmError, names("match", 16));
}

BOOST_AUTO_TEST_SUITE_END()
