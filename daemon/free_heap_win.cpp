// SPDX-License-Identifier: Apache-2.0
#include "daemon/free_heap.hpp"

#include <malloc.h>

namespace pdm::daemon {

void release_free_heap() { _heapmin(); }

}  // namespace pdm::daemon
