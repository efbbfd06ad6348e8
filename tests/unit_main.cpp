// SPDX-License-Identifier: Apache-2.0
#define BOOST_TEST_MODULE pdm unit tests
#ifdef PDM_BOOST_TEST_HEADER_ONLY
// The Windows cross build has no compiled Boost.Test: this one file holds it.
#include <boost/test/included/unit_test.hpp>
#else
#include <boost/test/unit_test.hpp>
#endif
