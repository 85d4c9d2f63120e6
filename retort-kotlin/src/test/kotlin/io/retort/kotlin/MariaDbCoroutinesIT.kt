package io.retort.kotlin

import io.retort.tck.env.Backend
import io.retort.tck.env.RequiresDatabase

/** [CoroutinesContract] on MariaDB (r2dbc-mariadb). */
@RequiresDatabase(Backend.MARIADB)
class MariaDbCoroutinesIT : CoroutinesContract()
