// SPDX-License-Identifier: Apache-2.0
#include "core/file_permissions.hpp"

namespace pdm {

std::string_view enforcement_name(Enforcement enforcement) {
    switch (enforcement) {
        case Enforcement::off:
            return "off";
        case Enforcement::mode:
            return "mode";
        case Enforcement::ownership:
            return "ownership";
    }
    return "off";
}

}  // namespace pdm
