// SPDX-License-Identifier: Apache-2.0
// C++'s view of <math.h> on native: newlib's declarations, completed for libc++.
//
// libc++ 14's <math.h> (reached through <cmath>, which <chrono>, <compare>, <atomic>
// and others include internally) defines the long double overloads of every C99 math
// function in terms of acosl, asinl, ... and so needs all of them declared. newlib 3.3
// declares them only where long double is double ("Newlib doesn't fully support long
// double math functions so far", math.h), which is not x86-64. This header declares
// the missing ones with their C99 §7.12 signatures and continues to libc++'s <math.h>.
//
// Declarations only: there is no libm on native yet, so calling any <math.h> function,
// double or long double, fails at link time (undefined symbol); <cmath> is outside the
// C++ subset (toolchains/cxx_subset.bzl).
#ifndef EBBRT_TOOLCHAINS_NATIVE_CXX_SUBSET_MATH_H_
#define EBBRT_TOOLCHAINS_NATIVE_CXX_SUBSET_MATH_H_

extern "C" {
long double acosl(long double);
long double acoshl(long double);
long double asinl(long double);
long double asinhl(long double);
long double atanl(long double);
long double atan2l(long double, long double);
long double atanhl(long double);
long double cbrtl(long double);
long double ceill(long double);
long double copysignl(long double, long double);
long double cosl(long double);
long double coshl(long double);
long double erfl(long double);
long double erfcl(long double);
long double expl(long double);
long double exp2l(long double);
long double expm1l(long double);
long double fabsl(long double);
long double fdiml(long double, long double);
long double floorl(long double);
long double fmal(long double, long double, long double);
long double fmaxl(long double, long double);
long double fminl(long double, long double);
long double fmodl(long double, long double);
long double frexpl(long double, int*);
long double hypotl(long double, long double);
int ilogbl(long double);
long double ldexpl(long double, int);
long double lgammal(long double);
long long llrintl(long double);
long long llroundl(long double);
long double logl(long double);
long double log10l(long double);
long double log1pl(long double);
long double log2l(long double);
long double logbl(long double);
long lrintl(long double);
long lroundl(long double);
long double modfl(long double, long double*);
long double nanl(const char*);
long double nearbyintl(long double);
long double nextafterl(long double, long double);
long double nexttowardl(long double, long double);
double nexttoward(double, long double);
float nexttowardf(float, long double);
long double powl(long double, long double);
long double remainderl(long double, long double);
long double remquol(long double, long double, int*);
long double rintl(long double);
long double roundl(long double);
long double scalblnl(long double, long);
long double scalbnl(long double, int);
long double sinl(long double);
long double sinhl(long double);
long double sqrtl(long double);
long double tanl(long double);
long double tanhl(long double);
long double tgammal(long double);
long double truncl(long double);
}  // extern "C"

#endif  // EBBRT_TOOLCHAINS_NATIVE_CXX_SUBSET_MATH_H_

#include_next <math.h>
