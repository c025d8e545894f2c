// SPDX-License-Identifier: Apache-2.0
// Sets up the native Ebb translation region (ebbrt/native/platform/translation.h): its
// pages are mapped, zeroed, on first touch.
#pragma once

namespace ebbrt::native {

void InitTranslationRegion();

}  // namespace ebbrt::native
