// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tray icon, drawn rather than shipped: its look says the state —
// a green disc when connected with nothing checked out, blue with the number
// of your check-outs, grey when pdmd cannot be reached.

#include <QIcon>

#include "tray/model/tray_state.hpp"

namespace pdm::tray {

QIcon icon_for(const IconLook& look);

}  // namespace pdm::tray
