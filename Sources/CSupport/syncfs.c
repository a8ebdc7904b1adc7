// syncfs(2) is a GNU extension: declared only with _GNU_SOURCE, which Swift's Glibc module does not set.
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "CSupport.h"

int tl_sync_filesystem(const char *path) {
    int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) return -1;
#ifdef __linux__
    int result = syncfs(descriptor);
#else
    int result = fsync(descriptor);
#endif
    close(descriptor);
    return result;
}
