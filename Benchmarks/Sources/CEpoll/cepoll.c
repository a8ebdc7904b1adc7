#include "cepoll.h"
#include <sys/epoll.h>

int cepoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cepoll_add(int epoll, int fd, uint64_t tag) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int cepoll_wait(int epoll, uint64_t *tags, int max, int timeout_ms) {
    struct epoll_event events[1024];
    if (max > 1024) max = 1024;
    int count = epoll_wait(epoll, events, max, timeout_ms);
    for (int index = 0; index < count; index++) tags[index] = events[index].data.u64;
    return count;
}
