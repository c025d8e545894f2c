// SPDX-License-Identifier: Apache-2.0
// Deliberately broken (see BUILD): lower.h belongs to :lower, which this target does not
// depend on (only :middle does). The layering check must reject the #include.
#include "tests/layering_check/lower.h"
#include "tests/layering_check/middle.h"

int UndeclaredInclude() { return layering_check::Lower() + layering_check::Middle(); }
