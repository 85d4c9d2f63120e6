package io.retort.kotlin

import io.retort.tck.env.Backend
import io.retort.tck.env.RequiresDatabase

/** [CoroutinesContract] on PostgreSQL (r2dbc-postgresql). */
@RequiresDatabase(Backend.POSTGRES)
class PostgresCoroutinesIT : CoroutinesContract()
