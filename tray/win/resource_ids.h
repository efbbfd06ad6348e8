// SPDX-License-Identifier: Apache-2.0
// Resource IDs shared by pdm-tray.rc and the code that loads them (plain C:
// the resource compiler reads it too).
#pragma once

#define PDM_IDD_CHECK_IN 101
#define PDM_IDC_PROMPT 1001
#define PDM_IDC_MESSAGE 1002
