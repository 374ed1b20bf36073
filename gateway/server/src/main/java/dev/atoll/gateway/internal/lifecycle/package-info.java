/**
 * The gateway's lifecycle: one stack of everything it started, closed in reverse; readiness and
 * liveness ({@code /readyz}, {@code /livez}) and draining on shutdown. Not exported.
 */
package dev.atoll.gateway.internal.lifecycle;
