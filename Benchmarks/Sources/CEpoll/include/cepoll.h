// epoll(7) for the SSE benchmark's client: Swift's Glibc module does not export it (sys/epoll.h is not
// in it). Tags instead of `struct epoll_event`, which glibc packs on x86-64.
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
#endif
