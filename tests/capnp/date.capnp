# SPDX-License-Identifier: Apache-2.0
# A calendar date: a second schema, imported by person.capnp by absolute path, so the test
# also covers capnp_cc_library's `deps` and cross-target imports.
@0xa06bcbd63935e422;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ebbrt::capnp_test");

struct Date {
  year @0 :Int16;
  month @1 :UInt8;
  day @2 :UInt8;
}
