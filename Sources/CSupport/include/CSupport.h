#ifndef TASKLEDGER_CSUPPORT_H
#define TASKLEDGER_CSUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and Kafka record batches.
/// `crc` is the running value (0 to start); the result is final (already inverted), so
/// `tl_crc32c(tl_crc32c(0, a), b)` equals the CRC of `a` followed by `b`.
/// Uses the SSE4.2 instruction when the CPU has it, a table otherwise.
uint32_t tl_crc32c(uint32_t crc, const void *bytes, size_t count);

/// SHA-256 of `count` bytes into `out` (32 bytes). Uses the x86 SHA extensions when the CPU has them,
/// portable C otherwise; the same digest either way.
void tl_sha256(const void *bytes, size_t count, uint8_t out[32]);

/// SHA-256 without the CPU extensions (for tests that compare the two paths).
void tl_sha256_portable(const void *bytes, size_t count, uint8_t out[32]);

/// Whether `tl_sha256` uses the CPU's SHA extensions.
int tl_sha256_uses_cpu_extensions(void);

/// The index just after the JSON string literal whose opening quote is at `start` (escapes skipped),
/// looking no further than `end`; -1 when it does not end before `end`.
long tl_json_string_end(const unsigned char *bytes, long start, long end);

/// Turns off SQLite's global memory statistics, which serialise every allocation across threads.
/// Must run before SQLite is initialised; returns the SQLite result code.
int tl_sqlite_disable_memstatus(void);

/// Writes every dirty file and directory of the file system holding `path` to stable storage
/// (`syncfs(2)` on Linux; elsewhere only `path` itself is synced). Returns 0, or -1 with errno set.
/// One call instead of an fsync per file, for a bulk load that syncs once at the end.
int tl_sync_filesystem(const char *path);

#endif
