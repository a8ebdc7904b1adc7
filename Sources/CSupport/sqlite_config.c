// sqlite3_config is variadic, which Swift cannot call; this shim gives it a fixed signature.
#include "CSupport.h"
#include <sqlite3.h>

int tl_sqlite_disable_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
