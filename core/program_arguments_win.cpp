// SPDX-License-Identifier: Apache-2.0
#include "core/program_arguments.hpp"

#include <windows.h>
#include <shellapi.h>

#include "core/win_text.hpp"

namespace pdm {

std::vector<std::string> command_line_in_utf8(int argc, char** argv) {
    // The same command line the C runtime split into argv, split the same
    // way (win::command_line_argument quotes for it), but in UTF-16.
    int count = 0;
    wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &count);
    if (!wide) return {argv, argv + argc};
    std::vector<std::string> arguments;
    for (int i = 0; i < count; ++i) arguments.push_back(win::utf8(wide[i]));
    LocalFree(wide);
    return arguments;
}

Utf8Console::Utf8Console() {
    const UINT current = GetConsoleOutputCP();  // 0: no console
    if (current != 0 && current != CP_UTF8 && SetConsoleOutputCP(CP_UTF8)) previous_code_page_ = current;
}

Utf8Console::~Utf8Console() {
    if (previous_code_page_ != 0) SetConsoleOutputCP(previous_code_page_);
}

}  // namespace pdm
