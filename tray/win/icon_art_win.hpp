// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tray icon on Windows, drawn rather than shipped, with GDI+ (smooth
// edges and text): the same look as the Qt front end's — a green disc when
// connected with nothing checked out, blue with the number of your
// check-outs, grey with "!" when pdmd cannot be reached.

#include <windows.h>

#include "tray/model/tray_state.hpp"

namespace pdm::tray {

// GDI+ is started once per process, for as long as this lives.
class GdiplusSession {
public:
    GdiplusSession();
    ~GdiplusSession();
    GdiplusSession(const GdiplusSession&) = delete;
    GdiplusSession& operator=(const GdiplusSession&) = delete;

private:
    ULONG_PTR token_ = 0;
};

// A new icon of `size` × `size` pixels; the caller destroys it (DestroyIcon).
// Throws std::runtime_error when GDI+ cannot make one.
HICON icon_for(const IconLook& look, int size);

}  // namespace pdm::tray
