# SPDX-License-Identifier: Apache-2.0
"""No-op repository setup: nothing Java is fetched in this offline build."""

def rules_java_dependencies():
    pass

def rules_java_toolchains():
    pass
