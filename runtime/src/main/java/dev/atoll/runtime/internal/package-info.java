/**
 * Implementation of the runtime, not exported: the shared GraalVM engine and context factory, the
 * guest bootstrap and event loop, the watchdog that enforces CPU, memory and wall limits, the guest
 * thread pool, manifest parsing and JSON Schema validation.
 */
package dev.atoll.runtime.internal;
