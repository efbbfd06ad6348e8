// SPDX-License-Identifier: Apache-2.0
#pragma once
// A program's command line and console text in UTF-8, on every platform.
//
// POSIX hands programs their arguments as bytes, which are UTF-8 here, and
// has nothing to convert (program_arguments_posix.cpp). Windows' C runtime
// hands main() its arguments in the ANSI code page, where "Träger.mcam"
// arrives as bytes that are not UTF-8 and a name outside the code page is
// lost; and a console shows UTF-8 output as mojibake unless told otherwise
// (program_arguments_win.cpp reads the UTF-16 command line instead and sets
// the console's output code page).

#include <string>
#include <vector>

namespace pdm {

// The program's arguments, argv[0] first, in UTF-8.
std::vector<std::string> command_line_in_utf8(int argc, char** argv);

// argc and argv as main() passes them on, in UTF-8.
class ProgramArguments {
public:
    ProgramArguments(int argc, char** argv);
    ProgramArguments(const ProgramArguments&) = delete;
    ProgramArguments& operator=(const ProgramArguments&) = delete;

    int count() const { return static_cast<int>(text_.size()); }
    // Valid while this lives; argv[count()] is null, as in main().
    char** values() { return values_.data(); }

private:
    std::vector<std::string> text_;
    std::vector<char*> values_;
};

// While it lives, a console this program writes to shows UTF-8 text as text
// (Windows: the console's output code page, put back afterwards).
class Utf8Console {
public:
    Utf8Console();
    ~Utf8Console();
    Utf8Console(const Utf8Console&) = delete;
    Utf8Console& operator=(const Utf8Console&) = delete;

private:
    [[maybe_unused]] unsigned previous_code_page_ = 0;  // Windows; 0: nothing to put back
};

}  // namespace pdm
