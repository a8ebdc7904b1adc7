#ifndef TASKLEDGER_CSUPPORT_H
#define TASKLEDGER_CSUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and Kafka record batches.
/// `crc` is the running value (0 to start); the result is final (already inverted), so
/// `tl_crc32c(tl_crc32c(0, a), b)` equals the CRC of `a` followed by `b`.
/// Uses the SSE4.2 instruction when the CPU has it, a table otherwise.
uint32_t tl_crc32c(uint32_t crc, const void *bytes, size_t count);

/// Turns off SQLite's global memory statistics, which serialise every allocation across threads.
/// Must run before SQLite is initialised; returns the SQLite result code.
int tl_sqlite_disable_memstatus(void);

/// Writes every dirty file and directory of the file system holding `path` to stable storage
/// (`syncfs(2)` on Linux; elsewhere only `path` itself is synced). Returns 0, or -1 with errno set.
/// One call instead of an fsync per file, for a bulk load that syncs once at the end.
int tl_sync_filesystem(const char *path);

#endif
