// SPDX-License-Identifier: Apache-2.0
// Includes the headers of its direct dependencies only: builds on both platforms.
#include "tests/layering_check/lower.h"
#include "tests/layering_check/middle.h"

int DeclaredInclude() { return layering_check::Lower() + layering_check::Middle(); }
