// SPDX-License-Identifier: Apache-2.0
// A Windows service logs to the Event Log, and Event Viewer renders each
// event from the message table of the file the event source names: pdmd.exe
// itself. Without that table every event would read "The description for
// Event ID 1000 cannot be found". Wine keeps no Event Log to read back, so
// this reads the table the way Event Viewer does.
#include <windows.h>

#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "core/win_text.hpp"
#include "daemon/event_messages.h"

namespace {

struct LoadedModule {
    HMODULE module;
    explicit LoadedModule(const std::filesystem::path& file)
        : module(LoadLibraryExW(file.c_str(), nullptr, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE)) {}
    ~LoadedModule() {
        if (module) FreeLibrary(module);
    }
    LoadedModule(const LoadedModule&) = delete;
    LoadedModule& operator=(const LoadedModule&) = delete;
};

// The text Event Viewer shows for event `id` with these inserted strings.
std::string rendered(HMODULE module, DWORD id, std::vector<std::wstring> inserts) {
    std::vector<DWORD_PTR> arguments;
    for (const std::wstring& insert : inserts) arguments.push_back(reinterpret_cast<DWORD_PTR>(insert.c_str()));
    wchar_t* text = nullptr;
    const DWORD length = FormatMessageW(
        FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_ARGUMENT_ARRAY, module, id,
        MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), reinterpret_cast<wchar_t*>(&text), 0,
        reinterpret_cast<va_list*>(arguments.data()));
    if (length == 0) return "(no message " + std::to_string(id) + ": " + pdm::win::words_for(GetLastError()) + ")";
    const std::string result = pdm::win::utf8(std::wstring_view(text, length));
    LocalFree(text);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_log)

BOOST_AUTO_TEST_CASE(pdmd_exe_renders_each_log_line_as_it_was_written) {
    const LoadedModule pdmd(std::filesystem::path(pdm::win::wide(PDMD_PATH)).make_preferred());
    BOOST_REQUIRE_MESSAGE(pdmd.module, "cannot load " PDMD_PATH ": " << pdm::win::words_for(GetLastError()));
    // Inserted text is never read as a format: a 100% or a %1 in a file name stays as it is.
    const std::string line = "alice checked out parts/Träger %1 (100% done).mcam";
    BOOST_TEST(rendered(pdmd.module, PDM_EVENT_LINE, {pdm::win::wide(line)}) == line);
    // The event's category is the line's level, as spdlog's sink numbers them.
    BOOST_TEST(rendered(pdmd.module, PDM_CATEGORY_INFO, {}) == "Information");
    BOOST_TEST(rendered(pdmd.module, PDM_CATEGORY_WARNING, {}) == "Warning");
    BOOST_TEST(rendered(pdmd.module, PDM_CATEGORY_ERROR, {}) == "Error");
    BOOST_TEST(rendered(pdmd.module, PDM_CATEGORY_CRITICAL, {}) == "Critical");
}

BOOST_AUTO_TEST_SUITE_END()
