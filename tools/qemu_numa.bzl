# SPDX-License-Identifier: Apache-2.0
"""QEMU arguments for a guest with NUMA nodes, for `qemu_args` of ebbrt_native_test.

    ebbrt_native_test(
        name = "numa_test",
        memory = "256M",     # nodes * mib_per_node
        qemu_args = qemu_numa_args(nodes = 2, cpus = 4, mib_per_node = 128),
        smp = 4,
        ...
    )

QEMU then builds an ACPI SRAT: node n has its own RAM backend of `mib_per_node` MiB and
the vCPUs n * cpus / nodes .. (n + 1) * cpus / nodes - 1.
"""

def qemu_numa_args(nodes, cpus, mib_per_node):
    """-object/-numa arguments for `nodes` nodes splitting `cpus` vCPUs evenly, in order."""
    args = []
    for node in range(nodes):
        first = node * cpus // nodes
        last = (node + 1) * cpus // nodes - 1
        args += [
            "-object",
            "memory-backend-ram,id=m%d,size=%dM" % (node, mib_per_node),
            "-numa",
            "node,nodeid=%d,cpus=%d-%d,memdev=m%d" % (node, first, last, node),
        ]
    return args
