// SPDX-License-Identifier: Apache-2.0
#include "daemon/free_heap.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pdm::daemon {

void release_free_heap() {
#if defined(__GLIBC__)
    // Every arena, the history thread's included (glibc 2.8 and later).
    malloc_trim(0);
#endif
}

}  // namespace pdm::daemon
