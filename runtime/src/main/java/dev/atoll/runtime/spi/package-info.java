/**
 * The runtime's service-provider interface for host bindings: capabilities such as {@code fetch} that
 * a guest reaches through a script installed in every context and a per-call host handler, with
 * asynchronous completions delivered on the guest thread by the call's event loop.
 */
package dev.atoll.runtime.spi;
