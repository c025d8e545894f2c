// SPDX-License-Identifier: Apache-2.0
// Hosted process entry: a Linux `main` that runs the application's ebbrt::AppMain.
#include "ebbrt/app/app_main.h"

int main() { return ebbrt::AppMain(); }
