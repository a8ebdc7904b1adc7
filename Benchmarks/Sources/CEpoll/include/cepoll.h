// epoll(7) and memmem(3) for the SSE benchmark's client: Swift's Glibc module exports neither
// (sys/epoll.h is not in it, memmem needs _GNU_SOURCE). Tags instead of `struct epoll_event`, which
// glibc packs on x86-64.
#ifndef CEPOLL_H
#define CEPOLL_H
#include <stddef.h>
#include <stdint.h>

/// A new epoll instance, or -1 with errno.
int cepoll_create(void);
/// Watches `fd` for input, reported with `tag`; 0, or -1 with errno.
int cepoll_add(int epoll, int fd, uint64_t tag);
/// Waits up to `timeout_ms` for ready descriptors; writes up to `max` tags; their count, or -1 with errno.
int cepoll_wait(int epoll, uint64_t *tags, int max, int timeout_ms);
/// glibc's memmem: the first `needle` in `haystack`, or NULL.
const void *cepoll_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
#endif
