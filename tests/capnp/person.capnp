# SPDX-License-Identifier: Apache-2.0
# A small schema for the Cap'n Proto round-trip test (capnp_roundtrip_test.cc): text, a
# scalar, a list, a nested struct, and a struct from another schema (date.capnp).
@0xc7aa7f415a6eaf28;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ebbrt::capnp_test");

using import "/tests/capnp/date.capnp".Date;

struct Person {
  name @0 :Text;
  id @1 :UInt32;
  luckyNumbers @2 :List(UInt64);
  address @3 :Address;
  birthday @4 :Date;

  struct Address {
    street @0 :Text;
    postalCode @1 :UInt32;
  }
}
