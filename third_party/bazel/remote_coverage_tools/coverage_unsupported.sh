#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
echo "error: bazel coverage is not supported in the EbbRT offline build (no coverage tools are fetched)" >&2
exit 1
