/**
 * Whether tests may run probes in real memory cgroups with swap: Linux, root, and not opted
 * out. Such probes add and remove a system-wide swap file and load the machine, so several
 * developers (or a kernel measurement) sharing one machine set FAULTLINE_SKIP_REAL_KERNEL=1;
 * CI leaves it unset and runs them.
 */
export const linux = process.platform === 'linux';
export const realKernelAllowed = linux && process.getuid?.() === 0 && !process.env.FAULTLINE_SKIP_REAL_KERNEL;
