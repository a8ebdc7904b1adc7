// sqlite3_config is variadic, which Swift cannot call; this shim gives it a fixed signature.
#include "CSupport.h"
#include <sqlite3.h>

static int memstatus_result = -1;

// SQLite's global memory statistics take one process-wide mutex on every allocation: with a projection
// writer per thread (and readers beside them) that mutex was the largest single cost after SQL itself
// (futex waits and wake-ups on both cores). sqlite3_config works only before SQLite initialises, that is
// before any database is opened, so it runs as the process loads, before main: every program linking
// this module (the server, the CLI, the benchmarks, the tests) gets it without having to remember.
__attribute__((constructor)) static void tl_sqlite_configure_at_load(void) {
    memstatus_result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int tl_sqlite_disable_memstatus(void) {
    if (memstatus_result == SQLITE_OK) return SQLITE_OK;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
