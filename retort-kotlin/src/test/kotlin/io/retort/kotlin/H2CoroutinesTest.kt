package io.retort.kotlin

import io.retort.tck.env.Backend
import io.retort.tck.env.RequiresDatabase

/** [CoroutinesContract] on in-memory H2 (r2dbc-h2), in the unit-test phase. */
@RequiresDatabase(Backend.H2)
class H2CoroutinesTest : CoroutinesContract()
