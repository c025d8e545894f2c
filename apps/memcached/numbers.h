// SPDX-License-Identifier: Apache-2.0
// Number parsing and formatting exactly as memcached 1.6 does it (util.c's safe_strto*
// over strtoull/strtol), for command tokens and for incr/decr on stored values.
//
// memcached reads numbers with the C library: leading whitespace and a sign are
// accepted, the number must be followed by whitespace or the end of the token, and the
// 32-bit forms keep the low bits of a 64-bit parse ("set k 4294967296 0 1" stores flags
// 0). Matching that keeps our replies identical to the reference implementation's.
//
//   uint32_t flags;
//   if (!memcached::ParseU32(token, &flags)) Reply("CLIENT_ERROR bad command line format");
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string_view>

namespace memcached {

// safe_strtoull: unsigned 64-bit; a negative number that wraps to >= 2^63 is refused.
bool ParseU64(std::string_view token, uint64_t* out);
// safe_strtoul: parsed as 64-bit unsigned, stored truncated to 32 bits.
bool ParseU32(std::string_view token, uint32_t* out);
// safe_strtol: parsed as 64-bit signed, stored truncated to 32 bits.
bool ParseI32(std::string_view token, int32_t* out);

// memcached's do_add_delta check of a stored value: the bytes `value` followed by the
// item's "\r\n" must read as safe_strtoull reads them; an empty value never does.
bool ParseStoredNumber(const uint8_t* value, size_t length, uint64_t* out);

// "%llu" of `value` into `out` (which must hold 20 bytes); returns the length.
size_t FormatU64(uint64_t value, char* out);

}  // namespace memcached
