// SPDX-License-Identifier: Apache-2.0
// Telling a whole loose object from one a crash cut short, and never taking
// a file that cannot be read for a damaged one: what is condemned is removed.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "core/content_digest.hpp"
#include "core/stored_loose_object.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

// Stores `content` as a blob in `objects`; its id.
std::string store_blob(const fs::path& objects, const std::string& content) {
    pdm::ContentDigest digest(content.size());
    digest.update(content.data(), content.size());
    const std::string id = digest.finish().first;
    pdm::StoredLooseObject object(objects, content.size());
    object.write(content.data(), content.size());
    object.finish(id);
    return id;
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void replace(const fs::path& file, const std::string& bytes) {
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stored_loose_object)

BOOST_AUTO_TEST_CASE(a_whole_object_reads_back_and_one_cut_short_or_altered_does_not) {
    const pdm::test::TempDir dir;
    const std::string content(300000, 'p');
    const std::string id = store_blob(dir.path(), content);
    const fs::path file = dir / pdm::loose_object_name(id);
    BOOST_TEST(pdm::loose_object_name(id) == id.substr(0, 2) + "/" + id.substr(2));
    BOOST_TEST(pdm::loose_object_reads_back(file, id));
    // Another id: the content is whole but not that object.
    BOOST_TEST(!pdm::loose_object_reads_back(file, std::string(40, '0')));
    const std::string whole = read_file(file);
    for (const std::size_t kept : {std::size_t{0}, std::size_t{1}, whole.size() / 2, whole.size() - 1}) {
        replace(file, whole.substr(0, kept));
        BOOST_TEST(!pdm::loose_object_reads_back(file, id), kept << " of " << whole.size() << " bytes");
    }
    std::string flipped = whole;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 1);
    replace(file, flipped);
    BOOST_TEST(!pdm::loose_object_reads_back(file, id));
}

BOOST_AUTO_TEST_CASE(an_object_that_cannot_be_read_is_an_error_not_damage) {
    const pdm::test::TempDir dir;
    const std::string id = std::string(40, 'a');
    fs::create_directories(dir / pdm::loose_object_name(id));  // a folder in its place
    BOOST_CHECK_THROW(pdm::loose_object_reads_back(dir / pdm::loose_object_name(id), id), std::runtime_error);
    BOOST_CHECK_THROW(pdm::loose_object_reads_back(dir / "none" / "such", id), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
