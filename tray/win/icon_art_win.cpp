// SPDX-License-Identifier: Apache-2.0
#include "tray/win/icon_art_win.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

// GDI+ needs COM's types, which WIN32_LEAN_AND_MEAN leaves out of windows.h,
// and uses min and max unqualified, whose macros NOMINMAX turns off.
#include <objidl.h>
namespace Gdiplus {
using std::max;
using std::min;
}  // namespace Gdiplus
#include <gdiplus.h>

namespace pdm::tray {
namespace {

// Windows' own interface font (the one message boxes use), bold, `pixels`
// high. Made through GDI's font mapper, which always finds a face (Wine,
// without Windows' fonts, maps it to one of the system's), where GDI+'s
// lookup by name finds only installed ones.
LOGFONTW label_font(int pixels) {
    NONCLIENTMETRICSW metrics{};
    metrics.cbSize = sizeof metrics;
    LOGFONTW font{};
    if (SystemParametersInfoW(SPI_GETNONCLIENTMETRICS, sizeof metrics, &metrics, 0)) font = metrics.lfMessageFont;
    font.lfHeight = -pixels;
    font.lfWidth = 0;
    font.lfWeight = FW_BOLD;
    font.lfQuality = ANTIALIASED_QUALITY;
    return font;
}

}  // namespace

GdiplusSession::GdiplusSession() {
    const Gdiplus::GdiplusStartupInput input;
    if (Gdiplus::GdiplusStartup(&token_, &input, nullptr) != Gdiplus::Ok)
        throw std::runtime_error("cannot start GDI+ to draw the tray icon");
}

GdiplusSession::~GdiplusSession() { Gdiplus::GdiplusShutdown(token_); }

HICON icon_for(const IconLook& look, int size) {
    Gdiplus::Bitmap bitmap(size, size, PixelFormat32bppARGB);
    Gdiplus::Graphics canvas(&bitmap);
    canvas.SetSmoothingMode(Gdiplus::SmoothingModeAntiAlias);
    canvas.SetTextRenderingHint(Gdiplus::TextRenderingHintAntiAliasGridFit);
    canvas.Clear(Gdiplus::Color(0, 0, 0, 0));

    Gdiplus::Color fill(0xff, 0x9e, 0x9e, 0x9e);  // grey: not connected
    if (look.link == Link::connected)
        fill = look.checked_out == 0 ? Gdiplus::Color(0xff, 0x2e, 0x7d, 0x32) : Gdiplus::Color(0xff, 0x15, 0x65, 0xc0);
    const Gdiplus::Color white(0xff, 0xff, 0xff, 0xff);
    const float edge = static_cast<float>(size) / 16.0f;
    const float inset = edge;
    const float diameter = static_cast<float>(size) - 2 * inset;
    const Gdiplus::SolidBrush disc(fill);
    canvas.FillEllipse(&disc, inset, inset, diameter, diameter);
    const Gdiplus::Pen rim(white, edge);
    canvas.DrawEllipse(&rim, inset, inset, diameter, diameter);

    std::wstring label = L"P";
    if (look.link == Link::unreachable) label = L"!";
    if (look.link == Link::connected && look.checked_out > 0)
        label = look.checked_out > 999 ? L"999+" : std::to_wstring(look.checked_out);
    const float em = static_cast<float>(size) * (label.size() > 2 ? 0.34f : 0.5f);
    const LOGFONTW wanted = label_font(static_cast<int>(em + 0.5f));
    const HDC screen = GetDC(nullptr);
    const Gdiplus::Font font(screen, &wanted);
    ReleaseDC(nullptr, screen);
    if (font.IsAvailable()) {  // else the disc alone: its colour still says the state
        Gdiplus::StringFormat centred;
        centred.SetAlignment(Gdiplus::StringAlignmentCenter);
        centred.SetLineAlignment(Gdiplus::StringAlignmentCenter);
        const Gdiplus::SolidBrush ink(white);
        const Gdiplus::RectF box(0, 0, static_cast<float>(size), static_cast<float>(size));
        canvas.DrawString(label.c_str(), static_cast<INT>(label.size()), &font, box, &centred, &ink);
    }

    HICON icon = nullptr;
    if (bitmap.GetHICON(&icon) != Gdiplus::Ok || !icon) throw std::runtime_error("GDI+ could not make the tray icon");
    return icon;
}

}  // namespace pdm::tray
