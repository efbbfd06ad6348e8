// SPDX-License-Identifier: Apache-2.0
#define BOOST_TEST_MODULE pdm integration tests
#if defined(PDM_BOOST_TEST_HEADER_ONLY)
// The Windows build has no compiled Boost.Test: this one file brings it in.
#include <boost/test/included/unit_test.hpp>
#else
#include <boost/test/unit_test.hpp>
#endif
