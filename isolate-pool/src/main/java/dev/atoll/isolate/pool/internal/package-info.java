/**
 * Implementation of the isolate pool, not exported: the per-version pools of warm contexts and their
 * sizing, the replenisher's platform threads and the admission gate.
 */
package dev.atoll.isolate.pool.internal;
